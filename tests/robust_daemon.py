"""Shared helpers of the robustness tests that run the real collectd daemon
(never_block.py, remount_rates.py, soak_daemon.py).

Each daemon gets its own temporary BaseDir, a private PluginDir holding
COPIES of the daemon's csv.so / logfile.so / unixsock.so and the built
mountstats.so (collectd refuses symlinked plugins), a logfile with
timestamps and severities, and is started in the foreground (-f).

Python 3 standard library only.
"""

import grp
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from mstest import STOCK_TYPES_DB, q, write_atomic

HOST = "testhost"
DATE_SUFFIX = re.compile(r"^(.*)-(\d{4}-\d{2}-\d{2})$")
LOG_LINE = re.compile(r"^\[([^\]]*)\] \[(\w+)\] (.*)$")
NOBODY_UID = 65534
NOBODY_GID = 65534


class Checks:
    """PASS/FAIL lines of one case, printed as a block when it ends."""

    def __init__(self, name):
        self.name = name
        self.lines = []
        self.passed = self.failed = 0
        self.skipped = None  # why the case could not run here, or None
        self.started = time.monotonic()
        self.ended = None
        self.lock = threading.Lock()

    def end(self):
        self.ended = time.monotonic()

    def check(self, desc, ok, detail=""):
        ok = bool(ok)
        line = f"  [{'PASS' if ok else 'FAIL'}] {self.name}: {desc}"
        if not ok and detail:
            line += "\n         " + str(detail).replace("\n", "\n         ")
        with self.lock:
            if ok:
                self.passed += 1
            else:
                self.failed += 1
            self.lines.append(line)
        return ok

    def skip(self, why):
        """The case cannot run here: the test reports it as skipped."""
        with self.lock:
            self.skipped = why
            self.lines.append(f"  [SKIP] {self.name}: {why}")

    def note(self, text):
        with self.lock:
            self.lines.append(f"  [note] {self.name}: {text}")

    def report(self):
        runtime = (self.ended or time.monotonic()) - self.started
        head = (f"== {self.name} ({self.passed} passed, {self.failed} failed, "
                f"{runtime:.1f} s)")
        return "\n".join([head] + self.lines)


class Daemon:
    """One collectd instance in its own directory.

    mountstats_lines: lines of the <Plugin mountstats> block ("@DIR@" stands
    for the daemon's directory). csv: None (no csv plugin), or the value of
    StoreRates. unixsock: load the unixsock plugin (socket: sock_path()).
    as_nobody: run the daemon as uid/gid 65534 with a BaseDir owned by it.
    global_lines: more lines of the global section."""

    def __init__(self, args, name, mountstats_lines, interval=1.0, csv=False,
                 unixsock=False, as_nobody=False, log_level="info",
                 global_lines=()):
        self.args = args
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"ms-{name}-")
        self.plugins = os.path.join(self.dir, "plugins")
        os.mkdir(self.plugins)
        wanted = ["logfile.so"]
        if csv is not None:
            wanted.append("csv.so")
        if unixsock:
            wanted.append("unixsock.so")
        for so in wanted:
            shutil.copy(os.path.join(args.collectd_plugin_dir, so),
                        os.path.join(self.plugins, so))
        # A copy: collectd refuses a symlinked .so ("not a regular file").
        shutil.copy(args.plugin, os.path.join(self.plugins, "mountstats.so"))
        self.log = os.path.join(self.dir, "log")
        self.csv = os.path.join(self.dir, "csv")
        self.sock = os.path.join(self.dir, "sock")
        self.conf = os.path.join(self.dir, "collectd.conf")
        self.stdout = os.path.join(self.dir, "stdout")
        self.stderr = os.path.join(self.dir, "stderr")
        self.as_nobody = as_nobody
        self.collectd = args.collectd
        if as_nobody:
            # The daemon (or the build tree's sanitizer wrapper) usually lies
            # below a folder that nobody cannot enter: CI and most users clone
            # into a 0700 folder such as /root or a mktemp -d. Run a copy from
            # the daemon's own folder, which is handed to nobody below.
            bindir = os.path.join(self.dir, "bin")
            os.mkdir(bindir)
            self.collectd = shutil.copy(args.collectd, bindir)
        conf = [
            f"BaseDir {q(self.dir)}",
            f"PIDFile {q(os.path.join(self.dir, 'collectd.pid'))}",
            f"PluginDir {q(self.plugins)}",
            f"TypesDB {q(STOCK_TYPES_DB)}",
            f"Interval {interval}",
            # One write thread: with several, a loaded machine can hand the
            # first two value lists of one identifier to two threads at once;
            # both find no csv file and create it, and the second's header
            # overwrites the first's row, leaving a torn line (seen in
            # never_block's growshrink case under ASan; collectd's csv plugin,
            # not the plugin under test).
            "WriteThreads 1",
            *global_lines,
            f"Hostname {q(HOST)}",
            "LoadPlugin logfile",
            "<Plugin logfile>",
            f"  LogLevel {log_level}",
            f"  File {q(self.log)}",
            "  Timestamp true",
            "  PrintSeverity true",
            "</Plugin>",
        ]
        if csv is not None:
            conf += ["LoadPlugin csv", "<Plugin csv>",
                     f"  DataDir {q(self.csv)}",
                     f"  StoreRates {'true' if csv else 'false'}",
                     "</Plugin>"]
        if unixsock:
            group = grp.getgrgid(os.getgid()).gr_name
            conf += ["LoadPlugin unixsock", "<Plugin unixsock>",
                     f"  SocketFile {q(self.sock)}",
                     f"  SocketGroup {q(group)}", "</Plugin>"]
        conf += ["LoadPlugin mountstats", "<Plugin mountstats>"]
        conf += ["  " + l.replace("@DIR@", self.dir) for l in mountstats_lines]
        conf += ["</Plugin>", ""]
        with open(self.conf, "w") as f:
            f.write("\n".join(conf))
        if as_nobody:
            for root, dirs, files in os.walk(self.dir):
                for n in dirs + files:
                    os.chown(os.path.join(root, n), NOBODY_UID, NOBODY_GID)
            os.chown(self.dir, NOBODY_UID, NOBODY_GID)
        self.proc = None
        self.returncode = None
        self.alive_at_stop = None

    def start(self, env=None):
        """env: variables added to the daemon's environment."""
        cmd = [self.collectd, "-f", "-C", self.conf]
        if self.as_nobody:
            cmd = ["setpriv", f"--reuid={NOBODY_UID}", f"--regid={NOBODY_GID}",
                   "--clear-groups", "--"] + cmd
        full_env = None
        if env:
            full_env = dict(os.environ)
            full_env.update(env)
        self.proc = subprocess.Popen(
            cmd, stdout=open(self.stdout, "w"), stderr=open(self.stderr, "w"),
            stdin=subprocess.DEVNULL, env=full_env)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return None
        self.alive_at_stop = self.proc.poll() is None
        if self.alive_at_stop:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.returncode = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.returncode = self.proc.wait()
        return self.returncode

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def vmrss_kib(self):
        """The daemon's VmRSS in KiB, or None."""
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except (OSError, AttributeError):
            pass
        return None

    # ---- what it wrote ----

    def output_text(self):
        text = ""
        for p in (self.log, self.stdout, self.stderr):
            try:
                with open(p, errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        return text

    def log_entries(self):
        """[(level, message)] of the complete lines of the log file."""
        out = []
        try:
            with open(self.log, errors="replace") as f:
                for l in f:
                    if not l.endswith("\n"):
                        break
                    m = LOG_LINE.match(l.rstrip("\n"))
                    if m:
                        out.append((m.group(2), m.group(3)))
        except OSError:
            pass
        return out

    def log_at(self, level):
        return [m for lv, m in self.log_entries() if lv == level]

    def suspended(self):
        """collectd suspends a read callback that returns non-zero."""
        return [m for _, m in self.log_entries()
                if "Will suspend" in m or "read-function of plugin" in m]

    def read_csv(self, plugin="mountstats"):
        """{"<plugin_instance>/<type>[-<ti>]": (header, [(epoch, [fields])])}
        for one plugin; the files of several days are merged."""
        data = {}
        base = os.path.join(self.csv, HOST)
        try:
            dirs = sorted(os.listdir(base))
        except OSError:
            return data
        for d in dirs:
            if d == plugin:
                pi = ""
            elif d.startswith(plugin + "-"):
                pi = d[len(plugin) + 1:]
            else:
                continue
            for fn in sorted(os.listdir(os.path.join(base, d))):
                m = DATE_SUFFIX.match(fn)
                if not m:
                    continue
                key = f"{pi}/{m.group(1)}"
                try:
                    with open(os.path.join(base, d, fn), errors="replace") as f:
                        text = f.read()
                except OSError:
                    continue
                lines = text.split("\n")[:-1]  # drop a partial last line
                if not lines:
                    continue
                header, rows = data.get(key, (lines[0], []))
                for l in lines[1:]:
                    parts = l.split(",")
                    try:
                        rows.append((float(parts[0]), parts[1:]))
                    except ValueError:
                        rows.append((float("nan"), parts[1:]))
                data[key] = (header, rows)
        for key in data:
            data[key][1].sort(key=lambda r: r[0])
        return data

    def rows(self, key):
        return self.read_csv().get(key, (None, []))[1]

    def wait_row_after(self, key, after, timeout=8.0):
        """The first csv row of key with epoch > after, waiting for it; None
        when none came within timeout (or the daemon died)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = [r for r in self.rows(key) if r[0] > after]
            if rows:
                return rows[0]
            if not self.alive():
                return None
            time.sleep(0.05)
        return None

    def wait_log(self, level, needle, count=1, timeout=8.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len([m for m in self.log_at(level) if needle in m]) >= count:
                return True
            time.sleep(0.05)
        return False

    # ---- unixsock ----

    def unixsock(self, command, timeout=5.0):
        """Sends one command; returns (status line, [data lines])."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(self.sock)
            s.sendall((command + "\n").encode())
            f = s.makefile("r", encoding="utf-8", errors="replace")
            status = f.readline().rstrip("\n")
            lines = []
            try:
                n = int(status.split(" ", 1)[0])
            except ValueError:
                n = 0
            for _ in range(max(n, 0)):
                lines.append(f.readline().rstrip("\n"))
            f.close()
            return status, lines
        finally:
            s.close()

    def listval(self):
        """{identifier: epoch} of every value in the daemon's cache."""
        status, lines = self.unixsock("LISTVAL")
        out = {}
        for l in lines:
            t, _, ident = l.partition(" ")
            try:
                out[ident] = float(t)
            except ValueError:
                pass
        return out


def wait_until(pred, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def symlink_atomic(target, path):
    """Points the symlink path at target (ln -sfn, atomically)."""
    tmp = path + ".lnk"
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    os.symlink(target, tmp)
    os.replace(tmp, path)


# ---- mountstats text in the kernel's layout (MOUNTSTATS-FORMAT.md) ----

V3_OPS = ["NULL", "GETATTR", "SETATTR", "LOOKUP", "ACCESS", "READ", "WRITE",
          "COMMIT"]
EVENTS = 27
BYTES = 8
# The types the 27 events are dispatched as (plugin/mountstats.types.db), no
# type_instance: (type, first event, count), events numbered from 0 in the
# order of the events: line. Each one only when the line has all of its
# events (nfs_events_pnfs needs 27).
EVENT_GROUPS = [
    ("nfs_events_cache", 0, 4),   # inode_revalidate .. attr_invalidate
    ("nfs_events_vfs", 4, 8),     # vfs_open .. vfs_write_pages
    ("nfs_events_file", 12, 6),   # vfs_getdents .. vfs_release
    ("nfs_events_io", 18, 7),     # congestion_wait .. delay
    ("nfs_events_pnfs", 25, 2),   # pnfs_read, pnfs_write
]
# The ERROR when File is a FIFO, a device or a socket (never opened for
# reading: it could block or never end). A socket may fail in open() first:
# ENXIO, "No such device or address".
NOT_REGULAR = "is not a regular file (a FIFO, device or socket)"


def nfs_record(mountpoint, device, age, events, nbytes, xprt, ops,
               rpc="1.1", proto="tcp"):
    """One NFSv3 record and its trailing empty line. events: 27 numbers,
    nbytes: 8, xprt: the 13 numbers of a tcp xprt line, ops: [(name,
    [8 or 9 numbers])]."""
    assert len(events) == EVENTS and len(nbytes) == BYTES
    out = [
        f"device {device} mounted on {mountpoint} with fstype nfs "
        f"statvers=1.1\n",
        f"\topts:\trw,vers=3,rsize=1048576,wsize=1048576,namlen=255,hard,"
        f"proto={proto},timeo=600,retrans=2,sec=sys,mountaddr=192.0.2.10,"
        f"mountvers=3,mountport=20048,mountproto=udp,local_lock=none\n",
        f"\tage:\t{age}\n",
        "\tcaps:\tcaps=0xf,wtmult=512,dtsize=1048576,bsize=0,namlen=255\n",
        "\tsec:\tflavor=1,pseudoflavor=1\n",
        "\tevents:\t" + "".join(f"{v} " for v in events) + "\n",
        "\tbytes:\t" + "".join(f"{v} " for v in nbytes) + "\n",
        f"\tRPC iostats version: {rpc}  p/v: 100003/3 (nfs)\n",
        f"\txprt:\t{proto} " + " ".join(str(v) for v in xprt) + "\n",
        "\tper-op statistics\n",
    ]
    for name, vals in ops:
        out.append(f"\t{name:>12}: " + " ".join(str(v) for v in vals) + "\n")
    out.append("\n")
    return "".join(out)


NON_NFS_HEAD = ("device proc mounted on /proc with fstype proc\n"
                "device sysfs mounted on /sys with fstype sysfs\n"
                "device /dev/vda1 mounted on / with fstype ext4\n")


def num(s):
    s = s.strip()
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    return float(s)


def add_common_args(p):
    p.add_argument("--collectd", default="/usr/sbin/collectd")
    p.add_argument("--plugin", required=True, help="the built mountstats.so")
    p.add_argument("--collectd-plugin-dir", default="/usr/lib/collectd")
    p.add_argument("--keep", action="store_true",
                   help="keep the temporary directories")
