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
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from mstest import Daemon, q, wait_until

HOST = "dryrun"
ALL_ON = ["ReportZeroOps", "ReportPerTransport", "ReportAllMountPoints", "ReportStall"]


def daemon_output(args, fixture, options, expected):
    """Runs collectd on fixture until every value list of the first read is
    in csv; returns ({identifier: [dsnames, values]}, [(level, message)])."""
    d = Daemon(args, "dryrun", [f"File {q(fixture)}", 'MountInfoFile ""'] +
               [f"{o} true" for o in options], interval=60, hostname=HOST,
               stop_timeout=15)
    try:
        d.start()
        # Interval 60: one read. Done when csv holds as many value lists as
        # expected, then a moment more for any the dry run did not expect.
        wait_until(lambda: not d.alive() or len(first_rows(d)) >= expected,
                   40, step=0.2)
        time.sleep(1.0)
        d.stop()
        logs = [(lv, m) for lv, m in d.log_entries()
                if m.startswith("mountstats plugin: ")]
        return first_rows(d), logs
    finally:
        d.cleanup()


def first_rows(d):
    """{"mountstats[-<pi>]/<type>[-<ti>]": [dsnames, first row's values]}."""
    out = {}
    for key, (header, rows) in d.read_csv().items():
        if rows:
            pi, _, t = key.partition("/")
            out[f"mountstats-{pi}/{t}" if pi else f"mountstats/{t}"] = [
                header.split(",")[1:], rows[0][1]]
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
    want, want_log = dryrun_output(args, fixture, options)
    got_csv, got_log = daemon_output(args, fixture, options, len(want))
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
