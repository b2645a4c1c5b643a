# SPDX-License-Identifier: MIT
"""The live guest's shared harness, imported by guest_scenario.py and every
phase module: the report (PASS:/FAIL:/NOTE: lines), processes the guest
starts (each stopped at the end), mount(2) and umount2(2), the kernel's
mountstats and mountinfo parsed on their own (written from
docs/MOUNTSTATS-FORMAT.md and collectd-mountstats(5)'s METRICS, not from
src/), the values the plugin must report, one collectd in the guest, the
guest's nfsd and its exports, the mount matrix, and the helpers of the
outage phases (a writer that waits, the stall alert recipe).
"""

import ctypes
import json
import os
import re
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
from e2e_common import instance_name  # collectd-mountstats(5)'s Naming, in Python  # noqa: E402
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
    """sig to the process, wait, then SIGKILL its group."""
    return mstest.stop_process(p, timeout, sig)


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
    (collectd-mountstats(5): Superblocks and transports)."""
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
    """collectd-mountstats(5): nconnect lines summed, max_slots the largest, idle_time the
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
    ops with a count > 0, collectd-mountstats(5)'s METRICS. Gauges that tick with the
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
            # collectd-mountstats(5): same server (device up to ":"), vers=, proto=, and line by
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
# the mount matrix, read by every phase that uses the main collectd

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


# --------------------------------------------------------------------------
# shared by the phases that stop servers (dead.py, outage.py, capture.py):
# a writer whose progress is a file, process states, read gaps, the recipe

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
    """The threshold recipe for an unresponsive server, exactly as
    docs/integrations.md prints it, with WarningMax set to this daemon's
    Interval as the recipe says to."""
    text = read_text(os.path.join(CFG["repo"], "docs", "integrations.md"))
    m = re.search(r"<!-- stall-recipe -->\n```\n(.*?)```", text, re.S)
    if not m:
        raise SystemExit("docs/integrations.md has no <!-- stall-recipe --> block")
    block = m.group(1)
    if "WarningMax 10\n" not in block:
        raise SystemExit("docs/integrations.md's stall recipe has no 'WarningMax 10' line")
    return block.replace("WarningMax 10\n", "WarningMax %d\n" % interval)


def guarded(fn, *a):
    """fn(*a); an exception is one failure, named by the phase's module."""
    try:
        return fn(*a)
    except Exception:
        name = fn.__name__
        if fn.__module__ not in ("guest", "__main__"):
            name = fn.__module__ + "." + name
        check("%s ran without an exception" % name, False, traceback.format_exc())
