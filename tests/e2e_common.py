# SPDX-License-Identifier: MIT
"""Shared pieces of the end-to-end tests (e2e_graphite.py, e2e_rrd.py,
e2e_fleet.py): a temporary folder, processes that are always killed, a
private carbon-cache, collectd daemons with a private PluginDir, whisper and
RRD readers through the command-line tools, and the PASS/FAIL tally ending in
"N passed, M failed".

Python 3 standard library only: whisper and rrdtool are read through
whisper-fetch and rrdtool (the interpreter running the tests need not be the
one python3-whisper is installed for).
"""

import json
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from mstest import STOCK_TYPES_DB  # re-exported: e2e tests use it

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REPLAY = os.path.join(ROOT, "contrib", "mountstats-replay")
STOCK_PLUGIN_DIR = "/usr/lib/collectd"


def median(xs):
    xs = sorted(xs)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2.0


def fnv1a32(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


# MaxNameLength's default (README's options table).
DEFAULT_MAX_NAME_LEN = 64

# README's metrics table: the 27 event counters in five types of at most 8
# data sources (write_graphite drops a value list that does not fit its
# 1428-byte buffer); nfs_events_pnfs only when the kernel prints 27 events.
EVENT_GROUPS = [
    ("nfs_events_cache", "inode_revalidate dentry_revalidate data_invalidate "
                         "attr_invalidate".split()),
    ("nfs_events_vfs", "vfs_open vfs_lookup vfs_access vfs_update_page vfs_read_page "
                       "vfs_read_pages vfs_write_page vfs_write_pages".split()),
    ("nfs_events_file", "vfs_getdents vfs_setattr vfs_flush vfs_fsync vfs_lock "
                        "vfs_release".split()),
    ("nfs_events_io", "congestion_wait setattr_trunc extend_write silly_rename "
                      "short_read short_write delay".split()),
    ("nfs_events_pnfs", ["pnfs_read", "pnfs_write"]),
]
# The RDMA transport counters, in three types (README's table).
RDMA_TYPES = [
    ("nfs_xprt_rdma", "read_chunks write_chunks reply_chunks rdma_request "
                      "rdma_reply".split()),
    ("nfs_xprt_rdma_copy", "pullup_copy fixup_copy hardway_register failed_marshal "
                           "bad_reply".split()),
    ("nfs_xprt_rdma_mr", "nomsg_call mrs_recycled mrs_orphaned mrs_allocated "
                         "local_inv_needed empty_sendctx_q reply_waits_send".split()),
]


def instance_name(mountpoint, max_len=DEFAULT_MAX_NAME_LEN):
    """plugin_instance for a decoded mount point, from README's naming rule
    (df's rule, control bytes to "_", at most MaxNameLength bytes, default
    64: a longer name keeps its first max_len - 9 bytes, cut on a UTF-8
    boundary, and ends in "~" + 8 hex digits of FNV-1a-32 of the whole
    path). Written from the README, not from src/naming.c."""
    raw = mountpoint.encode("utf-8")
    if raw in (b"/", b""):
        body = b"root"
    else:
        body = raw[1:] if raw.startswith(b"/") else raw
        body = bytes(ord("_") if (c < 0x20 or c == 0x7F) else
                     (ord("-") if c == ord("/") else c) for c in body) or b"root"
    if len(body) <= max_len:
        return body.decode("utf-8")
    cut = max_len - 9
    while cut > 0 and (body[cut] & 0xC0) == 0x80:
        cut -= 1
    return (body[:cut] + b"~%08x" % fnv1a32(raw)).decode("utf-8")


def graphite_escape(s, esc="_"):
    """What write_graphite does to a name part: dots, white space and
    control characters become the EscapeCharacter."""
    return "".join(esc if (c == "." or c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F)
                   else c for c in s)


class Harness:
    def __init__(self, name, args):
        self.name = name
        self.args = args
        self.keep = bool(os.environ.get("E2E_KEEP"))
        self.work = tempfile.mkdtemp(prefix=name + ".")
        self.procs = []  # (label, Popen)
        self.results = []
        self.t0 = time.time()
        # SIGTERM (ctest's timeout, a user) unwinds through cleanup() too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    # -- reporting ----------------------------------------------------------
    def check(self, name, ok, detail=""):
        ok = bool(ok)
        self.results.append(ok)
        msg = ("PASS" if ok else "FAIL") + ": " + name
        if not ok and detail:
            msg += ": " + (detail if len(detail) < 3000 else detail[:3000] + "...")
        print(msg, flush=True)
        return ok

    def note(self, text):
        print("  [%5.1fs] %s" % (time.time() - self.t0, text), flush=True)

    def finish(self):
        passed = sum(1 for r in self.results if r)
        failed = len(self.results) - passed
        print("%s: %.1f s" % (self.name, time.time() - self.t0))
        print("%d passed, %d failed" % (passed, failed), flush=True)
        return 0 if failed == 0 and passed > 0 else 1

    # -- processes ------------------------------------------------------------
    def spawn(self, label, argv, **kw):
        log = open(os.path.join(self.work, label + ".out"), "wb")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True, **kw)
        log.close()
        self.procs.append((label, p))
        return p

    def stop(self, p, timeout=15):
        """SIGTERM, wait, then SIGKILL the process group."""
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(timeout=5)
        return p.returncode

    def output(self, label):
        try:
            with open(os.path.join(self.work, label + ".out"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def cleanup(self):
        for _, p in reversed(self.procs):
            try:
                self.stop(p, timeout=5)
            except Exception:  # never let cleanup hide the result
                pass
        if self.keep:
            print("E2E_KEEP: kept " + self.work)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    # -- ports ----------------------------------------------------------------
    @staticmethod
    def free_port(udp=False):
        kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    @staticmethod
    def wait_port(port, timeout=20.0, proc=None):
        end = time.time() + timeout
        while time.time() < end:
            if proc is not None and proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    # -- carbon ---------------------------------------------------------------
    def start_carbon(self, label="carbon"):
        """carbon-cache on 127.0.0.1, line receiver only, storage in the
        temporary folder, 1 s points for an hour, tags off. Returns
        (process, line port, whisper dir)."""
        base = os.path.join(self.work, label)
        conf_dir = os.path.join(base, "conf")
        for d in ("conf", "storage/whisper", "log", "run"):
            os.makedirs(os.path.join(base, d), exist_ok=True)
        port = self.free_port()
        whisper = os.path.join(base, "storage", "whisper")
        with open(os.path.join(conf_dir, "carbon.conf"), "w") as f:
            f.write("""[cache]
STORAGE_DIR = {b}/storage/
LOCAL_DATA_DIR = {w}/
WHISPER_DIR = {w}/
CONF_DIR = {c}/
LOG_DIR = {b}/log/
PID_DIR = {b}/run/
USER =
DATABASE = whisper
ENABLE_TAGS = False
ENABLE_LOGROTATION = False
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = inf
MAX_UPDATES_PER_SECOND_ON_SHUTDOWN = inf
MAX_CREATES_PER_MINUTE = inf
MIN_TIMESTAMP_RESOLUTION = 1
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = {p}
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = 0
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = 0
CARBON_METRIC_INTERVAL = 0
USE_FLOW_CONTROL = True
LOG_UPDATES = False
LOG_CREATES = True
LOG_LISTENER_CONN_SUCCESS = False
CACHE_WRITE_STRATEGY = sorted
WHISPER_AUTOFLUSH = True
WHISPER_FALLOCATE_CREATE = False
""".format(b=base, w=whisper, c=conf_dir, p=port))
        with open(os.path.join(conf_dir, "storage-schemas.conf"), "w") as f:
            f.write("[all]\npattern = .*\nretentions = 1s:1h\n")
        with open(os.path.join(conf_dir, "storage-aggregation.conf"), "w") as f:
            f.write("[all]\npattern = .*\nxFilesFactor = 0\naggregationMethod = last\n")
        p = self.spawn(label, ["carbon-cache", "--config=" + os.path.join(conf_dir, "carbon.conf"),
                               "--nodaemon", "--pidfile=" + os.path.join(base, "run", "carbon.pid"),
                               "--logdir=" + os.path.join(base, "log"), "start"])
        if not self.wait_port(port, 30, p):
            raise RuntimeError("carbon-cache did not listen on %d:\n%s%s" %
                               (port, self.output(label), self.carbon_log(label)))
        return p, port, whisper

    def carbon_log(self, label="carbon"):
        text = [self.output(label)]
        d = os.path.join(self.work, label, "log")
        for root, _, files in os.walk(d):
            for n in sorted(files):
                with open(os.path.join(root, n), errors="replace") as f:
                    text.append("== %s\n%s" % (n, f.read()))
        return "\n".join(text)

    # -- collectd -------------------------------------------------------------
    def plugin_dir(self, label, plugins, with_mountstats=True):
        """A private PluginDir with copies (collectd refuses symlinks)."""
        d = os.path.join(self.work, label + "-plugins")
        os.makedirs(d, exist_ok=True)
        for p in plugins:
            shutil.copy(os.path.join(STOCK_PLUGIN_DIR, p + ".so"), d)
        if with_mountstats:
            shutil.copy(self.args.plugin, os.path.join(d, "mountstats.so"))
        return d

    def start_collectd(self, label, body, plugins, with_mountstats=True,
                       types_db=None, hostname=None, interval=1, settle=0.2):
        """Writes <label>.conf (global part + logfile + body) and starts
        collectd in the foreground. Returns (process, log path)."""
        pdir = self.plugin_dir(label, ["logfile"] + list(plugins), with_mountstats)
        base = os.path.join(self.work, label)
        os.makedirs(base, exist_ok=True)
        log = os.path.join(base, "collectd.log")
        if types_db is None:
            types_db = [STOCK_TYPES_DB, self.args.types_db]
        conf = os.path.join(base, "collectd.conf")
        with open(conf, "w") as f:
            f.write('BaseDir "{b}"\nPIDFile "{b}/collectd.pid"\nPluginDir "{p}"\n'
                    'TypesDB {t}\nInterval {i}\n{h}'
                    'LoadPlugin logfile\n<Plugin logfile>\n  LogLevel info\n'
                    '  File "{l}"\n  Timestamp true\n  PrintSeverity true\n</Plugin>\n'
                    .format(b=base, p=pdir, i=interval, l=log,
                            t=" ".join('"%s"' % t for t in types_db),
                            h='Hostname "%s"\nFQDNLookup false\n' % hostname if hostname else ""))
            f.write(body)
        p = self.spawn(label, [self.args.collectd, "-f", "-C", conf])
        if settle:
            time.sleep(settle)
            self.alive(label, p, log)
        return p, log

    def alive(self, label, p, log):
        """Raises when a collectd started by start_collectd has exited."""
        if p.poll() is not None:
            raise RuntimeError("collectd %s exited at start-up (%s):\n%s%s" %
                               (label, p.returncode, self.output(label), self.read_log(log)))
        return p, log

    @staticmethod
    def read_log(path):
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # -- replay -------------------------------------------------------------
    def replay(self, label, scenario, out, start_at, count=None, interval=1.0):
        sc = os.path.join(self.work, label + ".json")
        with open(sc, "w") as f:
            json.dump(scenario, f, indent=1)
        argv = [sys.executable, REPLAY, "generate", "-q", "-s", sc, "-o", out,
                "--interval", str(interval), "--start-at", "%.3f" % start_at]
        if count is not None:
            argv += ["--count", str(count)]
        return self.spawn(label, argv)


WG_SEND_BUF_SIZE = 1428  # collectd 5.12 write_graphite.c


def check_write_graphite_log(h, logtext, who):
    """Two checks: write_graphite dropped no value list ("target buffer too
    small": it formats all data sources of one value list into 1428 bytes,
    so a type with many data sources or a long name is dropped whole), and
    no other error or warning."""
    lines = logtext.splitlines()
    small = [l for l in lines if "target buffer too small" in l]
    h.check("%s: write_graphite sent every value list (none over its %d-byte "
            "buffer)" % (who, WG_SEND_BUF_SIZE), not small,
            "%d x 'format_graphite: target buffer too small' (collectd names no value "
            "list; see the missing paths)" % len(small))
    other = [l for l in lines if ("[error]" in l or "[warning]" in l) and l not in small]
    h.check("%s: no other error or warning in the log" % who, not other,
            "\n".join(sorted({l.split("] ", 2)[-1] for l in other})[:10]))


def graphite_message_size(prefix, host, plugin_instance, type_, type_instance, ds_names,
                          value_width=12, escape="_"):
    """Bytes write_graphite needs for one value list (StoreRates false,
    SeparateInstances false, AlwaysAppendDS false): one line per data source,
    "<path> <value> <time>\\r\\n", with values of value_width digits."""
    base = prefix + graphite_escape(host, escape) + ".mountstats-" + \
        graphite_escape(plugin_instance, escape) + "." + type_ + \
        ("-" + type_instance if type_instance else "")
    if len(ds_names) == 1:
        return len(base) + 1 + value_width + 1 + 10 + 2
    return sum(len(base) + 1 + len(d) + 1 + value_width + 1 + 10 + 2 for d in ds_names)


def sleep_until(t):
    d = t - time.time()
    if d > 0:
        time.sleep(d)


def whisper_fetch(path, frm, until):
    """[(timestamp, value or None)] from whisper-fetch --json."""
    out = subprocess.run(["whisper-fetch", "--json", "--from=%d" % frm,
                          "--until=%d" % until, path],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout
    d = json.loads(out)
    start, step = d["start"], d["step"]
    return [(start + i * step, v) for i, v in enumerate(d["values"])]


def whisper_fetch_many(paths, frm, until, jobs=8):
    """whisper-fetch for several files, a few at a time."""
    res, pending = {}, list(paths)
    running = []
    while pending or running:
        while pending and len(running) < jobs:
            p = pending.pop()
            running.append((p, subprocess.Popen(
                ["whisper-fetch", "--json", "--from=%d" % frm, "--until=%d" % until, p],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
        p, proc = running.pop(0)
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError("whisper-fetch %s: %s" % (p, err.decode(errors="replace")))
        d = json.loads(out)
        res[p] = [(d["start"] + i * d["step"], v) for i, v in enumerate(d["values"])]
    return res


def whisper_metrics(whisper_dir):
    """Every metric path stored (dots between folders), mapped to its file."""
    found = {}
    for root, _, files in os.walk(whisper_dir):
        for n in files:
            if n.endswith(".wsp"):
                rel = os.path.relpath(os.path.join(root, n[:-4]), whisper_dir)
                found[rel.replace(os.sep, ".")] = os.path.join(root, n)
    return found


def points(series):
    return [(t, v) for t, v in series if v is not None]


def per_second(series):
    """Graphite's perSecond over consecutive stored points: {t: rate}."""
    pts = points(series)
    out = {}
    for (t0, v0), (t1, v1) in zip(pts, pts[1:]):
        if t1 > t0 and v1 >= v0:
            out[t1] = (v1 - v0) / float(t1 - t0)
    return out


def deltas(series):
    """{t: (value delta, seconds)} over consecutive stored points."""
    pts = points(series)
    return {t1: (v1 - v0, t1 - t0) for (t0, v0), (t1, v1) in zip(pts, pts[1:])}


def rrd_info(path):
    out = subprocess.run(["rrdtool", "info", path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=True).stdout.decode()
    info = {}
    for line in out.splitlines():
        k, _, v = line.partition(" = ")
        info[k] = v.strip().strip('"')
    return info


def rrd_ds(info):
    """{ds name: {type, min, max, minimal_heartbeat}} from rrd_info()."""
    ds = {}
    for k, v in info.items():
        m = re.match(r"ds\[([^\]]+)\]\.(\w+)$", k)
        if m:
            ds.setdefault(m.group(1), {})[m.group(2)] = v
    return ds


def rrd_fetch(path, start, end, cf="AVERAGE", resolution=1):
    """(ds names, [(t, [values or None])]) from rrdtool fetch."""
    out = subprocess.run(["rrdtool", "fetch", path, cf, "-r", str(resolution),
                          "-s", str(int(start)), "-e", str(int(end))],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout.decode()
    lines = [l for l in out.splitlines() if l.strip()]
    names = lines[0].split()
    rows = []
    for l in lines[1:]:
        t, _, rest = l.partition(":")
        vals = []
        for tok in rest.split():
            try:
                x = float(tok)
                vals.append(None if x != x else x)
            except ValueError:
                vals.append(None)
        rows.append((int(t), vals))
    return names, rows


# ---- shared by e2e_graphite and e2e_rrd -----------------------------------

# A 300-byte mount point: its name is cut and ends in "~" and a hash.
LONG_MOUNTPOINT = ("/mnt/" + "/".join("very-long-directory-name.%02d" % i for i in range(11)) +
                   "/" + "x" * 300)[:300]
# The busy mount both tests check value by value.
MAIN_MOUNT = {
    "device": "filer1.example.org:/export/projects", "mountpoint": "/srv/projects",
    "vers": "3", "age": 5000,
    "ops": {
        "READ": {"rate": 25, "rtt_ms": 3, "exec_ms": 4, "queue_ms": 0,
                 "bytes_sent": 128, "bytes_recv": 65664},
        "WRITE": {"rate": 5, "rtt_ms": 6, "exec_ms": 8, "queue_ms": 0,
                  "retrans": 0.2, "timeouts": 0.2},
        "GETATTR": {"rate": 40, "rtt_ms": 1, "exec_ms": 1, "queue_ms": 0},
        "LOOKUP": {"rate": 10, "rtt_ms": 1, "exec_ms": 1, "queue_ms": 0, "errors": 0.1},
    },
}
# Mount points whose names clash or need escaping, with their READ rates.
ODD_MOUNTS = [("/mnt/with space", 11), ("/mnt/a.b", 12), ("/mnt/a_b", 13), (LONG_MOUNTPOINT, 14)]


def main(name, run):
    """The command line every e2e test takes; runs run(harness) and reports.
    A crash is a failure, with the reason."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--collectd", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--types-db", required=True)
    ap.add_argument("--fixtures")
    args = ap.parse_args()
    h = Harness(name, args)
    try:
        run(h)
    except Exception:
        import traceback
        h.check("test ran to the end", False, traceback.format_exc())
    finally:
        h.cleanup()
    return h.finish()
