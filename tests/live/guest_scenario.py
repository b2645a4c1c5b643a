#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The live-kernel suite's guest side (run by tests/live/guest_init.sh as the
guest's PID 1 child): starts the guest kernel's nfsd on 127.0.0.0/8, mounts
the matrix, runs the real collectd with the built plugin on the live
/proc/self/mountstats and checks what it stores (csv) against the kernel's
own file, the workload's known counts and nfs-utils' readers. Writes
PASS:/FAIL:/NOTE: lines to <results>/report.txt, ending in "GUEST DONE".

Expected values come from the kernel's file parsed here (written from
../shared/MOUNTSTATS-FORMAT.md and README's metrics table, not from src/),
from mountinfo, and from the workload's own counts.
"""

import ctypes
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
import types

CFG = json.load(open(sys.argv[1]))
RES = CFG["results"]
sys.path.insert(0, os.path.join(CFG["repo"], "tests"))
sys.path.insert(0, os.path.join(CFG["repo"], "tests", "live"))
from e2e_common import instance_name  # README's naming rule, in Python  # noqa: E402
import mstest  # noqa: E402

REPORT = open(os.path.join(RES, "report.txt"), "a")
T0 = time.time()
COUNTS = {"pass": 0, "fail": 0}
PROCS = []  # (label, Popen): every process started here is stopped at the end
WORK = "/run/live"
os.makedirs(WORK, exist_ok=True)
PHASES = CFG.get("phases", "all")


def out(line):
    REPORT.write(line + "\n")
    REPORT.flush()
    os.fsync(REPORT.fileno())
    print(line, flush=True)


def note(text):
    out("NOTE: [%6.1fs] %s" % (time.time() - T0, text))


def check(name, ok, detail=""):
    ok = bool(ok)
    COUNTS["pass" if ok else "fail"] += 1
    msg = ("PASS: " if ok else "FAIL: ") + CFG["kernel"] + ": " + name
    if not ok and detail:
        d = detail if isinstance(detail, str) else repr(detail)
        msg += ": " + (d if len(d) < 3000 else d[:3000] + "...")
    out(msg)
    return ok


def want(phase):
    return PHASES == "all" or phase in PHASES.split(",")


def sh(cmd, timeout=120, check_rc=True, **kw):
    r = subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, text=True,
                       timeout=timeout, **kw)
    if check_rc and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s%s" % (cmd, r.returncode, r.stdout, r.stderr))
    return r


def spawn(label, argv, **kw):
    logf = open(os.path.join(WORK, label + ".out"), "wb")
    p = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True,
                         **kw)
    logf.close()
    PROCS.append((label, p))
    return p


def stop(p, timeout=20, sig=signal.SIGTERM):
    if p.poll() is None:
        try:
            os.kill(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=10)
    return p.returncode


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


# --------------------------------------------------------------------------
# mount(2) and umount2(2) directly: 500 mounts through mount.nfs would take
# minutes under TCG. The kernel's text mount options (addr=, mountaddr=) do
# what mount.nfs does.
LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
LIBC.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
MNT_FORCE, MNT_DETACH = 1, 2


def sys_mount(src, target, fstype, opts, flags=0):
    os.makedirs(target, exist_ok=True)
    if LIBC.mount(src.encode(), target.encode(), fstype.encode() if fstype else None, flags,
                  opts.encode() if opts is not None else None) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "mount %s on %s (%s): %s" % (src, target, opts, os.strerror(e)))


def sys_umount(target, flags=0):
    if LIBC.umount2(target.encode(), flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "umount %s: %s" % (target, os.strerror(e)))


def nfs_mount(addr, export, target, vers, extra=""):
    """A v3 (nolock, the kernel's own MOUNT call) or v4.x text mount."""
    if vers == "3":
        opts = "vers=3,%snolock,addr=%s,mountaddr=%s,mountvers=3,mountproto=tcp" % (
            "" if "proto=" in extra else "proto=tcp,", addr, addr)
        fstype = "nfs"
    else:
        opts = "vers=%s,addr=%s,clientaddr=127.0.0.1" % (vers, addr)
        fstype = "nfs4"
    if extra:
        opts += "," + extra
    sys_mount("%s:%s" % (addr, export), target, fstype, opts)


# --------------------------------------------------------------------------
# The kernel's file, parsed here from MOUNTSTATS-FORMAT.md

def unescape(s):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), s)


def decode_path(s):
    # mountstats/mountinfo escape " \t\n\\" as \ooo; the rest is raw bytes.
    b = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), s.encode("latin-1"))
    return b.decode("utf-8", "surrogateescape")


def parse_mountstats(data):
    """bytes -> list of records (dict) in file order, NFS ones only."""
    recs, cur = [], None
    for raw in data.decode("latin-1").split("\n"):
        if raw.startswith("device "):
            m = re.match(r"device (\S+) mounted on (\S+) with fstype (\S+)(?: statvers=(\S+))?$",
                         raw)
            cur = None
            if m and m.group(3) in ("nfs", "nfs4") and m.group(4):
                cur = {"device": decode_path(m.group(1)), "mp": decode_path(m.group(2)),
                       "fstype": m.group(3), "statvers": m.group(4), "ops": {},
                       "op_order": [], "xprt": [], "opts": {}, "caps": {}}
                recs.append(cur)
            continue
        if cur is None:
            continue
        line = raw.strip()
        if not line:
            continue
        lab, _, rest = line.partition(":")
        f = rest.split()
        if lab == "opts" and not cur["opts"]:
            for o in rest.strip().split(","):
                k, _, v = o.partition("=")
                cur["opts"][k] = v
        elif lab == "age":
            cur["age"] = int(f[0])
        elif lab == "events":
            cur["events"] = [int(x) for x in f]
        elif lab == "bytes":
            cur["bytes"] = [int(x) for x in f]
        elif lab == "xprt":
            cur["xprt"].append((f[0], [int(x) for x in f[1:]]))
        elif lab == "per-op statistics":
            cur["in_ops"] = True
        elif cur.get("in_ops") and re.match(r"^[A-Za-z0-9_]+$", lab) and len(f) >= 8:
            cur["ops"][lab] = [int(x) for x in f]
            cur["op_order"].append(lab)
    return recs


def parse_mountinfo(text):
    """list of (mount point, fstype, 'major:minor') in file order."""
    res = []
    for line in text.splitlines():
        a, _, b = line.partition(" - ")
        fa, fb = a.split(), b.split()
        if len(fa) >= 5 and fb:
            res.append((decode_path(fa[4]), fb[0], fa[2]))
    return res


def superblocks(recs, mountinfo):
    """The record's major:minor, matched in order by mount point and fstype
    (README: Superblocks)."""
    used = set()
    for r in recs:
        r["dev"] = None
        for i, (mp, fs, dev) in enumerate(mountinfo):
            if i not in used and mp == r["mp"] and fs == r["fstype"]:
                used.add(i)
                r["dev"] = dev
                break


EVENT_GROUPS = [("nfs_events_cache", 0, 4), ("nfs_events_vfs", 4, 12),
                ("nfs_events_file", 12, 18), ("nfs_events_io", 18, 25),
                ("nfs_events_pnfs", 25, 27)]


def xprt_sum(lines):
    """README: nconnect lines summed, max_slots the largest, idle_time the
    smallest. tcp fields (13): srcport bind_count connect_count connect_time
    idle_time sends recvs bad_xids req_u bklog_u max_slots sending_u pending_u."""
    proto = lines[0][0]
    if proto != "tcp":
        return proto, None
    fs = [l[1] for l in lines]
    s = lambda i: sum(x[i] for x in fs)  # noqa: E731
    return proto, {
        "nfs_xprt-tcp": [s(1), s(5), s(6), s(7), s(8), s(9)],
        "nfs_xprt_conn-tcp": [s(2), s(3), min(x[4] for x in fs)],
        "nfs_xprt_slots-tcp": [max(x[10] for x in fs), s(11), s(12)],
        "count-transports": [len(fs)],
    }


def expected(data, mountinfo_text, all_mount_points=False, select=None):
    """identifier (instance/type-ti) -> list of values, from the kernel's
    file: one instance per superblock (first mount point in file order),
    transports once per connection (server addr, vers, proto, source ports),
    ops with a count > 0, README's metrics table. Gauges that tick with the
    clock (age, idle_time) are marked in the returned 'moving' set."""
    recs = parse_mountstats(data)
    superblocks(recs, parse_mountinfo(mountinfo_text))
    exp, seen_sb, seen_conn, names = {}, set(), set(), {}
    for r in recs:
        if select and not select(r):
            continue
        if not all_mount_points and r["dev"] is not None:
            if r["dev"] in seen_sb:
                continue
            seen_sb.add(r["dev"])
        inst = instance_name(r["mp"])
        if inst in names:
            raise RuntimeError("name collision in the test's own expectations: %s" % inst)
        names[inst] = r
        r["instance"] = inst
        exp[inst + "/uptime-age"] = [r["age"]]
        ev = r.get("events", [])
        for t, a, b in EVENT_GROUPS:
            if len(ev) >= b:
                exp["%s/%s" % (inst, t)] = ev[a:b]
        if "bytes" in r:
            exp[inst + "/nfs_bytes"] = r["bytes"][:8]
        for op in r["op_order"]:
            v = r["ops"][op]
            if v[0] > 0:
                exp["%s/nfs_op-%s" % (inst, op)] = v[:8]
                if len(v) >= 9:
                    exp["%s/nfs_op_errors-%s" % (inst, op)] = [v[8]]
        if r["xprt"]:
            # README: same server (device up to ":"), vers=, proto=, and line by
            # line the same transport word and source port.
            conn = (r["device"].rsplit(":", 1)[0], r["opts"].get("vers"), r["opts"].get("proto"),
                    tuple((p, f[0]) for p, f in r["xprt"]))
            if conn not in seen_conn:
                seen_conn.add(conn)
                proto, vals = xprt_sum(r["xprt"])
                if vals:
                    for k, v in vals.items():
                        exp["%s/%s" % (inst, k)] = v
    return exp, recs


# Values that tick with the clock or the transport: compared within
# [before, after] of two reads around the daemon's read, not for equality.
def is_clock(ident):
    return ident.endswith("/uptime-age") or "/nfs_xprt_conn-" in ident


# --------------------------------------------------------------------------
# collectd

class Collectd(mstest.Daemon):
    """One collectd in the guest: tests/mstest.py's Daemon (the daemon
    set-up of every Python test) in WORK/<label>, Hostname "live", the
    project's types, csv with StoreRates false, the threshold and unixsock
    plugins at hand, two read threads; started at once. preload: sanitizer
    runtimes for the unsanitized daemon (reports in WORK/<label>/asan*)."""

    def __init__(self, label, body, interval=1, plugin=None, preload=None):
        args = types.SimpleNamespace(collectd=CFG["collectd"], plugin=plugin or CFG["plugin"])
        super().__init__(args, label, body="LoadPlugin mountstats\n" + body, interval=interval,
                         csv=False, plugins=("threshold", "unixsock"),
                         types_dbs=[mstest.STOCK_TYPES_DB, CFG["types_db"]], hostname="live",
                         global_lines=["FQDNLookup false", "ReadThreads 2"], parent=WORK,
                         output=os.path.join(WORK, label + ".out"), new_session=True,
                         stop_timeout=60)
        self.label = label
        self.base, self.pdir = self.dir, self.plugins
        env = None
        if preload:
            env = {"LD_PRELOAD": " ".join(preload),
                   "ASAN_OPTIONS": "abort_on_error=1:detect_leaks=1:log_path=%s/asan" % self.base,
                   "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1:log_path=%s/ubsan"
                                    % self.base}
        self.start(env=env)
        self.p = self.proc
        PROCS.append((label, self.proc))

    def stop(self):
        """(exit status, seconds it took)."""
        # collectd installs its SIGTERM handler during start-up: wait for it
        mstest.wait_until(lambda: not self.alive() or "entering read-loop" in self.log_text(),
                          60, 0.2)
        rc = super().stop()
        return rc, self.stop_seconds

    # collectd's own, at shutdown when the csv queue is not drained yet:
    # not the plugin's.
    # And its remark that a read took longer than the interval: under TCG on
    # a shared machine that is the scheduler's doing (the schedule itself is
    # checked from the csv timestamps).
    # And the threshold plugin's notifications, checked where they are
    # expected (tests/live/outage.py).
    KNOWN = ("value lists were left after shutting down the write threads",
             "read-function of the `mountstats' plugin took", "Notification: ")

    def problems(self):
        return super().problems(self.KNOWN)

    def host_dir(self):
        return os.path.join(self.csv, "live")

    def read_all(self):
        """identifier -> {time: [values]} from every csv file."""
        data = {}
        hd = self.host_dir()
        if not os.path.isdir(hd):
            return data
        for pdir in os.listdir(hd):
            if not pdir.startswith("mountstats-"):
                continue
            inst = pdir[len("mountstats-"):]
            for fn in os.listdir(os.path.join(hd, pdir)):
                m = re.match(r"^(.*)-(\d{4}-\d\d-\d\d)$", fn)
                if not m:
                    continue
                ident = inst + "/" + m.group(1)
                rows = data.setdefault(ident, {})
                with open(os.path.join(hd, pdir, fn)) as f:
                    for line in f.read().splitlines()[1:]:
                        parts = line.split(",")
                        try:
                            rows[float(parts[0])] = [float(x) for x in parts[1:]]
                        except ValueError:
                            pass
        return data

    def times(self, ident_suffix="/uptime-age"):
        ts = set()
        for k, rows in self.read_all().items():
            if k.endswith(ident_suffix):
                ts |= set(rows)
        return sorted(ts)

    def wait_read_after(self, t, idents=None, timeout=60):
        """The first read time > t at which every identifier in idents (or,
        without, any identifier) has a row; None on timeout."""
        end = time.time() + timeout
        while time.time() < end:
            if self.p.poll() is not None:
                raise RuntimeError("collectd %s exited: %s" % (self.label, self.log_text()[-2000:]))
            data = self.read_all()
            cand = sorted({ts for rows in data.values() for ts in rows if ts > t})
            for ts in cand:
                if idents is None or all(ts in data.get(i, {}) for i in idents):
                    return ts, data
            time.sleep(0.3)
        return None, self.read_all()


def read_proc(path="/proc/self/mountstats"):
    with open(path, "rb") as f:
        return f.read()


def compare_live(cd, label, mountstats="/proc/self/mountstats", mountinfo="/proc/self/mountinfo",
                 select=None, allowed_movers=None, all_mount_points=False, keep=None):
    """Reads the kernel's file (A), waits for the daemon's next read, reads
    it again (B): every dispatched value equals the kernel's, a value that
    moved between A and B must lie in [A, B] and belong to allowed_movers
    (a regex on identifiers). Returns (exp_a, recs, nvalues)."""
    ta = time.time()
    a, mi = read_proc(mountstats), read_proc(mountinfo).decode("latin-1")
    exp_a, recs = expected(a, mi, all_mount_points, select)
    if keep:
        exp_a = {k: v for k, v in exp_a.items() if re.search(keep, k)}
    t, data = cd.wait_read_after(ta + 0.001, list(exp_a), timeout=90)
    b, mi_b = read_proc(mountstats), read_proc(mountinfo).decode("latin-1")
    tb = time.time()
    if not check("%s: the daemon read after the kernel's file was read and stored every "
                 "expected identifier (%d)" % (label, len(exp_a)), t is not None,
                 "missing: %s" % sorted(i for i in exp_a if not any(
                     ts > ta for ts in data.get(i, {})))[:20]):
        return {"exp": exp_a, "recs": recs, "n": 0, "a": a, "b": b, "t": None, "got": {},
                "mi": mi_b, "exp_b": {}}
    exp_b, _ = expected(b, mi_b, all_mount_points, select)
    if keep:
        exp_b = {k: v for k, v in exp_b.items() if re.search(keep, k)}
    # identifiers the daemon stored at t for the mounts in question
    insts = {i.split("/")[0] for i in exp_a}
    got = {i: rows[t] for i, rows in data.items() if t in rows and i.split("/")[0] in insts
           and (not keep or re.search(keep, i))}
    extra = sorted(set(got) - set(exp_a) - set(exp_b))
    missing = sorted(set(exp_a) - set(got))
    check("%s: the identifiers stored at %.3f are exactly the kernel's (%d instances, %d "
          "identifiers)" % (label, t, len(insts), len(exp_a)), not extra and not missing,
          "extra %s missing %s" % (extra[:15], missing[:15]))
    bad, moved, nvals = [], [], 0
    for ident, va in exp_a.items():
        if ident not in got:
            continue
        vb = exp_b.get(ident, va)
        g = got[ident]
        if len(g) != len(va):
            bad.append((ident, "width", g, va))
            continue
        for i, (x, lo, hi) in enumerate(zip(g, va, vb)):
            nvals += 1
            if ident.endswith("nfs_xprt_conn-tcp") and i == 2:
                # idle_time: seconds since the transport was last used;
                # activity between the reads sets it back to 0
                if not (0 <= x <= max(lo, hi) + int(tb - ta) + 1):
                    bad.append((ident, i, x, (lo, hi)))
                if lo != hi:
                    moved.append("%s[%d]" % (ident, i))
            elif lo == hi:
                if x != lo:
                    bad.append((ident, i, x, lo))
            else:
                moved.append("%s[%d]" % (ident, i))
                if not (lo <= x <= hi):
                    bad.append((ident, i, x, (lo, hi)))
    check("%s: all %d dispatched values equal the kernel's file read around the daemon's "
          "read" % (label, nvals), not bad, bad[:10])
    clock = [m for m in moved if not is_clock(m.split("[")[0])]
    unexpected = [m for m in clock if not (allowed_movers and re.search(allowed_movers, m))]
    check("%s: with the workload stopped, only clock values%s moved between the two reads "
          "(%d moved: %s)" % (label, " and background NFSv4 state ops" if allowed_movers else "",
                              len(clock), ", ".join(clock[:8])),
          not unexpected, unexpected[:10])
    return {"exp": exp_a, "recs": recs, "n": nvals, "a": a, "b": b, "t": t, "got": got,
            "mi": mi_b, "exp_b": exp_b}


# --------------------------------------------------------------------------
# the server

KDIR = CFG["kernel_dir"]


def modprobe(*mods):
    for m in mods:
        sh(["modprobe", "-d", KDIR, m])


def start_server():
    modprobe("nfsd", "nfs", "nfsv3", "nfsv4")
    sh("mount -t nfsd nfsd /proc/fs/nfsd")
    for f, v in (("nfsv4gracetime", 10), ("nfsv4leasetime", 10)):
        with open("/proc/fs/nfsd/" + f, "w") as fh:
            fh.write("%d\n" % v)
    os.makedirs("/run/rpcbind", exist_ok=True)
    os.makedirs("/var/lib/nfs/rpc_pipefs", exist_ok=True)
    os.makedirs("/var/lib/nfs/v4recovery", exist_ok=True)
    for f in ("etab", "rmtab", "xtab"):
        open("/var/lib/nfs/" + f, "a").close()
    sh("mount -t rpc_pipefs sunrpc /var/lib/nfs/rpc_pipefs", check_rc=False)
    spawn("rpcbind", ["rpcbind", "-f", "-w"])
    time.sleep(0.5)
    sh("mount -t tmpfs -o mode=755 srvroot /srv")
    sh(["exportfs", "-i", "-o", "rw,no_root_squash,no_subtree_check,insecure,fsid=0,crossmnt",
        "127.0.0.0/8:/srv"])
    spawn("mountd", ["rpc.mountd", "-F"])
    sh(["rpc.nfsd", "8"])
    note("nfsd: %s" % read_text("/proc/fs/nfsd/versions").strip())


EXPORTS = {}


def add_export(name, subdirs=()):
    """A tmpfs of its own under /srv (its own fsid), exported to 127/8."""
    path = "/srv/" + name
    os.makedirs(path, exist_ok=True)
    n = len(EXPORTS) + 1
    sh(["mount", "-t", "tmpfs", "-o", "mode=777", "exp" + name, path])
    for d in subdirs:
        os.makedirs(os.path.join(path, d), exist_ok=True)
        os.chmod(os.path.join(path, d), 0o777)
    sh(["exportfs", "-i", "-o", "rw,no_root_squash,no_subtree_check,insecure,fsid=%d" % n,
        "127.0.0.0/8:" + path])
    EXPORTS[name] = path
    return path


# --------------------------------------------------------------------------
# phases

MATRIX = []  # (mount point, description)


def mount_matrix():
    add_export("e1")
    add_export("e2")
    add_export("e3")
    add_export("e4")
    add_export("e5")
    add_export("e6")
    add_export("e7", ["a", "b"])
    add_export("e8", ["a", "b"])
    add_export("e9", ["sp", "tab", "bs", "utf", "long"])
    plan = [
        ("/mnt/v3tcp", "127.0.0.1", "/srv/e1", "3", "wsize=65536,rsize=65536", "NFSv3 tcp"),
        ("/mnt/v40", "127.0.0.2", "/e2", "4.0", "", "NFSv4.0"),
        ("/mnt/v41", "127.0.0.3", "/e3", "4.1", "", "NFSv4.1"),
        ("/mnt/v42", "127.0.0.4", "/e4", "4.2", "wsize=65536,rsize=65536", "NFSv4.2"),
        ("/mnt/nc4", "127.0.0.5", "/srv/e5", "3", "nconnect=4", "NFSv3 nconnect=4"),
        ("/mnt/nc16", "127.0.0.6", "/srv/e6", "3", "nconnect=16", "NFSv3 nconnect=16"),
        # NFSv4.1 to another address of the same nfsd: the client detects
        # session trunking and shares /mnt/v41's transport.
        ("/mnt/v41trunk", "127.0.0.10", "/e6", "4.1", "", "NFSv4.1 trunked with /mnt/v41"),
        ("/mnt/sc1", "127.0.0.7", "/srv/e7/a", "3", "", "sharecache export a"),
        ("/mnt/sc2", "127.0.0.7", "/srv/e7/b", "3", "", "sharecache export b"),
        ("/mnt/nsc1", "127.0.0.8", "/srv/e8/a", "3", "nosharecache", "nosharecache a"),
        ("/mnt/nsc2", "127.0.0.8", "/srv/e8/b", "3", "nosharecache", "nosharecache b"),
        ("/mnt/odd/with space", "127.0.0.9", "/srv/e9/sp", "3", "nosharecache", "space"),
        ("/mnt/odd/with\ttab", "127.0.0.9", "/srv/e9/tab", "3", "nosharecache", "tab"),
        ("/mnt/odd/back\\slash", "127.0.0.9", "/srv/e9/bs", "3", "nosharecache", "backslash"),
        ("/mnt/odd/ünïcødé-日本語", "127.0.0.9", "/srv/e9/utf", "3", "nosharecache", "UTF-8"),
        ("/mnt/odd/" + "long-" * 27 + "end", "127.0.0.9", "/srv/e9/long", "3", "nosharecache",
         "a mount point longer than 127 bytes"),
    ]
    for mp, addr, exp, vers, extra, desc in plan:
        try:
            nfs_mount(addr, exp, mp, vers, extra)
            MATRIX.append((mp, desc))
            check("mount %s (%s)" % (desc, mp.encode("unicode_escape").decode()), True)
        except OSError as e:
            check("mount %s (%s)" % (desc, mp), False, str(e))
    # NFSv3 over udp: Debian builds these kernels with
    # CONFIG_NFS_DISABLE_UDP_SUPPORT=y; the mount must be refused.
    cfgtext = read_text(os.path.join(KDIR, "config"))
    try:
        nfs_mount("127.0.0.1", "/srv/e1", "/mnt/v3udp", "3", "proto=udp")
        MATRIX.append(("/mnt/v3udp", "NFSv3 udp"))
        check("mount NFSv3 udp", True)
    except OSError as e:
        disabled = "CONFIG_NFS_DISABLE_UDP_SUPPORT=y" in cfgtext
        check("NFSv3 over udp refused by this kernel (CONFIG_NFS_DISABLE_UDP_SUPPORT=y): %s"
              % e.strerror, disabled, str(e))
    # a bind mount: the same superblock under a third mount point
    sys_mount("/mnt/v40", "/mnt/bind40", "", None, 4096)  # MS_BIND
    MATRIX.append(("/mnt/bind40", "bind mount of /mnt/v40"))
    # touch every mount once so each has ops
    for mp, _ in MATRIX:
        os.listdir(mp)


def main_collectd():
    return Collectd("main", '<Plugin mountstats>\n File "/proc/self/mountstats"\n'
                    ' ReportIostat false\n</Plugin>\n', interval=1)


V4_MOVERS = r"nfs_op-(SEQUENCE|RENEW|GETATTR|NULL)\b|nfs_xprt|nfs_op_errors-(SEQUENCE|RENEW)"


def phase_matrix(cd):
    c = compare_live(cd, "matrix", allowed_movers=V4_MOVERS)
    exp, recs, n = c["exp"], c["recs"], c["n"]
    insts = {i.split("/")[0] for i in exp}
    by_mp = {r["mp"]: r for r in recs}
    note("matrix: %d NFS records in the kernel's file, %d reported instances, %d values "
         "compared" % (len(recs), len(insts), n))
    # sharecache: one superblock, reported once
    sc1, sc2 = by_mp.get("/mnt/sc1"), by_mp.get("/mnt/sc2")
    check("sharecache: /mnt/sc1 and /mnt/sc2 are one superblock in mountinfo (%s)" %
          (sc1 and sc1["dev"]), sc1 and sc2 and sc1["dev"] == sc2["dev"])
    data = cd.read_all()
    got_insts = {i.split("/")[0] for i in data}
    check("sharecache: reported once, as mnt-sc1; mnt-sc2 never", "mnt-sc1" in got_insts
          and "mnt-sc2" not in got_insts, sorted(got_insts))
    n1, n2 = by_mp.get("/mnt/nsc1"), by_mp.get("/mnt/nsc2")
    check("nosharecache: two superblocks (%s, %s), both reported" %
          (n1 and n1["dev"], n2 and n2["dev"]),
          n1 and n2 and n1["dev"] != n2["dev"] and {"mnt-nsc1", "mnt-nsc2"} <= got_insts,
          sorted(got_insts))
    check("bind mount: /mnt/bind40 shares /mnt/v40's superblock and is not reported",
          by_mp.get("/mnt/bind40", {}).get("dev") == by_mp.get("/mnt/v40", {}).get("dev")
          and "mnt-bind40" not in got_insts, sorted(got_insts))
    for mp, desc in MATRIX:
        if mp == "/mnt/bind40" or mp == "/mnt/sc2":
            continue
        inst = instance_name(mp)
        check("%s: reported as %r" % (desc, inst), inst in got_insts, sorted(got_insts))
    for key, mp, k in (("nconnect=4", "/mnt/nc4", 4), ("nconnect=16", "/mnt/nc16", 16)):
        r = by_mp.get(mp)
        lines = len(r["xprt"]) if r else 0
        ident = instance_name(mp) + "/count-transports"
        vals = [v[0] for v in data.get(ident, {}).values()]
        note("%s: the kernel printed %d xprt lines; count-transports stored: %s" %
             (key, lines, sorted(set(vals))))
        check("%s: between 1 and %d xprt lines, count-transports equals them" % (key, k),
              r and 1 <= lines <= k and vals and vals[-1] == lines)
    t1, t2 = by_mp.get("/mnt/v41"), by_mp.get("/mnt/v41trunk")
    if t1 and t2:
        same = [x[1][0] for x in t1["xprt"]] == [x[1][0] for x in t2["xprt"]]
        note("NFSv4.1 trunking: /mnt/v41 (127.0.0.3) source ports %s, /mnt/v41trunk "
             "(127.0.0.10) %s: %s; the plugin reports the transport under both, since its "
             "rule keys connections by server name (README)" % (
                 [x[1][0] for x in t1["xprt"]], [x[1][0] for x in t2["xprt"]],
                 "one shared transport" if same else "two transports"))
    with open(os.path.join(RES, "matrix.mountstats"), "wb") as f:
        f.write(read_proc())
    ops = {}
    for r in recs:
        for o in r["ops"]:
            ops[r["fstype"] + r["opts"].get("vers", "")] = len(r["ops"])
    note("ops per record by version: %s" % ops)


# --------------------------------------------------------------------------
# The workload with known counts. Hand-worked expectations (also checked on
# the kept fixtures by tests/check_live_fixtures.c): on a fresh mount with
# wsize = rsize = 64 KiB, N O_DIRECT writes of wsize bytes are N WRITE RPCs
# and N*wsize direct_write bytes; M O_DIRECT reads of rsize bytes are M READ
# RPCs (READ_PLUS on NFSv4.2 where the kernel has it); K exclusive creates
# are K CREATE RPCs on NFSv3; L stats of names never seen are L LOOKUPs.
N_WRITES, M_READS, K_CREATES, L_LOOKUPS = 37, 23, 11, 13
WSIZE = 65536
WORK_MOUNTS = [("/mnt/work3", "127.0.0.11", "/srv/ew3", "3"),
               ("/mnt/work42", "127.0.0.12", "/ew42", "4.2")]
FIXTURE = {}


def direct_io(mp):
    import mmap
    buf = mmap.mmap(-1, WSIZE)
    buf.write(bytes(range(256)) * (WSIZE // 256))
    fd = os.open(mp + "/data", os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_DIRECT, 0o644)
    for i in range(N_WRITES):
        assert os.pwrite(fd, buf, i * WSIZE) == WSIZE
    os.close(fd)
    fd = os.open(mp + "/data", os.O_RDONLY | os.O_DIRECT)
    for i in range(M_READS):
        assert os.preadv(fd, [buf], i * WSIZE) == WSIZE
    os.close(fd)


def op_delta(c0, c1, inst, op, field=0):
    g0 = c0["got"].get("%s/nfs_op-%s" % (inst, op))
    g1 = c1["got"].get("%s/nfs_op-%s" % (inst, op))
    return (g1[field] if g1 else 0) - (g0[field] if g0 else 0)


def ident_delta(c0, c1, ident, field):
    g0, g1 = c0["got"].get(ident), c1["got"].get(ident)
    return (g1[field] if g1 else 0) - (g0[field] if g0 else 0)


def phase_workload(cd):
    add_export("ew3")
    add_export("ew42")
    for mp, addr, exp, vers in WORK_MOUNTS:
        nfs_mount(addr, exp, mp, vers, "wsize=%d,rsize=%d" % (WSIZE, WSIZE))
    sel = lambda r: r["mp"] in ("/mnt/work3", "/mnt/work42")  # noqa: E731
    c0 = compare_live(cd, "workload base", select=sel, allowed_movers=V4_MOVERS)
    for mp, _, _, vers in WORK_MOUNTS:
        r = [x for x in c0["recs"] if x["mp"] == mp][0]
        check("%s: the kernel negotiated wsize=%s rsize=%s (asked %d)" % (
            mp, r["opts"].get("wsize"), r["opts"].get("rsize"), WSIZE),
            r["opts"].get("wsize") == str(WSIZE) and r["opts"].get("rsize") == str(WSIZE))
    t = time.time()
    for mp, _, _, _ in WORK_MOUNTS:
        direct_io(mp)
    note("workload: %d O_DIRECT writes + %d reads of %d bytes on 2 mounts in %.1f s" % (
        N_WRITES, M_READS, WSIZE, time.time() - t))
    c1 = compare_live(cd, "after the I/O", select=sel, allowed_movers=V4_MOVERS)
    for mp, _, _, vers in WORK_MOUNTS:
        inst = instance_name(mp)
        d = op_delta(c0, c1, inst, "WRITE")
        check("%s (v%s): WRITE ops delta in collectd's csv is exactly N = %d (got %d)" % (
            mp, vers, N_WRITES, d), d == N_WRITES)
        rd, rp = op_delta(c0, c1, inst, "READ"), op_delta(c0, c1, inst, "READ_PLUS")
        check("%s (v%s): READ + READ_PLUS ops delta is exactly M = %d (READ %d, READ_PLUS %d)"
              % (mp, vers, M_READS, rd, rp), rd + rp == M_READS)
        note("%s: reads counted as %s" % (mp, "READ_PLUS" if rp else "READ"))
        b = [ident_delta(c0, c1, inst + "/nfs_bytes", i) for i in range(8)]
        check("%s: nfs_bytes deltas: direct_write = N*wsize = %d, direct_read = M*rsize = %d, "
              "server_write = %d, server_read = %d, normal read/write 0 (got %s)" % (
                  mp, N_WRITES * WSIZE, M_READS * WSIZE, N_WRITES * WSIZE, M_READS * WSIZE, b),
              b[3] == N_WRITES * WSIZE and b[2] == M_READS * WSIZE and
              b[5] == N_WRITES * WSIZE and b[4] == M_READS * WSIZE and b[0] == 0 and b[1] == 0)
        wb = op_delta(c0, c1, inst, "WRITE", 3)
        check("%s: WRITE bytes_sent delta >= N*wsize (%d >= %d)" % (mp, wb, N_WRITES * WSIZE),
              wb >= N_WRITES * WSIZE)
    # creates, lookups, readdir on NFSv3
    mp, inst = "/mnt/work3", instance_name("/mnt/work3")
    os.mkdir(mp + "/d")
    for i in range(K_CREATES):
        os.close(os.open("%s/d/f%02d" % (mp, i), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    c2 = compare_live(cd, "after the creates", select=sel, allowed_movers=V4_MOVERS)
    d = op_delta(c1, c2, inst, "CREATE")
    check("%s: CREATE ops delta is exactly K = %d (got %d)" % (mp, K_CREATES, d), d == K_CREATES)
    d = op_delta(c1, c2, inst, "MKDIR")
    check("%s: MKDIR ops delta is exactly 1 (got %d)" % (mp, d), d == 1)
    for i in range(L_LOOKUPS):
        try:
            os.stat("%s/d/missing-%02d" % (mp, i))
        except FileNotFoundError:
            pass
    c3 = compare_live(cd, "after the lookups", select=sel, allowed_movers=V4_MOVERS)
    d = op_delta(c2, c3, inst, "LOOKUP")
    check("%s: LOOKUP ops delta is exactly L = %d (got %d)" % (mp, L_LOOKUPS, d), d == L_LOOKUPS)
    names = os.listdir(mp + "/d")
    c4 = compare_live(cd, "after the readdir", select=sel, allowed_movers=V4_MOVERS)
    d = op_delta(c3, c4, inst, "READDIRPLUS") + op_delta(c3, c4, inst, "READDIR")
    check("%s: one listdir of %d entries: READDIR(PLUS) ops delta is exactly 1 (got %d)" % (
        mp, len(names), d), d == 1 and len(names) == K_CREATES)
    # the fixture: this moment's kernel files
    fx = os.path.join(RES, "fixture")
    os.makedirs(fx, exist_ok=True)
    with open(os.path.join(fx, "mountstats"), "wb") as f:
        f.write(c4["b"])
    with open(os.path.join(fx, "mountinfo"), "w", encoding="latin-1") as f:
        f.write(c4["mi"])
    FIXTURE.update(c4=c4)
    return c0, c1, c4


def parse_mountstats_rpc(text):
    """mountstats mountstats -r output -> {mount point: {op: ops}}."""
    res, cur, op = {}, None, None
    for line in text.splitlines():
        m = re.match(r"^Stats for (\S+) mounted on (.*):$", line)
        if m:
            cur = res.setdefault(m.group(2), {})
            continue
        m = re.match(r"^([A-Z_0-9]+):$", line)
        if m and cur is not None:
            op = m.group(1)
            continue
        m = re.match(r"^\s+(\d+) ops \(", line)
        if m and cur is not None and op:
            cur[op] = int(m.group(1))
            op = None
    return res


def phase_nfsutils(c):
    """nfs-utils' mountstats on the kernel file read right after the
    daemon's read: the same per-op counts for every plain mount."""
    path = os.path.join(WORK, "nfsutils.mountstats")
    with open(path, "wb") as f:
        f.write(c["b"])
    plain = [r for r in parse_mountstats(c["b"]) if re.match(r"^/mnt/[a-z0-9]+$", r["mp"])
             and r["instance"] if "instance" in r] if False else None
    recs = parse_mountstats(c["b"])
    mps = [r["mp"] for r in recs if re.match(r"^/mnt/[a-z0-9]+$", r["mp"])]
    r = sh(["mountstats", "mountstats", "-r", "-f", path] + mps, check_rc=False, timeout=300)
    ref = parse_mountstats_rpc(r.stdout)
    check("nfs-utils mountstats -r printed %d of %d plain mounts" % (len(ref), len(mps)),
          r.returncode == 0 and set(ref) == set(mps), r.stdout[-1500:] + r.stderr[-1500:])
    compared, bad = 0, []
    reported = {k.split("/")[0] for k in c["got"]}
    for mp in mps:
        inst = instance_name(mp)
        if inst not in reported:
            continue  # not reported (another mount point stands for its superblock)
        for op, n in ref.get(mp, {}).items():
            ident = "%s/nfs_op-%s" % (inst, op)
            ea, eb = c["exp"].get(ident), c["exp_b"].get(ident)
            if ea != eb:
                continue  # moved between the two reads (NFSv4 state ops)
            g = c["got"].get(ident)
            compared += 1
            if (g[0] if g else 0) != n:
                bad.append((ident, g and g[0], n))
        # every op the daemon stored is one mountstats printed
        for ident in c["got"]:
            if ident.startswith(inst + "/nfs_op-"):
                op = ident.split("nfs_op-", 1)[1]
                if op not in ref.get(mp, {}):
                    bad.append((ident, "not printed by mountstats"))
    check("nfs-utils mountstats: %d per-op counts compared, all equal to collectd's" % compared,
          compared > 50 and not bad, bad[:10])
    note("nfs-utils mountstats: %d mounts, %d per-op counts compared" % (len(ref), compared))


def parse_iostat(text):
    """mountstats iostat output -> {mount point: {"read"|"write": [ops/s, kB/s, kB/op,
    retrans, retrans%, RTT, exe, queue]}}."""
    res, cur, kind = {}, None, None
    for line in text.splitlines():
        m = re.match(r"^(\S+) mounted on (.*):$", line)
        if m:
            cur = res.setdefault(m.group(2), {})
            continue
        m = re.match(r"^(read|write):\s", line)
        if m:
            kind = m.group(1)
            continue
        if kind and cur is not None and line.strip():
            nums = re.findall(r"[-+]?\d+(?:\.\d+)?", line)
            if len(nums) >= 8:
                cur[kind] = [float(x) for x in nums]
            kind = None
    return res


def phase_iostat(c0, c1):
    """ReportIostat against nfs-utils' iostat (mountstats iostat -S A -f B,
    the same computation as nfsiostat over two files) on the kernel's two
    files around the I/O: a collectd reads A, then B, from a regular file."""
    a, b = os.path.join(WORK, "iostat-A"), os.path.join(WORK, "iostat-B")
    with open(a, "wb") as f:
        f.write(c0["a"])
    with open(b, "wb") as f:
        f.write(c1["b"])
    mps = [mp for mp, _, _, _ in WORK_MOUNTS]
    r = sh(["mountstats", "iostat", "-S", a, "-f", b] + mps, check_rc=False, timeout=300)
    ref = parse_iostat(r.stdout)
    check("nfs-utils iostat printed read and write for %s" % mps,
          all(set(ref.get(mp, {})) == {"read", "write"} for mp in mps),
          r.stdout[-2000:] + r.stderr[-500:])
    live = os.path.join(WORK, "iostat.mountstats")
    shutil.copy(a, live + ".tmp")
    os.rename(live + ".tmp", live)
    # The plugin takes an age that runs ahead of its own clock by more than
    # 2 s for another superblock: B's ages ran da seconds ahead of A's, so
    # this daemon reads every da + 1 seconds.
    ages = {}
    for blob, key in ((c0["a"], "a"), (c1["b"], "b")):
        for rr in parse_mountstats(blob):
            ages.setdefault(rr["mp"], {})[key] = rr["age"]
    da = max(v["b"] - v["a"] for v in ages.values() if "a" in v and "b" in v)
    t_a = time.time()
    cd = Collectd("iostat", '<Plugin mountstats>\n File "%s"\n MountInfoFile ""\n'
                  ' ReportIostat true\n</Plugin>\n' % live, interval=max(2, da + 1))
    try:
        t1, _ = cd.wait_read_after(t_a, ["mnt-work3/uptime-age"], timeout=60)
        shutil.copy(b, live + ".tmp")
        os.rename(live + ".tmp", live)
        tb = time.time()
        idents = ["mnt-work3/nfs_op_avg-WRITE", "mnt-work42/nfs_op_avg-WRITE"]
        t2, data = cd.wait_read_after(tb, idents, timeout=60)
        check("ReportIostat: averages dispatched for the read of B", t2 is not None,
              "t1=%s da=%s tb=%s avg: %s, times of mnt-work3/uptime-age: %s, log: %s" % (
                  t1, da, tb, sorted(k for k in data if "avg" in k)[:20],
                  sorted(data.get("mnt-work3/uptime-age", {}).items()), cd.log_text()[-1500:]))
        if t2 is None:
            return
        compared, bad = 0, []
        for mp in mps:
            inst = instance_name(mp)
            for kind in ("read", "write"):
                ops = [o for o in (("READ", "READ_PLUS") if kind == "read" else ("WRITE",))
                       if t2 in data.get("%s/nfs_op_avg-%s" % (inst, o), {})]
                rf = ref.get(mp, {}).get(kind)
                if not ops or not rf:
                    bad.append((mp, kind, "no value"))
                    continue
                g = data["%s/nfs_op_avg-%s" % (inst, ops[0])][t2]
                if ops[0] == "READ_PLUS":
                    # nfs-utils' iostat counts READ only: NFSv4.2 reads sent as
                    # READ_PLUS show as 0 there (its blind spot, not ours).
                    check("%s: nfs-utils iostat shows 0 read ops/s for READ_PLUS reads, "
                          "collectd's nfs_op_avg-READ_PLUS has them (RTT %.3f ms)" % (mp, g[1]),
                          rf[0] == 0 and g[1] > 0, (rf, g))
                    continue
                # nfs_op_avg: queue_ms, rtt_ms, exec_ms, kb_sent, kb_recv, retrans_pct, timeouts
                # iostat: ops/s kB/s kB/op retrans (retrans%) RTT exe queue errors (errors%)
                pairs = [("avg RTT", g[1], rf[5]), ("avg exe", g[2], rf[6]),
                         ("avg queue", g[0], rf[7]), ("retrans %", g[5], rf[4])]
                for what, mine, theirs in pairs:
                    compared += 1
                    # nfsiostat prints 3 decimals (retrans %: 1)
                    tol = 0.05 if what == "retrans %" else 0.0005 + 1e-9
                    if abs(mine - theirs) > tol:
                        bad.append((mp, ops[0], what, mine, theirs))
                note("iostat %s %s: collectd %s, nfs-utils %s" % (
                    mp, ops[0], ["%.3f" % x for x in (g[1], g[2], g[0], g[5])],
                    ["%.3f" % x for x in (rf[5], rf[6], rf[7], rf[4])]))
        check("ReportIostat: %d averages (RTT, execute, queue, retrans %%) equal nfs-utils "
              "iostat's within its rounding" % compared, compared >= 12 and not bad, bad)
    finally:
        rc, _ = cd.stop()
        check("iostat collectd stopped cleanly", rc == 0)
        errs = cd.problems()
        check("iostat collectd: no error or warning in its log", not errs, errs[:5])



# --------------------------------------------------------------------------
# Scale: 500 more mounts (NFSv3, nosharecache: 500 superblocks), each with a
# file of 100 + i bytes read once through the page cache: nfs_bytes
# normal_read of /mnt/many/dNNN is exactly 100 + NNN.
MANY = 500
MANY_VERS = "3"  # NFSv4.2 mounts took longer here (162 s against 96 s on 6.12)


def cost_line(stdout, stderr):
    m = re.search(r"bytes=(\d+) records=(\d+) nfs=(\d+) read_us=([\d.]+) parse_us=([\d.]+) "
                  r"ratio=([\d.]+)", stdout)
    if not m:
        note("cost: no result: %s %s" % (stdout[-500:], stderr[-500:]))
        return None
    return {"bytes": int(m.group(1)), "records": int(m.group(2)), "nfs": int(m.group(3)),
            "read_us": float(m.group(4)), "parse_us": float(m.group(5)),
            "ratio": float(m.group(6))}


def phase_many():
    path = add_export("many")
    for i in range(MANY):
        d = "%s/d%03d" % (path, i)
        os.mkdir(d)
        with open(d + "/f", "wb") as f:
            f.write(b"x" * (100 + i))
    # cost at 10 NFS mounts: in a namespace of its own with just those
    os.makedirs("/mnt/many", exist_ok=True)
    for i in range(10):
        os.makedirs("/mnt/many/d%03d" % i, exist_ok=True)
    script = ("umount -a -t nfs,nfs4 || exit 1; for i in 0 1 2 3 4 5 6 7 8 9; do "
              "mount -t nfs -o vers=3,nolock,nosharecache 127.0.0.13:/srv/many/d00$i "
              "/mnt/many/d00$i || exit 1; cat /mnt/many/d00$i/f > /dev/null; done; "
              "exec %s /proc/self/mountstats 20 5" % CFG["cost_tool"])
    r = sh(["unshare", "-m", "--propagation", "private", "sh", "-c", script], check_rc=False,
           timeout=300)
    costs = [cost_line(r.stdout, r.stderr)]
    base = len(parse_mountstats(read_proc()))
    t = time.time()
    for i in range(MANY):
        nfs_mount("127.0.0.13", ("/srv" if MANY_VERS == "3" else "") + "/many/d%03d" % i,
                  "/mnt/many/d%03d" % i, MANY_VERS,
                  "nosharecache")
        if base + i + 1 == 100:
            r = sh([CFG["cost_tool"], "/proc/self/mountstats", "20", "5"], check_rc=False)
            costs.append(cost_line(r.stdout, r.stderr))
    tm = time.time() - t
    r = sh([CFG["cost_tool"], "/proc/self/mountstats", "10", "5"], check_rc=False)
    costs.append(cost_line(r.stdout, r.stderr))
    ok = all(c and c["nfs"] > 0 and c["read_us"] > 0 and c["parse_us"] > 0 for c in costs)
    check("cost: kernel generation and parse measured at %s NFS mounts" % (
        [c and c["nfs"] for c in costs]), ok and len(costs) == 3, costs)
    for c in costs:
        if c:
            note("cost: %d NFS mounts (%d records, %d bytes): kernel read %.1f us, parse %.1f "
                 "us, kernel/parse %.2f" % (c["nfs"], c["records"], c["bytes"], c["read_us"],
                                            c["parse_us"], c["ratio"]))
    with open(os.path.join(RES, "cost.json"), "w") as f:
        json.dump(costs, f)
    # ReportStall's reads of the kernel's sunrpc tree with the plugin's own
    # code (src/sunrpc.h, attribute files kept open as the plugin keeps them)
    r = sh([CFG["cost_tool"], "--sysfs", "/sys", "20", "5"], check_rc=False)
    sc = dict(kv.split("=", 1) for kv in r.stdout.split()) if r.returncode == 0 else {}
    check("cost: ReportStall's sysfs reads measured (%s)" % r.stdout.strip(),
          sc and int(sc["xprts"]) > 0 and float(sc["refresh_us"]) > 0, r.stderr[-500:])
    if sc:
        note("cost: sunrpc sysfs, %s switches, %s transports: scan %s us, refresh %s us, "
             "%s us per transport per interval" % (sc["switches"], sc["xprts"], sc["scan_us"],
                                                   sc["refresh_us"], sc["refresh_per_xprt_us"]))
    for i in range(MANY):
        with open("/mnt/many/d%03d/f" % i, "rb") as f:
            assert len(f.read()) == 100 + i
    total = len(parse_mountstats(read_proc()))
    note("many: %d mounts in %.1f s, read in %.1f s; %d NFS records in the kernel's file, "
         "%d bytes" % (MANY, tm, time.time() - t - tm, total, len(read_proc())))
    cd = Collectd("many", '<Plugin mountstats>\n File "/proc/self/mountstats"\n'
                  ' ReportOperations false\n ReportEvents false\n ReportTransport false\n'
                  ' ReportAge false\n</Plugin>\n')
    try:
        c = compare_live(cd, "%d NFS mounts (nfs_bytes only)" % total, allowed_movers=V4_MOVERS,
                         keep=r"/nfs_bytes$")
        bad = []
        for i in range(MANY):
            g = c["got"].get("mnt-many-d%03d/nfs_bytes" % i)
            if not g or g[0] != 100 + i or g[4] != 100 + i:
                bad.append((i, g))
        check("many: for all %d mounts, normal_read and server_read are exactly 100 + i bytes"
              % MANY, not bad, bad[:5])
        insts = {k.split("/")[0] for k in c["got"]}
        check("many: %d instances reported (500 + the matrix's superblocks)" % len(insts),
              len(insts) >= MANY + 10)
    finally:
        rc, secs = cd.stop()
        check("many: collectd stopped cleanly (exit %s, %.1f s)" % (rc, secs), rc == 0)
        errs = cd.problems()
        check("many: no error or warning in collectd's log", not errs, errs[:5])
    return total


# --------------------------------------------------------------------------
# Another mount namespace (unshare -m): its own NFS mounts only.

def phase_namespace():
    add_export("ns", ["a", "b", "c"])
    for d in ("a", "b", "c"):
        os.makedirs("/mnt/ns/" + d, exist_ok=True)
    ready = os.path.join(WORK, "ns-ready")
    script = ("umount -a -t nfs,nfs4 || exit 1; "
              "mount -t nfs -o vers=3,nolock 127.0.0.14:/srv/ns/a /mnt/ns/a && "
              "mount -t nfs -o vers=3,nolock 127.0.0.14:/srv/ns/b /mnt/ns/b && "
              "mount -t nfs -o vers=3,nolock,nosharecache 127.0.0.14:/srv/ns/c /mnt/ns/c && "
              "ls /mnt/ns/a /mnt/ns/b /mnt/ns/c >/dev/null && echo ready > %s && "
              "exec sleep 100000" % ready)
    p = spawn("unshare", ["unshare", "-m", "--propagation", "private", "sh", "-c", script])
    end = time.time() + 120
    while not os.path.exists(ready) and time.time() < end and p.poll() is None:
        time.sleep(0.2)
    if not check("namespace: unshare -m process (pid %d) mounted its 3 NFS mounts" % p.pid,
                 os.path.exists(ready), read_text(os.path.join(WORK, "unshare.out"))):
        return
    own = [r["mp"] for r in parse_mountstats(read_proc("/proc/%d/mountstats" % p.pid))]
    check("namespace: its mountstats has exactly its 3 NFS mounts (%s)" % own,
          own == ["/mnt/ns/a", "/mnt/ns/b", "/mnt/ns/c"], own)
    mine = [r["mp"] for r in parse_mountstats(read_proc()) if r["mp"].startswith("/mnt/ns/")]
    check("namespace: the root namespace does not see them", not mine, mine)
    f = "/proc/%d/mountstats" % p.pid
    cd = Collectd("ns", '<Plugin mountstats>\n File "%s"\n</Plugin>\n' % f)
    try:
        c = compare_live(cd, "namespace", mountstats=f, mountinfo="/proc/%d/mountinfo" % p.pid)
        insts = {k.split("/")[0] for k in cd.read_all()}
        check("namespace: collectd reports exactly mnt-ns-a and mnt-ns-c (a and b are one "
              "superblock, found from /proc/%d/mountinfo); got %s" % (p.pid, sorted(insts)),
              insts == {"mnt-ns-a", "mnt-ns-c"})
        info = [l for l in cd.log_text().splitlines()
                if 'reading "%s"' % f in l and "superblocks from /proc/%d/mountinfo" % p.pid in l]
        check("namespace: MountInfoFile derived from the pid (/proc/%d/mountinfo, INFO line)"
              % p.pid, info, cd.log_text()[-1000:])
    finally:
        rc, _ = cd.stop()
        check("namespace: collectd stopped cleanly", rc == 0)
        errs = cd.problems()
        check("namespace: no error or warning in collectd's log", not errs, errs[:5])
        stop(p)  # the namespace's mounts go with its last process



# --------------------------------------------------------------------------
# Faults: a server that stops answering (a relay on loopback, SIGSTOPped),
# a hard mount with I/O in flight, a soft mount, and collectd's shutdown
# while a process is stuck in D state.

WRITER = r"""
import mmap, os, sys, time
buf = mmap.mmap(-1, 4096)
fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY | os.O_DIRECT, 0o644)
n = 0
while True:
    os.pwrite(fd, buf, (n % 64) * 4096)
    n += 1
    # Replaced by rename: a reader never sees the file empty (a count of 0).
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write("%d %.3f\n" % (n, time.time()))
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
"""


def proc_state(pid):
    try:
        return read_text("/proc/%d/stat" % pid).rsplit(")", 1)[1].split()[0]
    except IndexError:
        return "?"


def writer_count(path):
    try:
        return int(read_text(path).split()[0])
    except (IndexError, ValueError):
        return 0


def gaps(times):
    return [round(b - a, 3) for a, b in zip(times, times[1:])]


def alert_recipe(interval):
    """README's threshold recipe for an unresponsive server, exactly as
    printed there, with WarningMax set to this daemon's Interval as README
    says to."""
    text = read_text(os.path.join(CFG["repo"], "docs", "integrations.md"))
    m = re.search(r"<!-- stall-recipe -->\n```\n(.*?)```", text, re.S)
    if not m:
        raise SystemExit("README has no <!-- stall-recipe --> block")
    block = m.group(1)
    if "WarningMax 10\n" not in block:
        raise SystemExit("README's stall recipe has no 'WarningMax 10' line")
    return block.replace("WarningMax 10\n", "WarningMax %d\n" % interval)


def notifications(cd):
    """The daemon's notifications, from the logfile plugin's lines:
    [(unix time, severity, plugin_instance, type, message)]."""
    out = []
    for line in cd.log_text().splitlines():
        m = re.match(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\] (?:\[\w+\] )?"
                     r"Notification: severity = (\w+)(.*)$", line)
        if not m:
            continue
        fields = dict(re.findall(r", (\w+) = ((?:(?!, \w+ = ).)*)", m.group(3)))
        t = time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S"))
        out.append((t, m.group(2), fields.get("plugin_instance"), fields.get("type"),
                    fields.get("message", "")))
    return out


def first_row(rows, after, pred):
    """The time of the first csv row after `after` whose values satisfy pred."""
    for t in sorted(rows):
        if t > after and pred(rows[t]):
            return t
    return None


def phase_dead():
    add_export("dead")
    add_export("soft")
    add_export("dflt")
    relay = os.path.join(CFG["repo"], "tests/live/tcp_proxy.py")
    px = spawn("proxy-dead", [sys.executable, relay, "127.0.0.21", "20490", "127.0.0.1", "2049"])
    ps = spawn("proxy-soft", [sys.executable, relay, "127.0.0.22", "20491", "127.0.0.1", "2049"])
    pd = spawn("proxy-dflt", [sys.executable, relay, "127.0.0.23", "20492", "127.0.0.1", "2049"])
    end = time.time() + 60
    while time.time() < end and not all("listening" in read_text(os.path.join(WORK, l + ".out"))
                                        for l in ("proxy-dead", "proxy-soft", "proxy-dflt")):
        time.sleep(0.2)
    nfs_mount("127.0.0.21", "/srv/dead", "/mnt/dead", "3",
              "hard,timeo=10,retrans=2,port=20490,mountaddr=127.0.0.1")
    nfs_mount("127.0.0.22", "/srv/soft", "/mnt/soft", "3",
              "soft,timeo=10,retrans=2,port=20491,mountaddr=127.0.0.1")
    # A hard mount with the default timeo (60 s), whose server stops with
    # the first one: its writer waits in D state with nothing sent again.
    nfs_mount("127.0.0.23", "/srv/dflt", "/mnt/dflt", "3",
              "hard,port=20492,mountaddr=127.0.0.1")
    with open("/mnt/soft/file", "w") as f:
        f.write("soft\n")
    cnt = os.path.join(WORK, "writer.count")
    w = spawn("writer", [sys.executable, "-c", WRITER, "/mnt/dead/data", cnt])
    cnt2 = os.path.join(WORK, "writer-dflt.count")
    w2 = spawn("writer-dflt", [sys.executable, "-c", WRITER, "/mnt/dflt/data", cnt2])
    cd = Collectd("dead", "")
    res = {}
    try:
        t, _ = cd.wait_read_after(time.time(), ["mnt-dead/nfs_op-WRITE"], timeout=60)
        end = time.time() + 60
        while (writer_count(cnt) < 20 or writer_count(cnt2) < 20) and time.time() < end:
            time.sleep(0.2)
        t, _ = cd.wait_read_after(time.time() + 1.5, ["mnt-dead/nfs_op-WRITE"], timeout=60)
        n0 = writer_count(cnt)
        check("dead: the writer is writing to /mnt/dead (%d writes)" % n0, n0 > 0)
        # both servers stop answering
        os.kill(px.pid, signal.SIGSTOP)
        os.kill(pd.pid, signal.SIGSTOP)
        t_stop = time.time()
        note("dead: relay stopped at %.3f" % t_stop)
        time.sleep(2)
        n1, m1 = writer_count(cnt), writer_count(cnt2)
        time.sleep(6)
        n2, m2 = writer_count(cnt), writer_count(cnt2)
        st, st2 = proc_state(w.pid), proc_state(w2.pid)
        check("dead: the writer is stuck (writes %d -> %d over 6 s, state %s)" % (n1, n2, st),
              n1 == n2 and st == "D")
        check("dead: the default-timeo writer is stuck (writes %d -> %d over 6 s, state %s)"
              % (m1, m2, st2), m1 == m2 and st2 == "D")
        t_cont_before = time.time()
        data = cd.read_all()
        res["dead_window"] = (t_stop, t_cont_before)
        # every instance has a read every interval across the window
        insts = sorted({k.split("/")[0] for k in data})
        worst = {}
        for inst in insts:
            ts = sorted(x for x in data.get(inst + "/uptime-age", {}) if x > t_stop - 3)
            g = gaps(ts)
            worst[inst] = max(g) if g else None
        bad = {k: v for k, v in worst.items() if v is None or v > 1.9}
        ts_dead = sorted(x for x in data.get("mnt-dead/uptime-age", {})
                         if t_stop - 3 < x < t_cont_before)
        note("dead: csv timestamps of mnt-dead around the stop: %s" %
             ", ".join("%.3f" % x for x in ts_dead))
        check("dead: reads kept their schedule for all %d instances while the server was dead "
              "(largest gap %.3f s)" % (len(insts), max(v for v in worst.values() if v)),
              not bad and len(ts_dead) >= 9, bad)
        # which values moved for the dead mount while it was dead
        moved, still = [], 0
        for ident, rows in data.items():
            if not ident.startswith("mnt-dead/"):
                continue
            inw = [rows[x] for x in sorted(rows) if t_stop + 1.5 < x < t_cont_before]
            if len(inw) < 2:
                continue
            for i in range(len(inw[0])):
                if inw[0][i] != inw[-1][i]:
                    moved.append("%s[%d] %g->%g" % (ident.split("/", 1)[1], i, inw[0][i],
                                                    inw[-1][i]))
                else:
                    still += 1
        note("dead: while dead, these values of mnt-dead moved: %s; %d stayed" % (
            "; ".join(moved), still))
        res["moved"] = moved
        # README's account of what moves while a server is dead: recvs and
        # every per-op counter stand still (per-op counters count completed
        # RPCs only), idle_time grows.
        stuck_ops = [m for m in moved if m.startswith("nfs_op")]
        recvs = [m for m in moved if m.startswith("nfs_xprt-tcp[2]")]
        idle = [m for m in moved if m.startswith("nfs_xprt_conn-tcp[2]")]
        check("dead: while dead, no per-op counter and no xprt recvs moved, idle_time grew "
              "(%s)" % ("; ".join(idle) or "idle_time still"),
              not stuck_ops and not recvs and idle, moved)
        last = data.get("mnt-dead/nfs_op-WRITE", {})
        inw = [last[x] for x in sorted(last) if t_stop + 1.5 < x < t_cont_before]
        check("dead: the dead mount keeps reporting its last WRITE counters (%d reads, ops %s)" %
              (len(inw), inw and inw[-1][0]), len(inw) >= 5 and all(v[0] == inw[0][0] for v in inw))
        # soft mount: the server stops answering, an operation fails
        os.kill(ps.pid, signal.SIGSTOP)
        ts0 = time.time()
        r = sh([sys.executable, "-c", "import os,sys\ntry:\n os.stat('/mnt/soft/new-name')\n"
                "except OSError as e:\n print(e.errno, e.strerror); sys.exit(3)"],
               check_rc=False, timeout=120)
        note("soft: stat on the dead soft mount returned after %.1f s: %s" % (
            time.time() - ts0, r.stdout.strip()))
        check("soft: the operation on the dead soft,timeo=10,retrans=2 mount fails with an "
              "error (%s)" % r.stdout.strip(), r.returncode == 3 and r.stdout.split()[0] in
              ("5", "110"))
        os.kill(ps.pid, signal.SIGCONT)
        # recovery
        os.kill(px.pid, signal.SIGCONT)
        os.kill(pd.pid, signal.SIGCONT)
        t_cont = time.time()
        note("dead: relay continued at %.3f" % t_cont)
        end = time.time() + 120
        while writer_count(cnt) <= n2 + 3 and time.time() < end:
            time.sleep(0.2)
        resumed = writer_count(cnt)
        check("dead: the writer resumed after the server came back (%d writes)" % resumed,
              resumed > n2)
        t2, data = cd.wait_read_after(max(time.time(), t_cont + 3.5) + 1,
                                      ["mnt-dead/nfs_op-WRITE", "mnt-soft/nfs_op-LOOKUP"],
                                      timeout=60)
        m3 = writer_count(cnt2)
        check("dead: the default-timeo writer resumed after its server came back (%d -> %d "
              "writes)" % (m2, m3), m3 > m2)
        wr = data["mnt-dead/nfs_op-WRITE"]
        before = [wr[x] for x in sorted(wr) if x < t_stop]
        after = wr.get(t2)
        note("dead: WRITE before the stop %s, after recovery %s" % (before and before[-1], after))
        check("dead: after recovery the retransmission shows: WRITE trans - ops grew (%s -> %s)"
              % (before and before[-1][1] - before[-1][0], after and after[1] - after[0]),
              before and after and (after[1] - after[0]) > (before[-1][1] - before[-1][0]))
        lk = data["mnt-soft/nfs_op-LOOKUP"].get(t2)
        check("soft: the failed LOOKUP counts a retransmission and a major timeout (LOOKUP %s, "
              "errors %s)"
              % (lk, data.get("mnt-soft/nfs_op_errors-LOOKUP", {}).get(t2)),
              lk and lk[2] >= 1 and lk[1] > lk[0] and
              data.get("mnt-soft/nfs_op_errors-LOOKUP", {}).get(t2, [0])[0] >= 1)
        res["data"] = data
        res["t_stop"], res["t_cont"] = t_stop, t_cont
        # stop the server again: collectd shuts down cleanly with the writer in D state
        n3 = writer_count(cnt)
        os.kill(px.pid, signal.SIGSTOP)
        time.sleep(3)
        st = proc_state(w.pid)
        rc, secs = cd.stop()
        check("dead: collectd shut down cleanly (exit %s in %.1f s) while the writer was in "
              "state %s on the dead mount" % (rc, secs, st), rc == 0 and secs < 15 and st == "D",
              cd.log_text()[-1500:])
        errs = cd.problems()
        check("dead: no error or warning in collectd's log", not errs, errs[:5])
    finally:
        if cd.p.poll() is None:
            cd.stop()
        for p in (px, ps, pd):
            try:
                os.kill(p.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        stop(w, timeout=60)
        stop(w2, timeout=60)
        for mp in ("/mnt/dead", "/mnt/soft", "/mnt/dflt"):
            try:
                sys_umount(mp, MNT_FORCE)
            except OSError:
                pass
    return res



# --------------------------------------------------------------------------
# Churn: 50 mounts mounted and unmounted in a loop (as autofs does) while two
# collectd read every second, one with the plugin, one with its sanitizer
# build (ASan + UBSan runtimes preloaded into the unsanitized daemon).
CHURN = 50


def last_row_time(path):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 4096))
            lines = f.read().splitlines()
        return float(lines[-1].split(b",")[0])
    except (OSError, IndexError, ValueError):
        return 0.0


def wait_anchor(cds, after, timeout=60):
    """Until every daemon stored a read of the anchor mount with a time > after."""
    end = time.time() + timeout
    while time.time() < end:
        ok = True
        for cd in cds:
            if cd.p.poll() is not None:
                return False
            fs = glob.glob(os.path.join(cd.host_dir(), "mountstats-mnt-v3tcp", "uptime-age-*"))
            if not fs or max(last_row_time(f) for f in fs) <= after:
                ok = False
        if ok:
            return True
        time.sleep(0.2)
    return False


def phase_churn():
    path = add_export("churn", ["c%02d" % i for i in range(CHURN)])
    # every mount is parsed, matched and named; only age, bytes and the
    # shared transport are dispatched, to keep the csv writer's load (two
    # daemons under TCG) below the read interval
    body = ('<Plugin mountstats>\n File "/proc/self/mountstats"\n ReportEvents false\n'
            ' ReportOperations false\n</Plugin>\n')
    plain = Collectd("churn", body)
    asan = Collectd("churn-asan", body, plugin=CFG["asan_plugin"], preload=CFG["asan_preload"])
    cds = [plain, asan]
    life = {i: [] for i in range(CHURN)}  # [(mount started, unmount returned)]
    t0 = time.time()
    cycles = 0
    try:
        check("churn: both daemons read (the sanitizer build too)", wait_anchor(cds, t0),
              asan.log_text()[-1500:] + read_text(os.path.join(WORK, "churn-asan.out"))[-1500:])
        maps = read_text("/proc/%d/maps" % asan.p.pid)
        check("churn: the second daemon runs the sanitizer build with the ASan runtime "
              "(libasan and mountstats.so in its maps)", "libasan" in maps and
              os.path.join(asan.pdir, "mountstats.so") in maps,
              [l for l in maps.splitlines() if ".so" in l][:40])
        while time.time() - t0 < CFG["churn_seconds"]:
            starts = {}
            for i in range(CHURN):
                starts[i] = time.time()
                nfs_mount("127.0.0.15", "%s/c%02d" % (path, i), "/mnt/churn/c%02d" % i, "3",
                          "nosharecache")
            tm = time.time() - starts[0]
            if not wait_anchor(cds, time.time()):
                break
            tu = time.time()
            for i in reversed(range(CHURN)):
                sys_umount("/mnt/churn/c%02d" % i)
                life[i].append((starts[i], time.time()))
            cycles += 1
            if cycles <= 2:
                note("churn: cycle %d: 50 mounts in %.1f s, 50 unmounts in %.1f s" % (
                    cycles, tm, time.time() - tu))
            if not wait_anchor(cds, time.time()):
                break
        dur = time.time() - t0
        note("churn: %d cycles of %d mounts and unmounts in %.1f s" % (cycles, CHURN, dur))
        check("churn: at least 2 minutes of churn (%.1f s, %d cycles, %d mounts and %d "
              "unmounts)" % (dur, cycles, cycles * CHURN, cycles * CHURN),
              dur >= min(120, CFG["churn_seconds"]) and cycles >= 5)
        for cd in cds:
            alive = cd.p.poll() is None
            check("churn: %s still running after the churn" % cd.label, alive,
                  cd.log_text()[-1500:])
        for cd in cds:
            rc, secs = cd.stop()
            check("churn: %s stopped cleanly (exit %s, %.1f s)" % (cd.label, rc, secs), rc == 0,
                  cd.log_text()[-1500:] + read_text(os.path.join(WORK, cd.label + ".out"))[-3000:])
            errs = cd.problems()
            check("churn: %s: no error or warning in the log" % cd.label, not errs, errs[:5])
            reports = glob.glob(os.path.join(cd.base, "asan*")) + glob.glob(
                os.path.join(cd.base, "ubsan*"))
            check("churn: %s: no sanitizer report" % cd.label, not reports,
                  "".join(read_text(r)[:2000] for r in reports))
        for cd in cds:
            data = cd.read_all()
            reads = sorted({t for k, rows in data.items() if k.startswith("mnt-v3tcp/")
                            for t in rows})
            nxt = {a: b for a, b in zip(reads, reads[1:])}
            bad, rows_seen, names = [], 0, set()
            for ident, rows in data.items():
                inst = ident.split("/")[0]
                m = re.match(r"^mnt-churn-c(\d\d)$", inst)
                if not inst.startswith("mnt-churn"):
                    continue
                names.add(inst)
                if not m:
                    bad.append((ident, "unexpected name"))
                    continue
                i = int(m.group(1))
                for t in rows:
                    rows_seen += 1
                    tn = nxt.get(t)
                    if tn is None:
                        continue  # the last read: no bound on when it read the file
                    # the file was read between t and the next read's t: the
                    # mount must have existed then
                    if not any(u >= t and s <= tn for s, u in life[i]):
                        bad.append((ident, t))
            check("churn: %s: %d values of %d churned mounts, none after its mount had gone "
                  "and none under another name (%d reads)" % (cd.label, rows_seen, len(names),
                                                             len(reads)),
                  rows_seen > 0 and not bad and len(names) == CHURN, bad[:10])
            gl = gaps(reads)
            check("churn: %s read every interval (largest gap %.3f s over %d reads)" % (
                cd.label, max(gl) if gl else -1, len(reads)), gl and max(gl) < 2.5)
        return {"cycles": cycles, "seconds": dur}
    finally:
        for cd in cds:
            if cd.p.poll() is None:
                cd.stop()
        for i in range(CHURN):
            try:
                sys_umount("/mnt/churn/c%02d" % i, MNT_DETACH)
            except OSError:
                pass



def main():
    note("kernel %s (%s), %s" % (CFG["kernel_release"], CFG["kernel_package"],
                                 os.uname().release))
    check("the guest runs the kernel under test", os.uname().release == CFG["kernel_release"],
          os.uname().release)
    start_server()
    mount_matrix()
    cd = main_collectd()
    try:
        if want("matrix"):
            guarded(phase_matrix, cd)
        if want("workload"):
            r = guarded(phase_workload, cd)
            if r:
                c = guarded(lambda: compare_live(cd, "every mount after the workload",
                                                 allowed_movers=V4_MOVERS))
                if c:
                    guarded(phase_nfsutils, c)
                guarded(phase_iostat, r[0], r[1])
    finally:
        rc, secs = cd.stop()
        check("main collectd stopped cleanly (exit %s in %.1f s)" % (rc, secs), rc == 0,
              cd.log_text()[-2000:])
        errs = cd.problems()
        check("main collectd: no error or warning in its log", not errs, errs[:10])
    if "capture" in PHASES.split(","):  # fixtures, on request only
        import capture
        guarded(capture.run, sys.modules[__name__])
    if want("dead"):
        guarded(phase_dead)
    if want("kubelet"):
        import kubelet
        guarded(kubelet.run, sys.modules[__name__])
    if want("namespace"):
        guarded(phase_namespace)
    if want("churn"):
        guarded(phase_churn)
    if want("outage"):
        # README's stall alert (issue 18): unmounts the matrix's NFSv4
        # mounts, so it runs after every phase that reads them
        import outage
        guarded(outage.run, sys.modules[__name__])
    if want("many"):
        guarded(phase_many)


def guarded(fn, *a):
    try:
        return fn(*a)
    except Exception:
        check("%s ran without an exception" % fn.__name__, False, traceback.format_exc())


if __name__ == "__main__":
    try:
        guarded(main)
    finally:
        for label, p in reversed(PROCS):
            try:
                stop(p, timeout=10)
            except Exception:
                pass
        out("GUEST DONE: %d passed, %d failed, %.1f s" % (COUNTS["pass"], COUNTS["fail"],
                                                          time.time() - T0))
