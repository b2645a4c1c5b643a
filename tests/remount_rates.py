#!/usr/bin/env python3
"""Remounts: counters that go backwards must not give a bogus rate
downstream. Shown with collectd's own rate computation: the real daemon
(Interval 1) with the csv writer and StoreRates true.

The test feeds one snapshot per read interval (it writes snapshot k+1 by
rename as soon as the csv shows that snapshot k was read) of two NFS mounts:

  /srv/remount  snapshots 0-5: age 5000+k, every counter rises steadily
                (field f: 10^9 + f*10^6 + slope_f*k);
                snapshot 6: remounted: age 2, every counter small (f+1);
                snapshots 7-11: age 2+(k-6), counters rise again with other
                slopes ((f+1) + slope2_f*(k-6)).
  /srv/steady   never remounted: every counter rises steadily throughout
                (the control).

age is a GAUGE, stored as is even with StoreRates, so each csv row says
which snapshot that read saw. Expected rates are computed from the
snapshots' counter formulas and the csv timestamps: rate = (c(k_i) -
c(k_i-1)) / (t_i - t_i-1). Checks on every stored row of every DERIVE data
source of both mounts:
  - the first row is "nan" (no previous value);
  - rows before and after the remount: the expected rate (within 0.3 %, the
    csv timestamps having 1 ms resolution);
  - the row of the remount read: "nan" (collectd's DERIVE minimum 0) or no
    row at all; never a negative rate and never one > 1e12;
  - the steady mount's rates are its slopes in every row, also at the
    remount of the other one.
GAUGE data sources (age, idle_time, max_slots, count) are stored as printed.
ReportIostat true is on too: the plugin's own per-interval rates (nfs_iostat)
and per-op averages (nfs_op_avg) must equal the hand-computed ones, and the
remount read must give none of them (a fresh baseline).

Python 3 standard library only. Exit status 0 when every check passed; the
last line printed is "N passed, M failed".
"""

import argparse
import math
import os
import sys
import time
import traceback

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from robust_daemon import (BYTES, EVENT_GROUPS, EVENTS,  # noqa: E402
                           NON_NFS_HEAD, add_common_args,
                           nfs_record)
from mstest import Checks, Daemon, write_atomic  # noqa: E402

REMOUNT_AT = 6
SNAPSHOTS = 12
OPS = ["GETATTR", "READ", "WRITE"]
# The counter "fields" of a mount, in a fixed order: 27 events, 8 bytes,
# 12 xprt numbers after the source port (2 of them GAUGEs), 9 per op.
N_FIELDS = EVENTS + BYTES + 12 + 9 * len(OPS)
XPRT0 = EVENTS + BYTES
OP0 = XPRT0 + 12
IDLE_TIME, MAX_SLOTS = XPRT0 + 3, XPRT0 + 9  # GAUGEs in the xprt line


def slope(f, after):
    return (f + 1) * (37 if after else 1000)


def counter(mount, f, k):
    """Counter field f of mount ("remount"/"steady") in snapshot k."""
    if f == IDLE_TIME:
        return 5 + k % 3
    if f == MAX_SLOTS:
        return 65
    if mount == "steady":
        return 2 * 10**9 + f * 10**6 + slope(f, False) * k
    if k < REMOUNT_AT:
        return 10**9 + f * 10**6 + slope(f, False) * k
    return (f + 1) + slope(f, True) * (k - REMOUNT_AT)


def age(mount, k):
    if mount == "steady":
        return 100000 + k
    return 5000 + k if k < REMOUNT_AT else 2 + (k - REMOUNT_AT)


def k_of_age(mount, a):
    if mount == "steady":
        return a - 100000
    return a - 5000 if a >= 5000 else REMOUNT_AT + a - 2


def record(mount, k):
    c = [counter(mount, f, k) for f in range(N_FIELDS)]
    ops = [(name, c[OP0 + 9 * j:OP0 + 9 * j + 9]) for j, name in enumerate(OPS)]
    xprt = [800 if mount == "steady" else 801] + c[XPRT0:XPRT0 + 12]
    return nfs_record(f"/srv/{mount}", f"filer-{mount}:/export", age(mount, k),
                      c[:EVENTS], c[EVENTS:XPRT0], xprt, ops)


def snapshot(k):
    return NON_NFS_HEAD + record("remount", k) + record("steady", k)


def expected_fields(key):
    """For a csv key "<pi>/<type>[-<ti>]": (mount, [field index or a constant
    given as ("const", v)], [is_gauge])."""
    pi, tk = key.split("/", 1)
    mount = pi[len("srv-"):]
    x = lambda i: XPRT0 + i  # noqa: E731  xprt number i after the source port
    table = {
        "nfs_bytes": (list(range(EVENTS, XPRT0)), [False] * BYTES),
        # bind_count sends recvs bad_xids req_u bklog_u
        "nfs_xprt-tcp": ([x(0), x(4), x(5), x(6), x(7), x(8)], [False] * 6),
        # connect_count connect_time idle_time
        "nfs_xprt_conn-tcp": ([x(1), x(2), x(3)], [False, False, True]),
        # max_slots sending_u pending_u
        "nfs_xprt_slots-tcp": ([x(9), x(10), x(11)], [True, False, False]),
    }
    # the 27 events (fields 0-26) in five types
    for t, first, count in EVENT_GROUPS:
        table[t] = (list(range(first, first + count)), [False] * count)
    for j, name in enumerate(OPS):
        table[f"nfs_op-{name}"] = (list(range(OP0 + 9 * j, OP0 + 9 * j + 8)),
                                   [False] * 8)
        table[f"nfs_op_errors-{name}"] = ([OP0 + 9 * j + 8], [False])
    if tk not in table:
        return None
    fields, gauge = table[tk]
    return mount, fields, gauge


def parse(s):
    try:
        return float(s)
    except ValueError:
        return None


def iostat_expected(mount, k0, k1, dt):
    """ReportIostat's values between snapshots k0 and k1 (iostat.h):
    {"nfs_iostat": [5 values], "nfs_op_avg-<OP>": [7 values] or None (the op
    did not move)}, or None when a counter went backwards (no value)."""
    c0 = [counter(mount, f, k0) for f in range(N_FIELDS)]
    c1 = [counter(mount, f, k1) for f in range(N_FIELDS)]
    gauges = (IDLE_TIME, MAX_SLOTS)
    if age(mount, k1) < age(mount, k0) or any(
            b < a for f, (a, b) in enumerate(zip(c0, c1)) if f not in gauges):
        return None
    dc = [b - a for a, b in zip(c0, c1)]
    out = {}
    per_op = {}
    for j, name in enumerate(OPS):
        o = dc[OP0 + 9 * j:OP0 + 9 * j + 9]
        ops, trans, tmo, sent, recv, qu, rtt, ex = o[:8]
        per_op[name] = o
        out[f"nfs_op_avg-{name}"] = None if ops == 0 else [
            qu / ops, rtt / ops, ex / ops, sent / 1024 / ops, recv / 1024 / ops,
            (trans - ops) * 100 / ops if trans > ops else 0.0, tmo / dt]
    rd, wr = per_op["READ"], per_op["WRITE"]
    out["nfs_iostat"] = [dc[XPRT0 + 4] / dt, rd[0] / dt,
                         (rd[3] + rd[4]) / 1024 / dt, wr[0] / dt,
                         (wr[3] + wr[4]) / 1024 / dt]
    return out


def check_iostat(ck, data, seen_k):
    """ReportIostat true: the plugin's own rates and averages, from two reads,
    across the remount."""
    wrong, bogus, at_remount, checked = [], [], [], 0
    for mount in ("remount", "steady"):
        reads = sorted(seen_k[mount].items())
        rows = {}
        for key, (header, krows) in data.items():
            pi, tk = key.split("/", 1)
            if pi != f"srv-{mount}" or not tk.startswith(("nfs_iostat",
                                                           "nfs_op_avg")):
                continue
            for t, vals in krows:
                rows[(tk, round(t, 3))] = [parse(v) for v in vals]
                for v in rows[(tk, round(t, 3))]:
                    if v is None or v < 0 or v > 1e12:
                        bogus.append(f"{key} @{t:.3f}: {vals}")
        for i, (t, k) in enumerate(reads):
            exp = None
            if i > 0:
                exp = iostat_expected(mount, reads[i - 1][1], k,
                                      t - reads[i - 1][0])
            keys = ["nfs_iostat"] + [f"nfs_op_avg-{n}" for n in OPS]
            for tk in keys:
                got = rows.get((tk, t))
                want = exp.get(tk) if exp else None
                if want is None:
                    if got is not None:
                        wrong.append(f"srv-{mount}/{tk} @{t:.3f} (snapshot "
                                     f"{k}): {got}, expected no value")
                    elif exp is None and i > 0:
                        at_remount.append(tk)
                    continue
                checked += 1
                if got is None or len(got) != len(want) or any(
                        g is None or abs(g - w) > 3e-3 * abs(w) + 1e-3
                        for g, w in zip(got, want)):
                    wrong.append(f"srv-{mount}/{tk} @{t:.3f} (snapshot {k}): "
                                 f"{got}, expected {want}")
    ck.check("ReportIostat: no negative, huge or unparsable value",
             not bogus, "\n".join(bogus[:5]))
    ck.check(f"ReportIostat: {checked} rows are the hand-computed rates and "
             "averages; none for the first read", not wrong and checked >= 30,
             "\n".join(wrong[:8]))
    ck.check("ReportIostat: no nfs_iostat / nfs_op_avg value for the remount "
             f"read ({len(at_remount)} value lists left out)",
             len(at_remount) == 1 + len(OPS), at_remount)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_common_args(ap)
    args = ap.parse_args()
    ck = Checks("remount_rates")
    d = Daemon(args, "remount", ['File "@DIR@/mountstats"',
                                 "ReportIostat true"], csv=True)
    path = os.path.join(d.dir, "mountstats")
    try:
        write_atomic(path, snapshot(0))
        d.start()
        fed = True
        for k in range(SNAPSHOTS):
            if k > 0:
                write_atomic(path, snapshot(k))
            want = float(age("remount", k))
            deadline = time.monotonic() + 6
            seen = False
            while time.monotonic() < deadline and d.alive():
                rows = d.rows("srv-remount/uptime-age")
                if any(parse(r[1][0]) == want for r in rows):
                    seen = True
                    break
                time.sleep(0.05)
            if not seen:
                fed = False
                ck.check(f"snapshot {k} was read within 6 s", False,
                         d.output_text()[-1500:])
                break
        ck.check(f"all {SNAPSHOTS} snapshots were read, one after the other",
                 fed)
        time.sleep(0.3)
        d.stop()
        ck.check("daemon ran until SIGTERM, exit status 0",
                 d.alive_at_stop and d.returncode == 0,
                 f"rc={d.returncode}\n{d.output_text()[-1500:]}")
        data = d.read_csv()
        ck.check("csv header of nfs_op says rates are stored per data source",
                 data.get("srv-remount/nfs_op-READ", ("",))[0].startswith(
                     "epoch,ops,"), data.get("srv-remount/nfs_op-READ"))

        # Which snapshot each read saw, from the GAUGE age (same timestamp for
        # every value list of one read).
        seen_k = {}
        for mount in ("remount", "steady"):
            rows = data.get(f"srv-{mount}/uptime-age", ("", []))[1]
            seen_k[mount] = {round(t, 3): k_of_age(mount, int(parse(f[0])))
                             for t, f in rows}
        ks = sorted(seen_k["remount"].items())
        ck.note("reads (epoch -> snapshot of /srv/remount): "
                + ", ".join(f"{t:.3f}->{k}" for t, k in ks))
        ck.check("the remount snapshot was read",
                 REMOUNT_AT in seen_k["remount"].values())

        # Every counter type of both mounts was written: a type the table
        # does not know would not be checked at all.
        for mount in ("remount", "steady"):
            pi = f"srv-{mount}"
            unknown = sorted(
                k for k in data if k.startswith(pi + "/")
                and expected_fields(k) is None
                and k.split("/", 1)[1] not in ("uptime-age",
                                               "count-transports")
                and not k.split("/", 1)[1].startswith(("nfs_iostat",
                                                       "nfs_op_avg")))
            ck.check(f"{pi}: every stored counter type is one the test "
                     "knows (the 27 events in five nfs_events_* types)",
                     not unknown, unknown)
            missing = sorted(t for t, _, _ in EVENT_GROUPS
                             if f"{pi}/{t}" not in data)
            ck.check(f"{pi}: the five nfs_events_* types were stored",
                     not missing, missing)

        bogus, wrong, drop_rows, checked = [], [], [], 0
        before = after = 0
        examples = []
        for key, (header, rows) in sorted(data.items()):
            spec = expected_fields(key)
            if spec is None:
                continue
            mount, fields, gauge = spec
            prev = None  # (t, k)
            for t, vals in rows:
                k = seen_k[mount].get(round(t, 3))
                if k is None:
                    wrong.append(f"{key} @{t:.3f}: no age row at that time")
                    continue
                for j, (f, g) in enumerate(zip(fields, gauge)):
                    v = parse(vals[j]) if j < len(vals) else None
                    name = header.split(",")[j + 1]
                    where = f"{key} {name} @{t:.3f} (snapshot {k})"
                    if v is None:
                        wrong.append(f"{where}: unparsable {vals[j:j + 1]}")
                        continue
                    if not math.isnan(v) and (v < 0 or v > 1e12) and not g:
                        bogus.append(f"{where}: {v}")
                    if g:
                        exp = counter(mount, f, k)
                        if v != exp:
                            wrong.append(f"{where}: {v}, expected {exp}")
                        continue
                    checked += 1
                    if prev is None:
                        if not math.isnan(v):
                            wrong.append(f"{where}: first value {v}, "
                                         "expected nan")
                        continue
                    c0 = counter(mount, f, prev[1])
                    c1 = counter(mount, f, k)
                    if c1 < c0:
                        drop_rows.append(where)
                        if not math.isnan(v):
                            wrong.append(f"{where}: counter went from {c0} "
                                         f"to {c1}, stored {v}, expected nan")
                        continue
                    exp = (c1 - c0) / (t - prev[0])
                    if math.isnan(v) or abs(v - exp) > 3e-3 * exp + 1e-3:
                        wrong.append(f"{where}: {v}, expected "
                                     f"({c1}-{c0})/{t - prev[0]:.3f} = {exp}")
                    elif mount == "remount":
                        if k < REMOUNT_AT:
                            before += 1
                        else:
                            after += 1
                        if (key.endswith("nfs_op-READ") and name == "ops"
                                and len(examples) < 12):
                            examples.append(f"@{t:.3f} k={k}: {v:.3f} "
                                            f"(hand: {exp:.3f})")
                prev = (t, k)
        ck.note("READ ops rate of /srv/remount: " + "; ".join(examples))
        ck.check(f"no negative and no > 1e12 rate in any of {checked} stored "
                 "DERIVE values", not bogus, "\n".join(bogus[:8]))
        ck.check("every stored value is the hand-computed rate (nan for the "
                 "first row and for the remount read)", not wrong,
                 "\n".join(wrong[:10]))
        ck.check(f"rates before the remount checked ({before}) and after it "
                 f"({after})", before > 50 and after > 50)
        remount_drops = [w for w in drop_rows if "srv-remount/" in w]
        steady_drops = [w for w in drop_rows if "srv-steady/" in w]
        # DERIVE data sources of a mount: 27 events + 8 bytes + 6 nfs_xprt
        # + 2 of nfs_xprt_conn + 2 of nfs_xprt_slots + 3 ops * (8 + 1) = 72,
        # each checked once at the remount read.
        ck.check(f"the remount read was checked on every DERIVE data source "
                 f"({len(remount_drops)} nan expected and found, 72 wanted)",
                 len(remount_drops) == 72, remount_drops[:5])
        ck.check("the steady mount never dropped", not steady_drops,
                 steady_drops[:3])
        check_iostat(ck, data, seen_k)
        errs = d.log_at("error")
        ck.check("no ERROR line", not errs, errs[:3])
    except Exception:
        ck.check("test ran without an exception", False, traceback.format_exc())
    finally:
        d.cleanup()
    return ck.finish()


if __name__ == "__main__":
    sys.exit(main())
