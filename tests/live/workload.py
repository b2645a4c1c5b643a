# SPDX-License-Identifier: MIT
"""The live guest's workload phase: I/O with known counts on fresh NFSv3 and
NFSv4.2 mounts, the counters the daemon stores against those counts and
the kernel's file, then nfs-utils' mountstats and nfsiostat against the
plugin's values and its iostat averages. Keeps fixtures for
tests/check_live_fixtures.c."""

import os
import re
import shutil
import time

from guest import (RES, V4_MOVERS, WORK, Collectd, add_export, check, compare_live, guarded,
                   instance_name, nfs_mount, note, parse_mountstats, sh)


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


def run(cd):
    """The workload, every mount compared after it, then nfs-utils' readers."""
    r = guarded(phase_workload, cd)
    if r:
        c = guarded(lambda: compare_live(cd, "every mount after the workload",
                                         allowed_movers=V4_MOVERS))
        if c:
            guarded(phase_nfsutils, c)
        guarded(phase_iostat, r[0], r[1])
