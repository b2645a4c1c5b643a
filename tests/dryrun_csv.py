#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The dry-run tool against the real daemon: for every fixture (and a few
with every reporting option on), what tools/mountstats-dryrun prints must be
what collectd with the plugin writes to csv (identifier, data source names,
every value as csv formats it) and to its log (every "mountstats plugin:"
line of the first read, with its severity)."""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from mstest import STOCK_TYPES_DB, q

HOST = "dryrun"
LOG_LINE = re.compile(r"^\[[^]]+\] \[(\w+)\] (.*)$")
DATE_SUFFIX = re.compile(r"^(.*)-\d{4}-\d{2}-\d{2}$")
ALL_ON = ["ReportZeroOps", "ReportPerTransport", "ReportAllMountPoints", "ReportStall"]


def daemon_output(args, fixture, options, work, expected):
    """Runs collectd on fixture until every value list of the first read is
    in csv; returns ({identifier: [dsnames, values]}, [(level, message)])."""
    os.makedirs(os.path.join(work, "plugins"))
    # Copies: collectd refuses a symlinked .so ("not a regular file").
    for so, name in ((os.path.join(args.collectd_plugin_dir, "csv.so"), None),
                     (os.path.join(args.collectd_plugin_dir, "logfile.so"),
                      None), (args.plugin, "mountstats.so")):
        shutil.copy(so, os.path.join(work, "plugins",
                                     name or os.path.basename(so)))
    log, csv = os.path.join(work, "log"), os.path.join(work, "csv")
    conf = [f"BaseDir {q(work)}", f"PIDFile {q(work + '/pid')}",
            f"PluginDir {q(work + '/plugins')}",
            f"TypesDB {q(STOCK_TYPES_DB)}", "Interval 60", "WriteThreads 1",
            f"Hostname {q(HOST)}", "LoadPlugin logfile", "<Plugin logfile>",
            "  LogLevel info", f"  File {q(log)}", "  Timestamp true",
            "  PrintSeverity true", "</Plugin>", "LoadPlugin csv",
            "<Plugin csv>", f"  DataDir {q(csv)}", "  StoreRates false",
            "</Plugin>", "LoadPlugin mountstats", "<Plugin mountstats>",
            f"  File {q(fixture)}", '  MountInfoFile ""'] + [
            f"  {o} true" for o in options] + ["</Plugin>", ""]
    with open(os.path.join(work, "collectd.conf"), "w") as f:
        f.write("\n".join(conf))
    proc = subprocess.Popen([args.collectd, "-f", "-C",
                             os.path.join(work, "collectd.conf")],
                            stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, "stderr"), "w"),
                            stdin=subprocess.DEVNULL)
    try:
        # Interval 60: one read. Done when csv holds as many value lists as
        # expected, then a moment more for any the dry run did not expect.
        deadline = time.monotonic() + 40
        while (time.monotonic() < deadline and proc.poll() is None and
               len(read_csv(csv)) < expected):
            time.sleep(0.2)
        time.sleep(1.0)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    logs = []
    with open(log, errors="replace") as f:
        for line in f:
            m = LOG_LINE.match(line.rstrip("\n"))
            if m and m.group(2).startswith("mountstats plugin: "):
                logs.append((m.group(1), m.group(2)))
    return read_csv(csv), logs


def read_csv(csv):
    out = {}
    base = os.path.join(csv, HOST)
    if not os.path.isdir(base):
        return out
    for d in sorted(os.listdir(base)):
        for fn in sorted(os.listdir(os.path.join(base, d))):
            m = DATE_SUFFIX.match(fn)
            if not m:
                continue
            with open(os.path.join(base, d, fn), errors="replace") as f:
                lines = f.read().split("\n")
            if len(lines) < 3:  # header, one row, the final newline
                continue
            out[f"{d}/{m.group(1)}"] = [lines[0].split(",")[1:],
                                        lines[1].split(",")[1:]]
    return out


def csv_number(v):
    """A JSON value as csv writes it: integers as they are, gauges "%lf"."""
    if v is None:
        return "nan"
    if isinstance(v, int):
        return str(v)
    return "%f" % v


def dryrun_output(args, fixture, options):
    cmd = [args.dryrun, "--json", "--host", HOST, "--MountInfoFile", ""]
    for o in options:
        cmd += ["--" + o, "true"]
    cmd.append(fixture)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    doc = json.loads(r.stdout)
    values = {}
    for vl in doc["values"]:
        ident = vl["plugin"] + ("-" + vl["plugin_instance"]
                                if vl["plugin_instance"] else "")
        ident += "/" + vl["type"] + ("-" + vl["type_instance"]
                                     if vl["type_instance"] else "")
        values[ident] = [vl["dsnames"], [csv_number(v) for v in vl["values"]]]
    logs = [(e["level"], e["message"]) for e in doc["log"]]
    return values, logs


def compare(args, fixture, options):
    work = tempfile.mkdtemp(prefix="ms-dryrun-")
    try:
        want, want_log = dryrun_output(args, fixture, options)
        got_csv, got_log = daemon_output(args, fixture, options, work,
                                         len(want))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    label = os.path.relpath(fixture, args.fixtures) + (
        " (" + ", ".join(options) + ")" if options else "")
    problems = []
    # The dry run knows the types, a daemon with the stock types.db only
    # those the plugin registered: every one here is in the csv.
    for k in sorted(set(want) | set(got_csv)):
        if k not in got_csv:
            problems.append(f"{k}: printed by the dry run, not in csv")
        elif k not in want:
            problems.append(f"{k}: in csv, not printed by the dry run")
        elif want[k] != got_csv[k]:
            problems.append(f"{k}: dry run {want[k]} != csv {got_csv[k]}")
    if got_log != want_log:
        problems.append(f"log: dry run {want_log} != daemon {got_log}")
    return label, len(want), problems


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--collectd", required=True)
    p.add_argument("--plugin", required=True)
    p.add_argument("--dryrun", required=True)
    p.add_argument("--fixtures", required=True)
    p.add_argument("--collectd-plugin-dir", default="/usr/lib/collectd")
    args = p.parse_args()
    fixtures = sorted(glob.glob(os.path.join(args.fixtures, "*.mountstats")))
    fixtures += sorted(glob.glob(os.path.join(args.fixtures, "integration",
                                              "*.mountstats")))
    fixtures += [os.path.join(args.fixtures, "demo", "mountstats")]
    runs = [(f, []) for f in fixtures]
    runs += [(f, ALL_ON) for f in fixtures if "integration" in f]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda r: compare(args, *r), runs))
    failed = 0
    for label, n, problems in results:
        if problems:
            failed += 1
            print(f"FAIL: {label}:\n  " + "\n  ".join(problems[:20]))
        else:
            print(f"PASS: {label}: {n} value lists and the log equal")
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
