# SPDX-License-Identifier: MIT
"""What every Python test that runs the real collectd shares: writing the
daemon's config, starting it (`collectd -f -C conf`, optionally as nobody
or with more environment), waiting for it by polling its files, stopping
it (SIGTERM, exit status, how long it took), its log and its csv files;
also quoting a collectd config string and replacing a file atomically; the PASS/FAIL report of a case.

Used by integration_csv.py, integration_iostat.py, dryrun_csv.py,
never_block.py, remount_rates.py, soak_daemon.py and e2e_common.py (and
through it every e2e_*.py). tests/live/guest_scenario.py runs inside a
qemu guest with its own copy of these steps and does not import this.

Python 3 standard library only."""
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

STOCK_TYPES_DB = "/usr/share/collectd/types.db"
STOCK_PLUGIN_DIR = "/usr/lib/collectd"
HOST = "testhost"
DATE_SUFFIX = re.compile(r"^(.*)-(\d{4}-\d{2}-\d{2})$")
LOG_LINE = re.compile(r"^\[([^\]]*)\] \[(\w+)\] (.*)$")
NOBODY_UID = 65534
NOBODY_GID = 65534
# What collectd logs (INFO) when every plugin is configured and initialised.
READY = "Initialization complete"


def fnv1a32(data):
    """FNV-1a 32-bit of bytes: the hash in long names and in NamingScheme
    auto's clash suffixes (collectd-mountstats(5), Naming)."""
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def q(s):
    """A collectd config string."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_atomic(path, text):
    """Replaces path by rename (what a careful writer does): a reader sees
    the old file or the new one, never a part."""
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def wait_until(pred, timeout, step=0.05):
    """Polls pred until it is true or timeout seconds have passed; returns
    its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def stop_process(p, timeout, sig=signal.SIGTERM, group=False):
    """Sends sig to p (to its process group when group), waits up to timeout
    seconds, then SIGKILLs the group. Returns the exit status."""
    if p.poll() is None:
        try:
            if group:
                os.killpg(p.pid, sig)
            else:
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


def log_problems(text, allowed=()):
    """The lines of a logfile text (PrintSeverity true) at [error] or
    [warning] that contain none of the allowed substrings."""
    return [l for l in text.splitlines()
            if ("[error]" in l or "[warning]" in l)
            and not any(a in l for a in allowed)]


def read_csv_tree(csv_dir, host, plugin="mountstats"):
    """{"<plugin_instance>/<type>[-<ti>]": (header, [(epoch, [fields])])}
    of one plugin in a csv plugin's DataDir; the files of several days are
    merged, a partial last line is left out."""
    data = {}
    base = os.path.join(csv_dir, host)
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


class Checks:
    """PASS/FAIL lines of one case, printed as a block when it ends (the
    checks may come from several threads)."""

    def __init__(self, name, heading=None):
        self.name = name
        self.heading = heading or name  # the block's first line
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

    def finish(self):
        """Ends the case, prints its block and the "N passed, M failed"
        line; returns the exit status (0: something passed, nothing
        failed)."""
        self.end()
        print(self.report())
        print(f"{self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 and self.passed > 0 else 1

    def report(self):
        runtime = (self.ended or time.monotonic()) - self.started
        head = (f"== {self.heading} ({self.passed} passed, "
                f"{self.failed} failed, {runtime:.1f} s)")
        return "\n".join([head] + self.lines)


class Daemon:
    """One collectd instance in its own directory.

    args: .collectd (the daemon or a wrapper), .plugin (the built
    mountstats.so), optional .collectd_plugin_dir and .keep.
    mountstats_lines: lines of the <Plugin mountstats> block ("@DIR@" stands
    for the daemon's directory); None: no block (body has it, or none).
    csv: None (no csv plugin), or the value of StoreRates. unixsock: load
    the unixsock plugin (socket: self.sock). as_nobody: run the daemon as
    uid/gid 65534 with a BaseDir owned by it. global_lines: more lines of
    the global section. plugins: more of collectd's plugins to copy into
    the PluginDir (their blocks go in body, config text after the csv and
    unixsock blocks). types_dbs: TypesDB files (default collectd's own).
    hostname: None writes no Hostname. parent: a folder to make the
    daemon's directory <parent>/<name> in (default: a new temporary one,
    prefix + name). output: one file for stdout and stderr (default:
    <dir>/stdout and <dir>/stderr). new_session: start the daemon in a
    session of its own. stop_timeout: seconds stop() waits after SIGTERM
    before SIGKILL."""

    def __init__(self, args, name, mountstats_lines=None, interval=1,
                 csv=False, unixsock=False, as_nobody=False,
                 log_level="info", global_lines=(), plugins=(), body="",
                 types_dbs=None, hostname=HOST, with_mountstats=True,
                 parent=None, prefix="ms-", output=None, new_session=False,
                 stop_timeout=20, write_threads=1):
        self.args = args
        self.name = name
        self.keep = getattr(args, "keep", False)
        if parent is None:
            self.dir = tempfile.mkdtemp(prefix=f"{prefix}{name}-")
        else:
            self.dir = os.path.join(parent, name)
            os.makedirs(self.dir, exist_ok=True)
        try:
            self._setup(mountstats_lines, interval, csv, unixsock, as_nobody,
                        log_level, global_lines, plugins, body, types_dbs,
                        hostname, with_mountstats, write_threads)
        except BaseException:
            if parent is None:
                shutil.rmtree(self.dir, ignore_errors=True)
            raise
        self.output = output
        self.new_session = new_session
        self.stop_timeout = stop_timeout
        self.proc = None
        self.returncode = None
        self.alive_at_stop = None
        self.started_at = None
        self.stop_seconds = None  # how long the daemon took to exit

    def _setup(self, mountstats_lines, interval, csv, unixsock, as_nobody,
               log_level, global_lines, plugins, body, types_dbs, hostname,
               with_mountstats, write_threads):
        self.plugins = os.path.join(self.dir, "plugins")
        os.mkdir(self.plugins)
        stock = getattr(self.args, "collectd_plugin_dir", None) \
            or STOCK_PLUGIN_DIR
        wanted = ["logfile"]
        if csv is not None:
            wanted.append("csv")
        if unixsock:
            wanted.append("unixsock")
        wanted += [p for p in plugins if p not in wanted]
        # Copies: collectd refuses a symlinked .so ("not a regular file").
        for p in wanted:
            shutil.copy(os.path.join(stock, p + ".so"),
                        os.path.join(self.plugins, p + ".so"))
        if with_mountstats:
            shutil.copy(self.args.plugin,
                        os.path.join(self.plugins, "mountstats.so"))
        self.log = os.path.join(self.dir, "log")
        self.csv = os.path.join(self.dir, "csv")
        self.sock = os.path.join(self.dir, "sock")
        self.conf = os.path.join(self.dir, "collectd.conf")
        self.stdout = os.path.join(self.dir, "stdout")
        self.stderr = os.path.join(self.dir, "stderr")
        self.hostname = hostname
        self.as_nobody = as_nobody
        self.collectd = self.args.collectd
        if as_nobody:
            # The daemon (or the build tree's sanitizer wrapper) usually lies
            # below a folder that nobody cannot enter: CI and most users clone
            # into a 0700 folder such as /root or a mktemp -d. Run a copy from
            # the daemon's own folder, which is handed to nobody below.
            bindir = os.path.join(self.dir, "bin")
            os.mkdir(bindir)
            self.collectd = shutil.copy(self.args.collectd, bindir)
        conf = [
            f"BaseDir {q(self.dir)}",
            f"PIDFile {q(os.path.join(self.dir, 'collectd.pid'))}",
            f"PluginDir {q(self.plugins)}",
            "TypesDB " + " ".join(q(t) for t in types_dbs or [STOCK_TYPES_DB]),
            f"Interval {interval}",
        ]
        if write_threads:
            # One write thread: with several, a loaded machine can hand the
            # first two value lists of one identifier to two threads at
            # once; both find no csv file and create it, and the second's
            # header overwrites the first's row, leaving a torn line; value
            # lists of two reads can also be handled out of order, which
            # gives collectd's own "uc_update: Value too old" notices (seen
            # under CPU load and ASan; collectd's doing, not the plugin's).
            conf.append(f"WriteThreads {write_threads}")
        conf += list(global_lines)
        if hostname is not None:
            conf.append(f"Hostname {q(hostname)}")
        conf += [
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
        if body:
            conf.append(body.rstrip("\n"))
        if mountstats_lines is not None:
            conf += ["LoadPlugin mountstats", "<Plugin mountstats>"]
            conf += ["  " + l.replace("@DIR@", self.dir)
                     for l in mountstats_lines]
            conf += ["</Plugin>"]
        conf.append("")
        with open(self.conf, "w") as f:
            f.write("\n".join(conf))
        if as_nobody:
            for root, dirs, files in os.walk(self.dir):
                for n in dirs + files:
                    os.chown(os.path.join(root, n), NOBODY_UID, NOBODY_GID)
            os.chown(self.dir, NOBODY_UID, NOBODY_GID)

    # ---- running ----

    def start(self, env=None):
        """Starts `collectd -f -C conf`; does not wait (wait_ready() does).
        env: variables added to the daemon's environment."""
        cmd = [self.collectd, "-f", "-C", self.conf]
        if self.as_nobody:
            cmd = ["setpriv", f"--reuid={NOBODY_UID}", f"--regid={NOBODY_GID}",
                   "--clear-groups", "--"] + cmd
        full_env = None
        if env:
            full_env = dict(os.environ)
            full_env.update(env)
        if self.output:
            out = open(self.output, "wb")
            err = subprocess.STDOUT
        else:
            out, err = open(self.stdout, "w"), open(self.stderr, "w")
        try:
            self.proc = subprocess.Popen(
                cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                env=full_env, start_new_session=self.new_session)
        finally:
            out.close()
            if err is not subprocess.STDOUT:
                err.close()
        self.started_at = time.monotonic()
        return self

    def test_mode(self, timeout=30):
        """collectd -T: config, init, one read, exit. Returns the exit
        status, or "timeout"."""
        with open(self.stdout, "w") as out, open(self.stderr, "w") as err:
            try:
                return subprocess.run([self.collectd, "-T", "-C", self.conf],
                                      stdout=out, stderr=err,
                                      stdin=subprocess.DEVNULL,
                                      timeout=timeout).returncode
            except subprocess.TimeoutExpired:
                return "timeout"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout=20.0):
        """Polls the log until collectd says its plugins are initialised
        (needs LogLevel info or lower). False when the daemon exited or the
        time ran out."""
        return wait_until(lambda: not self.alive() or any(
            READY in m for _, m in self.log_entries()), timeout) \
            and self.alive()

    def stop(self):
        """SIGTERM, then waits up to stop_timeout seconds (SIGKILL after
        that). Sets alive_at_stop, returncode and stop_seconds; returns the
        exit status."""
        if self.proc is None:
            return None
        self.alive_at_stop = self.proc.poll() is None
        t0 = time.monotonic()
        if self.alive_at_stop:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.returncode = self.proc.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.returncode = self.proc.wait()
        self.stop_seconds = time.monotonic() - t0
        return self.returncode

    def stopped_cleanly(self):
        """(ok, detail) after stop(): the daemon was running when told to
        stop and exited with status 0."""
        return (self.alive_at_stop and self.returncode == 0,
                f"alive={self.alive_at_stop} rc={self.returncode}\n"
                + self.output_text()[-1500:])

    def kill_if_running(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def cleanup(self):
        self.kill_if_running()
        if not self.keep:
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

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def output_text(self):
        """The log, then what the daemon printed."""
        text = ""
        for p in (self.log, self.output or self.stdout, self.stderr):
            try:
                with open(p, errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        return text

    def log_lines(self):
        """The complete lines of the log file."""
        return self.log_text().split("\n")[:-1]

    def log_entries(self):
        """[(level, message)] of the complete lines of the log file."""
        out = []
        for l in self.log_lines():
            m = LOG_LINE.match(l)
            if m:
                out.append((m.group(2), m.group(3)))
        return out

    def log_at(self, level):
        """Messages of one severity ("error", "warning", "info", ...)."""
        return [m for lv, m in self.log_entries() if lv == level]

    def log_count(self, level, needle):
        """How many messages of one severity contain needle."""
        return len([m for m in self.log_at(level) if needle in m])

    def problems(self, allowed=()):
        """The error and warning messages that contain none of the allowed
        substrings."""
        return [m for lv, m in self.log_entries()
                if lv in ("error", "warning")
                and not any(a in m for a in allowed)]

    def suspended(self):
        """collectd suspends a read callback that returns non-zero."""
        return [m for _, m in self.log_entries()
                if "Will suspend" in m or "read-function of plugin" in m]

    def wait_log(self, level, needle, count=1, timeout=8.0):
        return wait_until(lambda: self.log_count(level, needle) >= count,
                          timeout)

    def read_csv(self, plugin="mountstats"):
        return read_csv_tree(self.csv, self.hostname, plugin)

    def rows(self, key):
        return self.read_csv().get(key, (None, []))[1]

    def wait_rows(self, key, n, timeout=20, after=None):
        """Waits until key has n rows (with epoch > after, if given); False
        when the daemon exited first or the time ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                return False
            rows = self.rows(key)
            if after is not None:
                rows = [r for r in rows if r[0] > after]
            if len(rows) >= n:
                return True
            time.sleep(0.1)
        return False

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
