#!/usr/bin/env python3
"""Never block, never eat memory: the real collectd daemon (collectd -f,
Interval 1, logfile + csv) with a File that turns bad while it runs.

Every case has its own daemon and directory and they run in parallel. The
configured File is a path the test swaps (by rename, or by re-pointing a
symlink as `ln -sfn` does) between a good regular file and a bad target:

  fifo         a FIFO with no writer; then, still a FIFO, with a writer
               holding it open and data pending
  dir          a symlink to a directory
  devzero      a symlink to /dev/zero (also: the daemon's VmRSS does not grow)
  socket       a symlink to a listening unix socket
  eacces       the daemon runs as nobody (setpriv) and File is root-owned
               mode 0600; then chmod 0644
  mountinfo_fifo  MountInfoFile is a FIFO without a writer: values every
               interval all the same, one WARNING
  growshrink   a writer rewrites File in place (ftruncate + chunked pwrite
               of prefixes of one master text, many of them cut in the middle
               of a line or a number, some held for a while) for ~8 intervals
  cap          MaxFileSize 4096: a 13 kB file, then a small one again
  cap_unsized  MaxFileSize 4096: a symlink to /proc/kallsyms (stat size 0,
               megabytes when read): the cap must stop the read loop itself
  cap_default  no MaxFileSize: a 300 MiB sparse file; VmRSS does not grow
  cap_boundary MaxFileSize 4096: a file of exactly 4096 bytes (the largest
               accepted, per collectd-mountstats(5)), then 4097 bytes, then 4000
  flap_good    the path alternates FIFO / good file every 1.2 s (~10 s)
  flap_kinds   the path alternates FIFO / directory every 1.2 s (~10 s)

What each bad period asserts: the read that meets the bad file ends at
once with an ERROR (logged within 2 intervals: a read blocked in open() or
read() would log nothing); the daemon keeps running and never suspends the
read callback; exactly one ERROR line naming the path (per failure kind per
minute, also while the file flaps: good reads in between do not reset it);
the ERROR of a FIFO or a device says the file "is not a regular file (a
FIFO, device or socket)", that of a socket the same or ENXIO from open(), that
of a directory EISDIR; nothing is dispatched from the bad file; once the
good file is back its values are in the csv files within 2 intervals, with
an INFO "readable again" (only after an ERROR: a flapping file that logged
nothing new gives no new INFO); SIGTERM ends the daemon with exit status 0.

Python 3 standard library only. Exit status 0 when every check passed; the
last line printed is "N passed, M failed".
"""

import argparse
import errno
import os
import random
import re
import socket
import sys
import threading
import time
import traceback

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from robust_daemon import (BYTES, EVENT_GROUPS, EVENTS, NON_NFS_HEAD,  # noqa
                           NOT_REGULAR, V3_OPS,
                           add_common_args, nfs_record, num, symlink_atomic)
from mstest import Checks, Daemon, wait_until, write_atomic  # noqa: E402

ARGS = None
RESUME_LIMIT = 2.0  # seconds (2 intervals) from the fix to the first value
HOLD = 4.3  # seconds a bad state is held (~4 read intervals)


def simple_text(tag, base=1000):
    """A small valid file with one NFS mount /srv/<tag>."""
    ops = [(name, [base + i, base + i, 0, 100 * i, 200 * i, 1, 2, 3, 0])
           for i, name in enumerate(V3_OPS)]
    xprt = [700, 1, 1, 0, 5, base, base, 0, 3 * base, 0, 16, 0, 2000]
    return NON_NFS_HEAD + nfs_record(
        f"/srv/{tag}", f"filer:/export/{tag}", 3600,
        [base + i for i in range(EVENTS)],
        [base * 10 + i for i in range(BYTES)],
        xprt, ops)


def errno_of(message):
    m = re.search(r"errno (\d+)", message)
    return int(m.group(1)) if m else None


def kind_of(message):
    """The failure kind an ERROR reports: "errno N", "not a regular file",
    or the message itself."""
    if NOT_REGULAR in message:
        return "not a regular file"
    e = errno_of(message)
    return f"errno {e}" if e is not None else message


def readable_again(d):
    return [m for m in d.log_at("info") if "readable again" in m]


def errors_naming(d, path):
    return [m for m in d.log_at("error") if path in m]


def check_exit(ck, d):
    d.stop()
    ck.check("daemon still running before SIGTERM, exit status 0",
             *d.stopped_cleanly())


def check_common_end(ck, d):
    sus = d.suspended()
    ck.check("the read callback was never suspended (no 'Will suspend')",
             not sus, "\n".join(sus[:3]))
    crash = [l for l in d.output_text().splitlines()
             if re.search(r"Segmentation|Aborted|core dumped|AddressSanitizer"
                          r"|runtime error", l)]
    ck.check("no crash or sanitizer report in the output", not crash,
             "\n".join(crash[:5]))


def bad_period(ck, d, path, key, what, make_bad, restore, want_errno=None,
               want_text=None, during=None, rss_limit_kib=None):
    """Holds a bad state for HOLD seconds and checks the daemon through it
    and through the recovery. make_bad() and restore() change the path.
    want_text: [substrings], one of which the ERROR must contain."""
    errs_before = len(errors_naming(d, path))
    infos_before = len([m for m in d.log_at("info") if "readable again" in m])
    rss0 = d.vmrss_kib()
    t_bad = time.time()
    make_bad()
    # Promptly: the read that meets the bad file ends with its ERROR at once
    # (a read blocked in open() or read() would log nothing).
    prompt = wait_until(lambda: len(errors_naming(d, path)) > errs_before,
                        RESUME_LIMIT + 0.8)
    ck.check(f"{what}: the ERROR is logged within 2 intervals"
             + (f" ({time.time() - t_bad:.2f} s)" if prompt else ""), prompt)
    rest = HOLD - (time.time() - t_bad)
    if during is not None:
        time.sleep(max(rest / 2, 0))
        during()
        time.sleep(max(rest / 2, 0))
    else:
        time.sleep(max(rest, 0))
    ck.check(f"{what}: daemon alive after {HOLD:.1f} s (~4 intervals)",
             d.alive(), d.output_text()[-1500:])
    errs = errors_naming(d, path)[errs_before:]
    ck.check(f"{what}: exactly one ERROR line naming {path}", len(errs) == 1,
             errs or d.log_entries()[-6:])
    if errs:
        ck.note(f"{what}: ERROR text: {errs[0]}")
        if want_errno is not None:
            ck.check(f"{what}: the ERROR says {os.strerror(want_errno)} "
                     f"(errno {want_errno})",
                     os.strerror(want_errno) in errs[0]
                     or f"errno {want_errno}" in errs[0], errs[0])
        if want_text is not None:
            ck.check(f"{what}: the ERROR says "
                     + " or ".join(repr(t) for t in want_text),
                     any(t in errs[0] for t in want_text), errs[0])
            ck.check(f"{what}: not EINVAL (errno 22) for a file that is not "
                     "regular", "errno 22" not in errs[0], errs[0])
    late = [r for r in d.rows(key) if r[0] > t_bad]
    ck.check(f"{what}: nothing dispatched while bad", not late, late[:3])
    if rss_limit_kib is not None and rss0 is not None:
        rss1 = d.vmrss_kib()
        ck.check(f"{what}: daemon VmRSS grew < {rss_limit_kib} KiB "
                 f"({rss0} -> {rss1} KiB)",
                 rss1 is not None and rss1 - rss0 < rss_limit_kib)
    t_good = time.time()
    restore()
    row = d.wait_row_after(key, t_bad, timeout=8)
    ck.check(f"{what}: values resume within {RESUME_LIMIT:.0f} intervals of "
             f"the fix" + (f" ({row[0] - t_good:+.2f} s)" if row else ""),
             row is not None and row[0] - t_good <= RESUME_LIMIT,
             "no value" if row is None else f"first at {row[0] - t_good:+.2f}")
    again = wait_until(
        lambda: len([m for m in d.log_at("info") if "readable again" in m])
        > infos_before, 3)
    ck.check(f"{what}: an INFO says the file is readable again", again)


# --------------------------------------------------------------------------

def case_fifo(ck):
    d = Daemon(ARGS, "nb-fifo", ['File "@DIR@/mountstats"'], csv=False)
    path = os.path.join(d.dir, "mountstats")
    key = "srv-fifo/nfs_bytes"
    holder = {}
    try:
        write_atomic(path, simple_text("fifo"))
        d.start()
        ck.check("good file: values", d.wait_row_after(key, 0, 10))

        def make_bad():
            tmp = path + ".fifo"
            os.mkfifo(tmp)
            os.replace(tmp, path)  # a FIFO node renamed over the file

        def writer():  # O_RDWR: does not block, keeps a writer on the FIFO
            fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
            holder["fd"] = fd
            try:
                os.write(fd, simple_text("fifo").encode()[:4096])
            except BlockingIOError:
                pass

        bad_period(ck, d, path, key, "FIFO without, then with a writer",
                   make_bad, lambda: write_atomic(path, simple_text("fifo")),
                   want_text=[NOT_REGULAR], during=writer)
        check_common_end(ck, d)
        check_exit(ck, d)
    finally:
        if "fd" in holder:
            os.close(holder["fd"])
        d.cleanup()


def symlink_case(ck, name, tag, target_fn, what, want_errno=None,
                 want_text=None, rss_limit_kib=None):
    d = Daemon(ARGS, f"nb-{name}", ['File "@DIR@/mountstats"'], csv=False)
    path = os.path.join(d.dir, "mountstats")
    good = os.path.join(d.dir, "good")
    key = f"srv-{tag}/nfs_bytes"
    cleanup = []
    try:
        with open(good, "w") as f:
            f.write(simple_text(tag))
        symlink_atomic(good, path)
        d.start()
        ck.check("good file (through a symlink): values",
                 d.wait_row_after(key, 0, 10))
        target = target_fn(d, cleanup)
        bad_period(ck, d, path, key, what,
                   lambda: symlink_atomic(target, path),
                   lambda: symlink_atomic(good, path), want_errno=want_errno,
                   want_text=want_text, rss_limit_kib=rss_limit_kib)
        check_common_end(ck, d)
        check_exit(ck, d)
    finally:
        for c in cleanup:
            c()
        d.cleanup()


def case_dir(ck):
    def target(d, cleanup):
        t = os.path.join(d.dir, "adir")
        os.mkdir(t)
        with open(os.path.join(t, "x"), "w") as f:
            f.write(simple_text("other"))
        return t
    symlink_case(ck, "dir", "dir", target, "symlink to a directory",
                 want_errno=errno.EISDIR)


def case_devzero(ck):
    symlink_case(ck, "devzero", "zero", lambda d, c: "/dev/zero",
                 "symlink to /dev/zero", want_text=[NOT_REGULAR],
                 rss_limit_kib=8192)


def case_socket(ck):
    def target(d, cleanup):
        t = os.path.join(d.dir, "sock.listen")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(t)
        s.listen(1)
        cleanup.append(s.close)
        return t
    # open() of a unix socket fails with ENXIO before fstat() can tell.
    symlink_case(ck, "socket", "sock", target, "symlink to a unix socket",
                 want_text=[NOT_REGULAR, f"errno {errno.ENXIO}"])


def case_eacces(ck):
    if os.geteuid() != 0:
        ck.skip("needs root to run the daemon as nobody")
        return
    d = Daemon(ARGS, "nb-eacces", ['File "@DIR@/ro/mountstats"'], csv=False,
               as_nobody=True)
    rodir = os.path.join(d.dir, "ro")
    path = os.path.join(rodir, "mountstats")
    key = "srv-acc/nfs_bytes"
    try:
        os.mkdir(rodir, 0o755)  # root-owned, traversable
        with open(path, "w") as f:
            f.write(simple_text("acc"))
        os.chmod(path, 0o600)  # root-owned, unreadable for nobody
        d.start()

        def uids():  # setpriv changes them, then execs collectd
            try:
                with open(f"/proc/{d.proc.pid}/status") as f:
                    for line in f:
                        if line.startswith("Uid:"):
                            return line.split()[1:3]
            except OSError:
                pass
            return None

        wait_until(lambda: uids() == ["65534", "65534"], 3)
        uid = uids()
        ck.check(f"the daemon runs as nobody (real/effective uid {uid})",
                 uid == ["65534", "65534"])
        # The bad period starts with the daemon.
        t_bad = time.time()
        time.sleep(HOLD)
        ck.check("mode 0600 root file: daemon alive after ~4 intervals",
                 d.alive(), d.output_text()[-1500:])
        errs = errors_naming(d, path)
        ck.check(f"mode 0600 root file: exactly one ERROR naming {path}",
                 len(errs) == 1, errs or d.log_entries()[-6:])
        if errs:
            ck.note(f"ERROR text: {errs[0]}")
            ck.check("the ERROR says Permission denied (EACCES)",
                     os.strerror(errno.EACCES) in errs[0]
                     or f"errno {errno.EACCES}" in errs[0], errs[0])
        ck.check("nothing dispatched while unreadable", not d.rows(key))
        t_good = time.time()
        os.chmod(path, 0o644)
        row = d.wait_row_after(key, t_bad - 5, timeout=8)
        ck.check("chmod 0644: values resume within 2 intervals"
                 + (f" ({row[0] - t_good:+.2f} s)" if row else ""),
                 row is not None and row[0] - t_good <= RESUME_LIMIT)
        ck.check("chmod 0644: INFO 'readable again'",
                 d.wait_log("info", "readable again", 1, 3))
        ck.check("still exactly one ERROR", len(errors_naming(d, path)) == 1,
                 errors_naming(d, path))
        check_common_end(ck, d)
        check_exit(ck, d)
    finally:
        d.cleanup()


def case_mountinfo_fifo(ck):
    """MountInfoFile is opened every interval too: a FIFO without a writer
    there must not block either; superblocks then come from identical
    counters and the values keep coming."""
    d = Daemon(ARGS, "nb-mififo", ['File "@DIR@/mountstats"',
                                   'MountInfoFile "@DIR@/mountinfo"'],
               csv=False)
    path = os.path.join(d.dir, "mountstats")
    mi = os.path.join(d.dir, "mountinfo")
    key = "srv-mififo/nfs_bytes"
    try:
        write_atomic(path, simple_text("mififo"))
        os.mkfifo(mi)
        t0 = time.time()
        d.start()
        time.sleep(HOLD)
        rows = [r for r in d.rows(key) if r[0] >= t0 - 1]
        ck.check(f"values every interval with a FIFO as MountInfoFile "
                 f"({len(rows)} reads in {HOLD:.1f} s)", len(rows) >= 4,
                 d.output_text()[-1500:])
        warns = [m for m in d.log_at("warning") if mi in m]
        ck.check(f"one WARNING naming {mi}", len(warns) == 1,
                 warns or d.log_entries()[-5:])
        if warns:
            ck.note(f"WARNING text: {warns[0]}")
            ck.check("the WARNING says 'not a regular file'",
                     "not a regular file" in warns[0], warns[0])
        errs = d.log_at("error")
        ck.check("no ERROR", not errs, errs[:3])
        check_common_end(ck, d)
        check_exit(ck, d)
    finally:
        d.cleanup()


# ---- grow / shrink in place ----------------------------------------------

GS_MOUNTS = 100


def gs_val(m, f):
    """Every number of the master text has 7 digits: a number cut short is
    smaller than 10^6 and cannot be mistaken for a real one."""
    return 1000000 + m * 1000 + f


def gs_master():
    parts = [NON_NFS_HEAD]
    for m in range(GS_MOUNTS):
        v = lambda f, m=m: gs_val(m, f)  # noqa: E731
        ops = [(name, [v(100 + 10 * j + k) for k in range(9)])
               for j, name in enumerate(V3_OPS)]
        parts.append(nfs_record(
            f"/srv/gs-{m:03d}", f"gs{m:03d}:/export", v(0),
            [v(1 + i) for i in range(EVENTS)],
            [v(40 + i) for i in range(BYTES)],
            [v(50 + i) for i in range(13)], ops))
    return "".join(parts)


def gs_expected():
    """{"srv-gs-NNN/<type>[-<ti>]": [values]} of the master text."""
    exp = {}
    for m in range(GS_MOUNTS):
        v = lambda f, m=m: gs_val(m, f)  # noqa: E731
        pi = f"srv-gs-{m:03d}"
        x = [v(50 + i) for i in range(13)]
        exp[f"{pi}/uptime-age"] = [v(0)]
        events = [v(1 + i) for i in range(EVENTS)]
        for t, first, count in EVENT_GROUPS:
            exp[f"{pi}/{t}"] = events[first:first + count]
        exp[f"{pi}/nfs_bytes"] = [v(40 + i) for i in range(BYTES)]
        exp[f"{pi}/nfs_xprt-tcp"] = [x[1]] + x[5:10]
        exp[f"{pi}/nfs_xprt_conn-tcp"] = x[2:5]
        exp[f"{pi}/nfs_xprt_slots-tcp"] = x[10:13]
        exp[f"{pi}/count-transports"] = [1]
        for j, name in enumerate(V3_OPS):
            vals = [v(100 + 10 * j + k) for k in range(9)]
            exp[f"{pi}/nfs_op-{name}"] = vals[:8]
            exp[f"{pi}/nfs_op_errors-{name}"] = vals[8:]
    return exp


def case_growshrink(ck):
    d = Daemon(ARGS, "nb-growshrink", ['File "@DIR@/mountstats"'], csv=False)
    path = os.path.join(d.dir, "mountstats")
    master = gs_master().encode()
    expected = gs_expected()
    stop = threading.Event()
    stats = {"rewrites": 0, "grows": 0, "held_cut": 0}
    rng = random.Random(20251125)

    # Cuts in the middle of the last number of a body line: the only cut
    # that leaves a line with enough fields, so a parser that took the last
    # line without its newline would dispatch the cut number.
    mid_number = []
    for i, c in enumerate(master):
        if c == ord("\n") and i > 8:
            e = i - 1 if master[i - 1] == ord(" ") else i
            if chr(master[e - 1]).isdigit() and master[
                    master.rfind(b"\n", 0, e) + 1] == ord("\t"):
                mid_number.append(e - 3)

    def writer():
        fd = os.open(path, os.O_WRONLY)
        try:
            while not stop.is_set():
                # A prefix of the master: anywhere (often mid-line, mid-number)
                # or the whole text; rewritten in place, in chunks.
                hold = rng.random() < 0.1
                if hold or rng.random() < 0.3:
                    n = rng.choice(mid_number)
                else:
                    n = rng.choice([len(master), rng.randrange(len(master))])
                os.ftruncate(fd, 0)
                off = 0
                while off < n:
                    step = min(n - off, rng.choice([512, 4096, 16384, 65536]))
                    os.pwrite(fd, master[off:off + step], off)
                    off += step
                stats["rewrites"] += 1
                if not hold and n < len(master) and rng.random() < 0.3:
                    # grow in place: append more of the master, no truncate
                    m2 = rng.randrange(n, len(master) + 1)
                    os.pwrite(fd, master[n:m2], n)
                    n = m2
                    stats["grows"] += 1
                if hold:  # keep a cut version for a while: reads see it
                    stats["held_cut"] += 1
                    time.sleep(rng.uniform(0.3, 0.6))
                else:
                    time.sleep(rng.uniform(0, 0.002))
        finally:
            os.close(fd)

    try:
        with open(path, "wb") as f:
            f.write(master)
        ck.note(f"master text: {len(master)} bytes, {GS_MOUNTS} mounts")
        d.start()
        ck.check("full file: values",
                 d.wait_row_after("srv-gs-099/nfs_bytes", 0, 10))
        t0 = time.time()
        th = threading.Thread(target=writer)
        th.start()
        time.sleep(8.2)
        stop.set()
        th.join()
        t1 = time.time()
        ck.note(f"writer: {stats['rewrites']} in-place rewrites, "
                f"{stats['grows']} grown in place, held {stats['held_cut']} "
                f"versions cut in the middle of a line's last number")
        ck.check("daemon alive after ~8 intervals of in-place rewrites",
                 d.alive(), d.output_text()[-1500:])
        write_atomic(path, master.decode())
        t_fix = time.time()
        row = d.wait_row_after("srv-gs-099/nfs_bytes", t_fix, 8)
        ck.check("whole file again: the last mount's values within 2 "
                 "intervals", row is not None and row[0] - t_fix <= 2.0)
        time.sleep(0.5)
        data = d.read_csv()
        bad, rows_total, epochs = [], 0, set()
        unknown = sorted(k for k in data if k not in expected)
        for key, (_, rows) in data.items():
            want = expected.get(key)
            for epoch, fields in rows:
                rows_total += 1
                if t0 < epoch < t1:
                    epochs.add(epoch)
                try:
                    got = [num(x) for x in fields]
                except ValueError:
                    got = fields
                if want is None or got != want:
                    bad.append(f"{key} @{epoch:.3f}: {fields} "
                               f"(expected {want})")
        ck.check(f"every dispatched value is one the text holds ({rows_total} "
                 "csv rows; numbers are 7 digits, a cut one would differ)",
                 not bad, "\n".join(bad[:8]))
        ck.check("no value list under an unexpected name", not unknown,
                 unknown[:8])
        ck.check(f"reads went on during the rewrites ({len(epochs)} read "
                 "intervals dispatched something)", len(epochs) >= 4)
        cut = [m for m in d.log_at("warning") if "newline" in m]
        ck.note(f"{len(cut)} WARNING lines about a last line without its "
                "newline (reads that saw a cut file)")
        errs = d.log_at("error")
        ck.check("no ERROR line (every version is a readable regular file)",
                 not errs, errs[:3])
        check_common_end(ck, d)
        check_exit(ck, d)
    finally:
        stop.set()
        d.cleanup()


# ---- the size cap ----------------------------------------------------------

def padded(tag, size):
    """A valid file of exactly size bytes: one NFS mount /srv/<tag>, then
    non-NFS lines (and one of the right length) as padding."""
    text = simple_text(tag)
    filler = "device tmpfs mounted on /run/pad with fstype tmpfs\n"
    while len(text) + len(filler) + 60 < size:
        text += filler
    rest = size - len(text)
    last = "device tmpfs mounted on /run/"
    last += "p" * (rest - len(last) - len(" with fstype tmpfs\n"))
    last += " with fstype tmpfs\n"
    text += last
    assert len(text.encode()) == size, (len(text), size)
    return text


def case_cap(ck):
    d = Daemon(ARGS, "nb-cap", ['File "@DIR@/mountstats"', "MaxFileSize 4096"],
               csv=False)
    path = os.path.join(d.dir, "mountstats")
    key = "srv-cap/nfs_bytes"
    small = simple_text("cap")
    big = small + "".join(simple_text(f"big-{i}").replace(NON_NFS_HEAD, "")
                          for i in range(12))
    try:
        assert len(small) < 4096 < len(big)
        ck.note(f"small file {len(small)} bytes, big file {len(big)} bytes")
        write_atomic(path, small)
        d.start()
        ck.check("small file: values", d.wait_row_after(key, 0, 10))
        bad_period(ck, d, path, key, f"{len(big)}-byte file over MaxFileSize "
                   "4096", lambda: write_atomic(path, big),
                   lambda: write_atomic(path, small))
        errs = errors_naming(d, path)
        ck.check("the ERROR names MaxFileSize and 4096",
                 errs and "MaxFileSize" in errs[0] and "4096" in errs[0], errs)
        big_rows = [k for k in d.read_csv() if k.startswith("srv-big")]
        ck.check("nothing of the big file was dispatched", not big_rows,
                 big_rows[:3])
        check_common_end(ck, d)
        check_exit(ck, d)
    finally:
        d.cleanup()


def case_cap_unsized(ck):
    """A /proc file: size 0 for stat(), megabytes when read. The cap has to
    stop the read itself."""
    big = "/proc/kallsyms"
    if not os.path.exists(big):
        big = "/proc/self/smaps"
    d = Daemon(ARGS, "nb-capu", ['File "@DIR@/mountstats"', "MaxFileSize 4096"],
               csv=False)
    path = os.path.join(d.dir, "mountstats")
    key = "srv-capu/nfs_bytes"
    try:
        write_atomic(path, simple_text("capu"))
        d.start()
        ck.check("small file: values", d.wait_row_after(key, 0, 10))
        ck.note(f"{big}: stat size {os.stat(big).st_size}, read size "
                f"{len(open(big, 'rb').read())} bytes")
        bad_period(ck, d, path, key, f"symlink to {big} (stat size 0, larger "
                   "when read) over MaxFileSize 4096",
                   lambda: symlink_atomic(big, path),
                   lambda: write_atomic(path, simple_text("capu")),
                   rss_limit_kib=8192)
        errs = errors_naming(d, path)
        ck.check("the ERROR names MaxFileSize", errs and "MaxFileSize" in
                 errs[0], errs)
        check_common_end(ck, d)
        check_exit(ck, d)
    finally:
        d.cleanup()


def case_cap_default(ck):
    """No MaxFileSize: a 300 MiB (sparse) file is over the default cap."""
    d = Daemon(ARGS, "nb-capd", ['File "@DIR@/mountstats"'], csv=False)
    path = os.path.join(d.dir, "mountstats")
    key = "srv-capd/nfs_bytes"

    def make_bad():
        with open(path + ".big", "w") as f:
            f.write(simple_text("capd"))
            f.truncate(300 << 20)
        os.replace(path + ".big", path)

    try:
        write_atomic(path, simple_text("capd"))
        d.start()
        ck.check("small file: values", d.wait_row_after(key, 0, 10))
        bad_period(ck, d, path, key, "300 MiB sparse file, default MaxFileSize",
                   make_bad, lambda: write_atomic(path, simple_text("capd")),
                   rss_limit_kib=8192)
        errs = errors_naming(d, path)
        ck.check("the ERROR names MaxFileSize", errs and "MaxFileSize" in
                 errs[0], errs)
        check_common_end(ck, d)
        check_exit(ck, d)
    finally:
        d.cleanup()


def case_cap_boundary(ck):
    d = Daemon(ARGS, "nb-capb", ['File "@DIR@/mountstats"', "MaxFileSize 4096"],
               csv=False)
    path = os.path.join(d.dir, "mountstats")
    key = "srv-exact/nfs_bytes"
    exact, over = padded("exact", 4096), padded("exact", 4097)
    try:
        write_atomic(path, exact)
        t0 = time.time()
        d.start()
        row = d.wait_row_after(key, 0, 6)
        errs = errors_naming(d, path)
        ck.check("a file of exactly MaxFileSize (4096) bytes is read (collectd-mountstats(5): "
                 "'Largest file accepted'; 'A larger file is not read')",
                 row is not None and not errs,
                 f"values: {'yes' if row else 'none'}; errors: {errs}")
        t_over = time.time()
        write_atomic(path, over)
        time.sleep(3.3)
        errs2 = errors_naming(d, path)[len(errs):]
        ck.check("4097 bytes: at most one ERROR, naming MaxFileSize",
                 len(errs2) <= 1 and all("MaxFileSize" in m for m in errs2),
                 errs2)
        ck.check("4097 bytes: the cap is reported (an ERROR naming "
                 "MaxFileSize in the log)",
                 any("MaxFileSize" in m for m in errors_naming(d, path)))
        late = [r for r in d.rows(key) if r[0] > t_over]
        ck.check("4097 bytes: nothing dispatched", not late, late[:3])
        t_fix = time.time()
        write_atomic(path, padded("exact", 4000))
        row = d.wait_row_after(key, t_over, 8)
        ck.check("4000 bytes: values resume within 2 intervals",
                 row is not None and row[0] - t_fix <= RESUME_LIMIT)
        ck.note(f"(started {t0:.0f})")
        check_common_end(ck, d)
        check_exit(ck, d)
    finally:
        d.cleanup()


# ---- flapping ----------------------------------------------------------------

def flap_case(ck, name, states, what, want_kinds):
    """states: [(label, fn(path, d))] applied in turn every 1.2 s, 8 times.
    want_kinds: the failure kinds (kind_of()) the flapping must log, each
    exactly once (the minute is not over)."""
    d = Daemon(ARGS, f"nb-{name}", ['File "@DIR@/mountstats"'], csv=False)
    path = os.path.join(d.dir, "mountstats")
    good = os.path.join(d.dir, "good")
    key = f"srv-{name.replace('_', '')}/nfs_bytes"
    try:
        with open(good, "w") as f:
            f.write(simple_text(name.replace("_", "")))
        os.mkdir(os.path.join(d.dir, "adir"))
        os.mkfifo(os.path.join(d.dir, "fifo"))
        symlink_atomic(good, path)
        d.start()
        ck.check("good file: values", d.wait_row_after(key, 0, 10))
        t0 = time.time()
        good_windows = []  # (start, end) of the good periods
        for i in range(8):
            label, fn = states[i % len(states)]
            fn(path, d)
            start = time.time()
            time.sleep(1.2)
            if label == "good":
                good_windows.append((start, time.time()))
        symlink_atomic(good, path)
        t1 = time.time()
        row = d.wait_row_after(key, t1 - 0.2, 8)
        ck.check("values after the flapping ends", row is not None)
        ck.check("daemon alive", d.alive())
        errs = errors_naming(d, path)
        kinds = {}
        for m in errs:
            kinds.setdefault(kind_of(m), []).append(m)
        ck.note(f"{what}: {len(errs)} ERROR lines in {t1 - t0:.0f} s: "
                + ", ".join(f"{k}: {len(v)}" for k, v in kinds.items()))
        ck.check(f"{what} for {t1 - t0:.0f} s: at most one ERROR line per "
                 f"failure kind per minute",
                 errs and all(len(v) == 1 for v in kinds.values()),
                 "\n".join(errs[:6]))
        ck.check(f"the kinds logged are exactly {sorted(want_kinds)}",
                 set(kinds) == set(want_kinds), sorted(kinds))
        if good_windows:
            rows = d.rows(key)
            served = [w for w in good_windows
                      if any(w[0] < r[0] < w[1] for r in rows)]
            ck.check(f"values in the good periods between bad ones "
                     f"({len(served)} of {len(good_windows)}; a good read "
                     "does not wait for the minute to pass)",
                     len(served) >= len(good_windows) - 1,
                     [(round(a - t0, 2), round(b - t0, 2))
                      for a, b in good_windows])
        # "readable again" follows a read that logged an ERROR: once here,
        # after the first bad period (flap_good) or at the end (flap_kinds);
        # bad periods that logged nothing (rate limit) give no INFO.
        wait_until(lambda: len(readable_again(d)) >= 1, 3)
        time.sleep(0.3)
        infos = readable_again(d)
        ck.check("exactly one INFO 'readable again' (not one per good "
                 "period)", len(infos) == 1, infos)
        check_common_end(ck, d)
        check_exit(ck, d)
    finally:
        d.cleanup()


def to_good(path, d):
    symlink_atomic(os.path.join(d.dir, "good"), path)


def to_fifo(path, d):
    symlink_atomic(os.path.join(d.dir, "fifo"), path)


def to_dir(path, d):
    symlink_atomic(os.path.join(d.dir, "adir"), path)


def case_flap_good(ck):
    flap_case(ck, "flap_good", [("fifo", to_fifo), ("good", to_good)],
              "FIFO / good file alternating", {"not a regular file"})


def case_flap_kinds(ck):
    flap_case(ck, "flap_kinds", [("fifo", to_fifo), ("dir", to_dir)],
              "FIFO / directory alternating",
              {"not a regular file", f"errno {errno.EISDIR}"})


CASES = {
    "fifo": case_fifo,
    "dir": case_dir,
    "devzero": case_devzero,
    "socket": case_socket,
    "eacces": case_eacces,
    "mountinfo_fifo": case_mountinfo_fifo,
    "growshrink": case_growshrink,
    "cap": case_cap,
    "cap_unsized": case_cap_unsized,
    "cap_default": case_cap_default,
    "cap_boundary": case_cap_boundary,
    "flap_good": case_flap_good,
    "flap_kinds": case_flap_kinds,
}


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_common_args(ap)
    ap.add_argument("--cases", default=",".join(CASES),
                    help="comma separated subset of: " + ", ".join(CASES))
    ap.add_argument("--exclude", default="",
                    help="comma separated cases not to run")
    ARGS = ap.parse_args()
    t0 = time.monotonic()
    excluded = set(c for c in ARGS.exclude.split(",") if c)
    names = [c for c in ARGS.cases.split(",") if c and c not in excluded]
    unknown = [c for c in names + list(excluded) if c not in CASES]
    if unknown:
        ap.error("unknown case(s): " + ", ".join(unknown))
    checks = {n: Checks(n) for n in names}

    def run(n):
        try:
            CASES[n](checks[n])
        except Exception:
            checks[n].check("case ran without a test error", False,
                            traceback.format_exc())
        checks[n].end()

    threads = [threading.Thread(target=run, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    passed = sum(c.passed for c in checks.values())
    failed = sum(c.failed for c in checks.values())
    for n in names:
        print(checks[n].report())
    print(f"total {time.monotonic() - t0:.1f} s")
    skipped = [n for n in names if checks[n].skipped]
    print(f"{passed} passed, {failed} failed, {len(skipped)} skipped")
    if failed == 0 and skipped:
        return 77  # CTest: skipped; a pass would claim what did not run
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
