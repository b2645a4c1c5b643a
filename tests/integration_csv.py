#!/usr/bin/env python3
"""Integration tests of the mountstats plugin with the real collectd daemon.

Each scenario starts /usr/sbin/collectd (or --collectd) in the foreground with
its own temporary BaseDir, a private PluginDir holding copies of csv.so,
logfile.so and the built mountstats.so (collectd refuses symlinked plugins),
Interval 1, and a mountstats block pointing at a hand-written fixture from
<fixtures>/integration/. It then reads what the csv writer stored
(<tmp>/csv/testhost/mountstats-<plugin_instance>/<type>[-<ti>]-YYYY-MM-DD)
and the log file.

Every expected value below was worked out by hand from the fixture text; the
script never parses a fixture to compute what to expect.

Cases (run in parallel threads, each daemon in its own temp dir):
  1 basic metrics        4 selection options
  2 file changing        5 error handling
  3 superblocks/naming   6 TypesDB variants
  7 old kernel layouts (25 events, 10-field tcp, 20-field rdma) and
    MaxNameLength

The 27 event counters are five types without type_instance
(plugin/mountstats.types.db): nfs_events_cache (events 1-4), nfs_events_vfs
(5-12), nfs_events_file (13-18), nfs_events_io (19-25), nfs_events_pnfs
(26-27), each dispatched only when the events: line printed all of its
events. The rdma counters (fields 11-27 of an rdma xprt line) are
nfs_xprt_rdma (11-15), nfs_xprt_rdma_copy (16-20) and nfs_xprt_rdma_mr
(21-27, only when the line has 27 fields).

Python 3 standard library only. Exit status 0 when every check passed; the
last line printed is "N passed, M failed".
"""

import argparse
import errno
import os
import re
import sys
import threading
import time
import traceback
import mstest
from mstest import STOCK_TYPES_DB, q, write_atomic

ARGS = None
# Slack for comparing a value's timestamp with the moment the test replaced
# the file: the plugin takes its timestamp just before it opens the file.
EPS = 0.25


# --------------------------------------------------------------------------
# expected values, worked out by hand from fixtures/integration/basic.mountstats

OP_HEADER = "epoch,ops,trans,timeouts,bytes_sent,bytes_recv,queue_ms,rtt_ms,exec_ms"
# The new types' csv headers, written out from plugin/mountstats.types.db
# (csv files of scratch: the plugin registers them itself with the stock
# TypesDB). rrdtool allows 19 characters in a DS name: reply_waits_send.
HEADERS = {
    "nfs_events_cache":
        "epoch,inode_revalidate,dentry_revalidate,data_invalidate,"
        "attr_invalidate",
    "nfs_events_vfs":
        "epoch,vfs_open,vfs_lookup,vfs_access,vfs_update_page,vfs_read_page,"
        "vfs_read_pages,vfs_write_page,vfs_write_pages",
    "nfs_events_file":
        "epoch,vfs_getdents,vfs_setattr,vfs_flush,vfs_fsync,vfs_lock,"
        "vfs_release",
    "nfs_events_io":
        "epoch,congestion_wait,setattr_trunc,extend_write,silly_rename,"
        "short_read,short_write,delay",
    "nfs_events_pnfs": "epoch,pnfs_read,pnfs_write",
    "nfs_xprt_rdma-rdma":
        "epoch,read_chunks,write_chunks,reply_chunks,rdma_request,rdma_reply",
    "nfs_xprt_rdma_copy-rdma":
        "epoch,pullup_copy,fixup_copy,hardway_register,failed_marshal,"
        "bad_reply",
    "nfs_xprt_rdma_mr-rdma":
        "epoch,nomsg_call,mrs_recycled,mrs_orphaned,mrs_allocated,"
        "local_inv_needed,empty_sendctx_q,reply_waits_send",
}

# plugin_instance -> op name -> (8 nfs_op values, errors value or None)
BASIC_OPS = {
    "root": {  # "/" , nfs4 v4.1, RPC 1.1 (9 fields); WRITE is all zero
        "NULL": ([1, 1, 0, 44, 24, 0, 0, 0], 0),
        "READ": ([31, 31, 0, 4092, 3952000, 0, 60, 62], 0),
        "GETATTR": ([80, 80, 0, 12800, 19200, 1, 40, 45], 0),
        "LOOKUP": ([25, 25, 0, 4000, 6000, 0, 12, 14], 7),
        "SEQUENCE": ([200, 200, 0, 24000, 17600, 0, 100, 105], 0),
    },
    "srv-data": {  # nfs v3 tcp, RPC 1.0 (8 fields): no errors column
        "GETATTR": ([40, 41, 0, 4400, 5500, 3, 60, 70], None),
        "LOOKUP": ([12, 12, 0, 1560, 2880, 1, 24, 30], None),
        "ACCESS": ([9, 9, 0, 1080, 1080, 0, 9, 10], None),
        "READ": ([7, 7, 0, 784, 57456, 0, 35, 36], None),
        "WRITE": ([5, 5, 1, 41540, 680, 2, 15, 19], None),
        "READDIRPLUS": ([2, 2, 0, 280, 8400, 0, 4, 5], None),
        "FSSTAT": ([1, 1, 0, 100, 168, 0, 1, 1], None),
        "FSINFO": ([2, 2, 0, 200, 328, 0, 2, 2], None),
    },
    "mnt-with space": {  # "/mnt/with\040space", nfs v3 udp, RPC 1.0
        "GETATTR": ([15, 15, 0, 1650, 1680, 0, 7, 8], None),
        "READ": ([3, 3, 0, 336, 33000, 0, 4, 4], None),
        "WRITE": ([2, 2, 0, 8400, 272, 0, 2, 3], None),
    },
    "home": {  # nfs4 v4.2 nconnect=4, RPC 1.1; READ queue = 2^64-1 -> -1
        "NULL": ([1, 1, 0, 44, 24, 0, 0, 1], 0),
        "READ": ([300, 301, 1, 45000, 9830400, -1, 900, 950], 2),
        "OPEN": ([20, 20, 0, 6000, 8000, 1, 40, 45], 3),
        "CLOSE": ([20, 20, 0, 4000, 3000, 0, 20, 22], 0),
        "SETCLIENTID": ([1, 1, 0, 200, 60, 0, 1, 1], 0),
        "SETCLIENTID_CONFIRM": ([1, 1, 0, 120, 80, 0, 1, 2], 1),
        "GETATTR": ([150, 150, 0, 27000, 36000, 2, 150, 160], 0),
        "LOOKUP": ([30, 30, 0, 5400, 7200, 0, 30, 33], 4),
        "SEQUENCE": ([500, 500, 0, 60000, 44000, 0, 250, 260], 0),
    },
    "scratch": {  # nfs4 v4.1 over rdma, nconnect=2, RPC 1.1
        "NULL": ([1, 1, 0, 44, 24, 0, 0, 0], 0),
        "READ": ([64, 64, 0, 9216, 67108864, 2, 128, 135], 0),
        "WRITE": ([16, 17, 1, 16779264, 2304, 3, 70, 80], 1),
        "SEQUENCE": ([90, 90, 0, 10800, 7920, 0, 45, 47], 0),
    },
}
# Ops printed with ops == 0 (absent unless ReportZeroOps true).
BASIC_ZERO_OPS = {
    "root": {"WRITE": 0},
    "srv-data": {"NULL": None, "SETATTR": None, "READLINK": None,
                 "CREATE": None, "COMMIT": None},
    "mnt-with space": {"NULL": None},
    "home": {"WRITE": 0, "COMMIT": 0, "RENEW": 0},
    "scratch": {"COMMIT": 0},
}

# plugin_instance -> key (type[-type_instance]) -> expected values
BASIC_MOUNT_VALUES = {
    "root": {
        "uptime-age": [86400],
        # events: 300 200 1 2 | 50 60 70 0 0 10 0 5 | 3 1 4 4 0 49 |
        #         0 0 0 0 0 0 0 | 0 0
        "nfs_events_cache": [300, 200, 1, 2],
        "nfs_events_vfs": [50, 60, 70, 0, 0, 10, 0, 5],
        "nfs_events_file": [3, 1, 4, 4, 0, 49],
        "nfs_events_io": [0, 0, 0, 0, 0, 0, 0],
        "nfs_events_pnfs": [0, 0],
        "nfs_bytes": [123456789, 0, 0, 0, 123456789, 0, 30141, 0],
        # tcp 700 0 1 2 3 60 60 0 90 0 4 70 1
        "nfs_xprt-tcp": [0, 60, 60, 0, 90, 0],
        "nfs_xprt_conn-tcp": [1, 2, 3],
        "nfs_xprt_slots-tcp": [4, 70, 1],
        "count-transports": [1],
    },
    "srv-data": {
        "uptime-age": [3600],
        # events: 1001 .. 1018 | 0 1020 1021 1022 1023 1024 1025 | 0 0
        "nfs_events_cache": [1001, 1002, 1003, 1004],
        "nfs_events_vfs": [1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012],
        "nfs_events_file": [1013, 1014, 1015, 1016, 1017, 1018],
        "nfs_events_io": [0, 1020, 1021, 1022, 1023, 1024, 1025],
        "nfs_events_pnfs": [0, 0],
        "nfs_bytes": [1048576, 524288, 0, 0, 1052672, 528384, 257, 129],
        # tcp 801 1 2 30 4 500 499 0 1500 7 16 600 0
        "nfs_xprt-tcp": [1, 500, 499, 0, 1500, 7],
        "nfs_xprt_conn-tcp": [2, 30, 4],
        "nfs_xprt_slots-tcp": [16, 600, 0],
        "count-transports": [1],
    },
    "mnt-with space": {
        "uptime-age": [1800],
        # events: 11 .. 37
        "nfs_events_cache": [11, 12, 13, 14],
        "nfs_events_vfs": [15, 16, 17, 18, 19, 20, 21, 22],
        "nfs_events_file": [23, 24, 25, 26, 27, 28],
        "nfs_events_io": [29, 30, 31, 32, 33, 34, 35],
        "nfs_events_pnfs": [36, 37],
        "nfs_bytes": [100, 200, 300, 400, 500, 600, 700, 800],
        "nfs_fscache": [1, 2, 3, 4, 5],
        # udp 876 3 250 249 1 750 12 32 5 9 (udp has no connect fields)
        "nfs_xprt-udp": [3, 250, 249, 1, 750, 12],
        "nfs_xprt_slots-udp": [32, 5, 9],
        "count-transports": [1],
    },
    "home": {
        "uptime-age": [7200],
        # events: 5 10 .. 90 | 0 100 105 .. 125 | 130 135
        "nfs_events_cache": [5, 10, 15, 20],
        "nfs_events_vfs": [25, 30, 35, 40, 45, 50, 55, 60],
        "nfs_events_file": [65, 70, 75, 80, 85, 90],
        "nfs_events_io": [0, 100, 105, 110, 115, 120, 125],
        "nfs_events_pnfs": [130, 135],
        "nfs_bytes": [9830400, 4096000, 0, 8192, 9830400, 4100096, 2400, 1001],
        # four tcp lines (srcport 901..904):
        #   bind 1+0+2+0=3, sends 100+200+300+400=1000, recvs 99+198+297+396=990,
        #   bad_xids 0+1+0+2=3, req_u 200+400+600+800=2000, bklog_u 1+2+3+4=10
        "nfs_xprt-tcp": [3, 1000, 990, 3, 2000, 10],
        #   connect_count 1*4=4, connect_time 5+6+7+8=26, idle_time min(10..40)
        "nfs_xprt_conn-tcp": [4, 26, 10],
        #   max_slots max(8,9,12,11)=12, sending_u 300+310+320+330=1260,
        #   pending_u 2+3+4+5=14
        "nfs_xprt_slots-tcp": [12, 1260, 14],
        "count-transports": [4],
    },
    "scratch": {
        "uptime-age": [600],
        # events: 0 .. 26
        "nfs_events_cache": [0, 1, 2, 3],
        "nfs_events_vfs": [4, 5, 6, 7, 8, 9, 10, 11],
        "nfs_events_file": [12, 13, 14, 15, 16, 17],
        "nfs_events_io": [18, 19, 20, 21, 22, 23, 24],
        "nfs_events_pnfs": [25, 26],
        "nfs_bytes": [67108864, 16777216, 0, 0, 67108864, 16777216, 16384,
                      4096],
        # rdma 0 0 1 3 7 1000 1000 0 3000 5 11..20 21..26 0
        # rdma 0 1 1 4 2 2000 1999 1 5000 6 31..40 41..46 0
        "nfs_xprt-rdma": [1, 3000, 2999, 1, 8000, 11],
        "nfs_xprt_conn-rdma": [2, 7, 2],  # idle_time: the smaller one
        # fields 11-15: 11+31 .. 15+35
        "nfs_xprt_rdma-rdma": [42, 44, 46, 48, 50],
        # fields 16-20: 16+36 .. 20+40
        "nfs_xprt_rdma_copy-rdma": [52, 54, 56, 58, 60],
        # fields 21-27: 21+41 .. 26+46, 0+0
        "nfs_xprt_rdma_mr-rdma": [62, 64, 66, 68, 70, 72, 0],
        "count-transports": [2],
    },
}
# ReportPerTransport true: the four tcp lines of /home one by one.
HOME_PER_TRANSPORT = {
    "tcp-0": ([1, 100, 99, 0, 200, 1], [1, 5, 10], [8, 300, 2]),
    "tcp-1": ([0, 200, 198, 1, 400, 2], [1, 6, 20], [9, 310, 3]),
    "tcp-2": ([2, 300, 297, 0, 600, 3], [1, 7, 30], [12, 320, 4]),
    "tcp-3": ([0, 400, 396, 2, 800, 4], [1, 8, 40], [11, 330, 5]),
}
# ... and the two rdma lines of /scratch (no slots part for rdma).
SCRATCH_PER_TRANSPORT = {
    "rdma-0": {"nfs_xprt": [0, 1000, 1000, 0, 3000, 5],
               "nfs_xprt_conn": [1, 3, 7],
               "nfs_xprt_rdma": [11, 12, 13, 14, 15],
               "nfs_xprt_rdma_copy": [16, 17, 18, 19, 20],
               "nfs_xprt_rdma_mr": [21, 22, 23, 24, 25, 26, 0]},
    "rdma-1": {"nfs_xprt": [1, 2000, 1999, 1, 5000, 6],
               "nfs_xprt_conn": [1, 4, 2],
               "nfs_xprt_rdma": [31, 32, 33, 34, 35],
               "nfs_xprt_rdma_copy": [36, 37, 38, 39, 40],
               "nfs_xprt_rdma_mr": [41, 42, 43, 44, 45, 46, 0]},
}


def basic_expected_keys(zero_ops=False):
    """The full set of "<plugin_instance>/<type>[-<ti>]" of basic.mountstats."""
    keys = set()
    for pi, vals in BASIC_MOUNT_VALUES.items():
        keys.update(f"{pi}/{k}" for k in vals)
        ops = dict(BASIC_OPS[pi])
        if zero_ops:
            ops.update({n: (None, e) for n, e in BASIC_ZERO_OPS[pi].items()})
        for op, (_, err) in ops.items():
            keys.add(f"{pi}/nfs_op-{op}")
            if err is not None:
                keys.add(f"{pi}/nfs_op_errors-{op}")
    return keys


# --------------------------------------------------------------------------
# reporting

def Case(number, title):
    """Checks of one case; printed as a block when the case ends."""
    return mstest.Checks(number, heading=f"case {number}: {title}")


# --------------------------------------------------------------------------
# the daemon

class Daemon(mstest.Daemon):
    """One collectd instance with its own directory (mstest.Daemon: csv
    with StoreRates false, Hostname testhost). "@DIR@" in plugin_lines
    stands for that directory."""

    def __init__(self, name, plugin_lines, types_dbs=None):
        super().__init__(ARGS, name, plugin_lines, types_dbs=types_dbs,
                         prefix="ms-int-", stop_timeout=15)


def num(s):
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    return float(s)


def values_equal(fields, expected):
    try:
        return len(fields) == len(expected) and all(
            num(f) == e for f, e in zip(fields, expected))
    except ValueError:
        return False


def fixture(name):
    return os.path.join(ARGS.fixtures, "integration", name)


def read_fixture(name):
    with open(fixture(name)) as f:
        return f.read()


def load_types_db(path):
    """type -> "epoch,<ds names>" from a types.db file."""
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, rest = line.split(None, 1)
            ds = [d.strip().split(":")[0] for d in rest.split(",")]
            out[name] = "epoch," + ",".join(ds)
    return out


def check_values(case, data, key, expected, label=None):
    """Every stored row of key has exactly the expected values."""
    label = label or key
    if key not in data:
        return case.check(f"{label} = {expected}", False, "not written")
    rows = data[key][1]
    bad = [r for r in rows if not values_equal(r[1], expected)]
    return case.check(f"{label} = {','.join(str(v) for v in expected)} "
                      f"({len(rows)} rows)", rows and not bad,
                      f"rows: {[','.join(r[1]) for r in rows[:4]]}")


def check_clean_log(case, d, what="log"):
    lines = d.log_lines()
    # Paths are masked so that a checkout under ".../error..." cannot fail it.
    errs = [l for l in lines
            if "error" in l.replace(ARGS.fixtures, "<fixtures>")
            .replace(d.dir, "<tmp>").lower()]
    case.check(f"{what}: no line containing 'error'", not errs,
               "\n".join(errs[:5]))
    old = [l for l in lines if "Value too old" in l]
    case.check(f"{what}: no 'Value too old'", not old, "\n".join(old[:5]))
    check_no_backoff(case, d, what)


def check_no_backoff(case, d, what="log"):
    """collectd suspends a read callback that returns non-zero."""
    sus = [l for l in d.log_lines()
           if "read-function of plugin `mountstats' failed" in l
           or "Will suspend" in l]
    case.check(f"{what}: read callback never failed (no 'Will suspend')",
               not sus, "\n".join(sus[:5]))


def check_exit(case, d):
    case.check(f"{d.name}: daemon still running before SIGTERM, exit 0",
               *d.stopped_cleanly())


def plugin_instances(data):
    return {k.split("/", 1)[0] for k in data}


def run_daemons(daemons, ref_key, reads=3, timeout=25):
    """Starts the daemons, waits until each has `reads` rows of ref_key,
    stops them. Returns {name: ok}."""
    for d in daemons:
        d.start()
    ok = {}
    for d in daemons:
        ok[d.name] = d.wait_rows(ref_key, reads, timeout=timeout)
    for d in daemons:
        d.stop()
    return ok


# --------------------------------------------------------------------------
# case 1: basic

def case1(case):
    d = Daemon("c1-basic", [f"File {q(fixture('basic.mountstats'))}"])
    try:
        ok = run_daemons([d], "home/nfs_op-READ", reads=3)
        case.check("3 reads stored within 25 s", ok["c1-basic"],
                   d.output_text()[-1500:])
        check_exit(case, d)
        data = d.read_csv()
        types = load_types_db(ARGS.types_db)

        # identifiers
        want = basic_expected_keys()
        got = set(data)
        case.check("plugin instances are exactly root, srv-data, "
                   "'mnt-with space', home, scratch (no sysfs/proc/autofs/"
                   "cifs/nfsd)",
                   plugin_instances(data) ==
                   {"root", "srv-data", "mnt-with space", "home", "scratch"},
                   sorted(plugin_instances(data)))
        case.check(f"exactly the {len(want)} expected identifiers",
                   got == want,
                   f"missing: {sorted(want - got)}\nextra: {sorted(got - want)}")
        for pi, zops in BASIC_ZERO_OPS.items():
            for op in zops:
                case.check(f"{pi}: zero op {op} not dispatched",
                           f"{pi}/nfs_op-{op}" not in got and
                           f"{pi}/nfs_op_errors-{op}" not in got)
        for pi in ("srv-data", "mnt-with space"):
            errs = [k for k in got if k.startswith(pi + "/nfs_op_errors")]
            case.check(f"{pi} (8-field ops, RPC 1.0): no nfs_op_errors",
                       not errs, errs)
        for pi in ("root", "home", "scratch"):
            n = len([k for k in got if k.startswith(pi + "/nfs_op_errors-")])
            case.check(f"{pi} (9-field ops, RPC 1.1): nfs_op_errors for each "
                       f"reported op ({len(BASIC_OPS[pi])})",
                       n == len(BASIC_OPS[pi]), n)
        case.check("'mnt-with space' has no nfs_xprt_conn (udp)",
                   "mnt-with space/nfs_xprt_conn-udp" not in got)
        case.check("only scratch has nfs_xprt_rdma / nfs_xprt_rdma_copy / "
                   "nfs_xprt_rdma_mr, and it has no nfs_xprt_slots (rdma)",
                   sorted(k for k in got if "rdma" in k or
                          k.startswith("scratch/nfs_xprt_slots")) ==
                   ["scratch/nfs_xprt-rdma", "scratch/nfs_xprt_conn-rdma",
                    "scratch/nfs_xprt_rdma-rdma",
                    "scratch/nfs_xprt_rdma_copy-rdma",
                    "scratch/nfs_xprt_rdma_mr-rdma"],
                   sorted(k for k in got if "rdma" in k))
        old = [k for k in got if k.split("/", 1)[1] == "nfs_events"]
        case.check("no value list of the former 27-value type nfs_events",
                   not old, old)
        for pi in BASIC_MOUNT_VALUES:
            n = len([k for k in got if k.startswith(pi + "/nfs_events_")])
            case.check(f"{pi} (27 events): the five nfs_events_* types",
                       n == 5, n)
        case.check("only 'mnt-with space' has nfs_fscache",
                   [k for k in got if "nfs_fscache" in k] ==
                   ["mnt-with space/nfs_fscache"])

        # headers
        bad_headers = []
        for key, (header, _) in data.items():
            t = key.split("/", 1)[1].split("-", 1)[0]
            want_h = types.get(t, "epoch,value")
            if header != want_h:
                bad_headers.append(f"{key}: {header!r} != {want_h!r}")
        case.check("every csv header is 'epoch,' + the type's DS names",
                   not bad_headers, "\n".join(bad_headers[:5]))
        case.check("nfs_op header literal",
                   data.get("home/nfs_op-READ", ("",))[0] == OP_HEADER,
                   data.get("home/nfs_op-READ", ("",))[0])
        for key, want_h in HEADERS.items():
            got_h = data.get(f"scratch/{key}", ("",))[0]
            case.check(f"{key} header literal: {want_h}", got_h == want_h,
                       got_h)

        # exact values
        rows = data.get("home/nfs_op-READ", ("", []))[1]
        case.check("home/nfs_op-READ line is exactly "
                   "'300,301,1,45000,9830400,-1,900,950' (2^64-1 -> -1)",
                   rows and all(",".join(r[1]) ==
                                "300,301,1,45000,9830400,-1,900,950"
                                for r in rows),
                   [",".join(r[1]) for r in rows[:3]])
        rows = data.get("home/nfs_op-SETCLIENTID_CONFIRM", ("", []))[1]
        case.check("home/nfs_op-SETCLIENTID_CONFIRM (19-char name, no "
                   "padding) line is exactly '1,1,0,120,80,0,1,2'",
                   rows and all(",".join(r[1]) == "1,1,0,120,80,0,1,2"
                                for r in rows),
                   [",".join(r[1]) for r in rows[:3]])
        for pi, ops in BASIC_OPS.items():
            for op, (vals, err) in ops.items():
                check_values(case, data, f"{pi}/nfs_op-{op}", vals)
                if err is not None:
                    check_values(case, data, f"{pi}/nfs_op_errors-{op}", [err])
        for pi, vals in BASIC_MOUNT_VALUES.items():
            for key, v in vals.items():
                check_values(case, data, f"{pi}/{key}", v)

        # one timestamp per snapshot
        ref = [r[0] for r in data.get("home/nfs_op-READ", ("", []))[1]]
        all_ts = sorted({r[0] for _, rows in data.values() for r in rows})
        maxrows = max((len(rows) for _, rows in data.values()), default=0)
        case.check("one timestamp per read for every value of the snapshot "
                   f"({len(all_ts)} distinct timestamps, {maxrows} reads)",
                   len(all_ts) == maxrows and len(ref) >= 2,
                   all_ts)
        missing = [k for k, (_, rows) in data.items()
                   if [r[0] for r in rows][:2] != ref[:2]]
        case.check("every identifier has a value at each of the first two "
                   "read timestamps", not missing, missing[:5])
        gaps = [b - a for a, b in zip(all_ts, all_ts[1:])]
        case.check("reads 1 s apart (Interval 1)",
                   gaps and all(0.5 < g < 2.0 for g in gaps), gaps)

        check_clean_log(case, d)
        infos = d.log_at("info")
        case.check("INFO names the version and the file read",
                   any("mountstats plugin: version" in m and
                       fixture("basic.mountstats") in m for m in infos),
                   infos)
    finally:
        d.cleanup()


# --------------------------------------------------------------------------
# case 2: the file changes between intervals

# mnt-a values per snapshot (change-1, change-2, change-3)
A_GETATTR = [[100, 100, 0, 11000, 12000, 1, 50, 55],
             [120, 120, 0, 13200, 14400, 1, 60, 66],
             [150, 150, 0, 16500, 18000, 2, 75, 82]]
A_AGE = [60, 61, 62]
A_BYTES = [[1000, 0, 0, 0, 1000, 0, 1, 0],
           [1200, 0, 0, 0, 1200, 0, 1, 0],
           [1500, 0, 0, 0, 1500, 0, 2, 0]]
B_GETATTR = [7, 7, 0, 770, 840, 0, 3, 4]
C_GETATTR = {2: [3, 3, 0, 330, 360, 0, 1, 2], 3: [4, 4, 0, 440, 480, 0, 2, 3]}


def case2(case):
    d = Daemon("c2-change", ['File "@DIR@/mountstats"'])
    live = os.path.join(d.dir, "mountstats")
    snaps = [read_fixture(f"change-{i}.mountstats") for i in (1, 2, 3)]
    key_a = "mnt-a/nfs_op-GETATTR"
    try:
        write_atomic(live, snaps[0])
        d.start()
        t_start = time.time()
        ok1 = d.wait_rows(key_a, 2, timeout=20)
        time.sleep(max(0.0, 1.2 - (time.time() - t_start)))
        t2b = time.time()
        write_atomic(live, snaps[1])  # C appears
        t2a = time.time()
        ok2 = d.wait_rows(key_a, 2, timeout=20, after=t2a)
        time.sleep(max(0.0, 1.2 - (time.time() - t2a)))
        t3b = time.time()
        write_atomic(live, snaps[2])  # B disappears, A grows
        t3a = time.time()
        ok3 = d.wait_rows(key_a, 2, timeout=20, after=t3a)
        d.stop()
        case.check("two reads in each of the three snapshots",
                   ok1 and ok2 and ok3, (ok1, ok2, ok3))
        check_exit(case, d)
        data = d.read_csv()

        def phase_of(ts):
            """1, 2, 3, or None when too close to a switch to tell."""
            if ts < t2b - EPS:
                return 1
            if t2a + EPS <= ts < t3b - EPS:
                return 2
            if ts >= t3a + EPS:
                return 3
            return None

        a_rows = data.get(key_a, ("", []))[1]
        a_ts = [r[0] for r in a_rows]
        bad, seen, phases = [], set(), []
        for ts, fields in a_rows:
            p = phase_of(ts)
            cands = [p] if p else [1, 2, 3]
            match = [c for c in cands if values_equal(fields, A_GETATTR[c - 1])]
            if not match:
                bad.append((round(ts - t_start, 2), ",".join(fields)))
            else:
                seen.add(match[0])
                phases.append(match[0])
        case.check("mnt-a GETATTR follows the snapshots: 100 -> 120 -> 150 "
                   "(value of the snapshot current at each timestamp)",
                   not bad and seen == {1, 2, 3} and phases == sorted(phases),
                   f"bad={bad} seen={seen} phases={phases}")
        for key, series in (("mnt-a/uptime-age", [[a] for a in A_AGE]),
                            ("mnt-a/nfs_bytes", A_BYTES)):
            rows = data.get(key, ("", []))[1]
            wrong = []
            for ts, fields in rows:
                p = phase_of(ts)
                cands = [p] if p else [1, 2, 3]
                if not any(values_equal(fields, series[c - 1]) for c in cands):
                    wrong.append(",".join(fields))
            case.check(f"{key} follows the snapshots", rows and not wrong,
                       wrong[:4])

        # C: appears with change-2, at the first read after it was mounted
        c_rows = data.get("mnt-c/nfs_op-GETATTR", ("", []))[1]
        first_a_after2 = min([t for t in a_ts if t >= t2a], default=None)
        case.check("mnt-c written", bool(c_rows))
        if c_rows and first_a_after2 is not None:
            c0 = c_rows[0][0]
            case.check("mnt-c's first timestamp is after it appeared "
                       f"({c0 - t2b:+.3f} s from the rewrite)",
                       c0 >= t2b - EPS)
            case.check("mnt-c appears at the first read after it appeared "
                       "(not later)", c0 <= first_a_after2 + 0.001,
                       f"first C {c0}, first read after rewrite "
                       f"{first_a_after2}")
            earlier = [t for t in a_ts if t < t2b - EPS]
            case.check("no mnt-c value at reads before it appeared",
                       all(t not in earlier for t, _ in c_rows))
        wrong = []
        for ts, fields in c_rows:
            p = phase_of(ts)
            cands = [p] if p in (2, 3) else [2, 3]
            if not any(values_equal(fields, C_GETATTR[c]) for c in cands):
                wrong.append(",".join(fields))
        case.check("mnt-c GETATTR 3 -> 4 across snapshots 2 and 3",
                   c_rows and not wrong, wrong[:4])

        # B: gone after change-3
        b_rows = data.get("mnt-b/nfs_op-GETATTR", ("", []))[1]
        first_a_after3 = min([t for t in a_ts if t >= t3a], default=None)
        case.check("mnt-b written while mounted, values constant",
                   b_rows and all(values_equal(f, B_GETATTR) for _, f in b_rows))
        if b_rows and first_a_after3 is not None:
            b_last = b_rows[-1][0]
            case.check("mnt-b's last timestamp is before its disappearance "
                       f"({b_last - t3b:+.3f} s from the rewrite)",
                       b_last < first_a_after3 and b_last <= t3a + EPS)
            case.check("mnt-b still reported while mnt-c appeared",
                       any(t > t2a for t, _ in b_rows))
        b_any_late = [k for k, (_, rows) in data.items()
                      if k.startswith("mnt-b/") and first_a_after3 is not None
                      and any(t >= first_a_after3 for t, _ in rows)]
        case.check("no mnt-b identifier written after it disappeared",
                   not b_any_late, b_any_late)
        check_clean_log(case, d)
    finally:
        d.cleanup()


# --------------------------------------------------------------------------
# case 3: superblocks and name collisions

# "/a-b" and "/a/b" are both "a-b" by the df rule; "a-b" is "/a/b"'s (the
# rule maps it back there), "/a-b" gets the FNV-1a-32 of its own path, in
# any file order (NamingScheme auto, the default).
AB = "a-b~%08x" % mstest.fnv1a32(b"/a-b")
SB_SOURCE = {AB: " (from /a-b: name collision)", "a-b": " (from /a/b)"}
SB_GETATTR = {
    "data-a": [10, 10, 0, 1800, 2400, 0, 5, 6],
    "data-a-bind": [11, 11, 0, 1980, 2640, 0, 6, 7],
    "data-a copy": [12, 12, 0, 2160, 2880, 0, 7, 8],  # "/data/a\040copy"
    "data-c": [27, 27, 0, 2970, 3024, 0, 13, 15],
    "data-d": [27, 27, 0, 2970, 3024, 0, 13, 15],
    AB: [61, 61, 0, 6710, 6832, 0, 30, 33],         # "/a-b", first in file
    "a-b": [62, 62, 0, 6820, 6944, 0, 31, 34],      # "/a/b"
}
# tcp lines: data-a/data-a-bind/"data-a copy" "950 0 1 1 5 70 70 0 100 0 3 80 0",
# data-c/data-d "960 1 1 2 9 40 40 0 60 0 2 45 0" (one connection each),
# "/a-b" "970 0 1 0 1 61 61 0 61 0 1 61 0", "/a/b" "971 0 1 0 1 62 62 0 62 0 1 62 0"
SB_XPRT = {
    "data-a": [0, 70, 70, 0, 100, 0],
    "data-a-bind": [0, 70, 70, 0, 100, 0],
    "data-a copy": [0, 70, 70, 0, 100, 0],
    "data-c": [1, 40, 40, 0, 60, 0],
    "data-d": [1, 40, 40, 0, 60, 0],
    AB: [0, 61, 61, 0, 61, 0],
    "a-b": [0, 62, 62, 0, 62, 0],
}


def case3(case):
    ms = f"File {q(fixture('superblocks.mountstats'))}"
    mi = fixture("superblocks.mountinfo")
    d_mi = Daemon("c3-mountinfo", [ms, f"MountInfoFile {q(mi)}"])
    d_nomi = Daemon("c3-nomountinfo", [ms, 'MountInfoFile ""'])
    d_all = Daemon("c3-all", [ms, f"MountInfoFile {q(mi)}",
                              "ReportAllMountPoints true"])
    d_d = Daemon("c3-only-d", [ms, 'MountInfoFile ""', 'MountPoint "/data/d"'])
    daemons = [d_mi, d_nomi, d_all, d_d]
    try:
        for d in daemons:
            d.start()
        ok = {d.name: d.wait_rows("data-d/nfs_op-GETATTR" if d is d_d else
                                  "data-c/nfs_op-GETATTR", 3, timeout=25)
              for d in daemons}
        for d in daemons:
            d.stop()
        for d in daemons:
            case.check(f"{d.name}: 3 reads stored", ok[d.name],
                       d.output_text()[-1500:])
            check_exit(case, d)

        def common(d, want_pis, xprt_pis):
            data = d.read_csv()
            case.check(f"{d.name}: reported mount points are exactly "
                       f"{sorted(want_pis)}",
                       plugin_instances(data) == set(want_pis),
                       sorted(plugin_instances(data)))
            for pi in sorted(want_pis):
                check_values(case, data, f"{pi}/nfs_op-GETATTR",
                             SB_GETATTR[pi], f"{d.name}: {pi}/nfs_op-GETATTR"
                             + SB_SOURCE.get(pi, ""))
            for pi in sorted(want_pis):
                has = f"{pi}/nfs_xprt-tcp" in data
                if pi in xprt_pis:
                    check_values(case, data, f"{pi}/nfs_xprt-tcp", SB_XPRT[pi],
                                 f"{d.name}: {pi}/nfs_xprt-tcp")
                else:
                    xs = [k for k in data if k.startswith(pi + "/nfs_xprt") or
                          k == pi + "/count-transports"]
                    case.check(f"{d.name}: {pi} shares the server connection "
                               "of an earlier mount: no transport values",
                               not xs, xs)
            check_clean_log(case, d, f"{d.name} log")
            return data

        # with mountinfo: /data/a, /data/a-bind and /data/a\040copy are one
        # superblock (0:61) although their counters differ; /data/c (0:70)
        # and /data/d (0:71) have identical counters but are two superblocks.
        common(d_mi, {"data-a", "data-c", "data-d", "a-b", AB},
               {"data-a", "data-c", "a-b", AB})
        infos = [m for m in d_mi.log_at("info") if "show one NFS superblock" in m]
        case.check("c3-mountinfo: one INFO about the shared superblock: 3 "
                   "mount points, under /data/a, listing /data/a-bind and "
                   "the decoded '/data/a copy', logged once",
                   len(infos) == 1 and "3 mount points" in infos[0] and
                   'under "/data/a"' in infos[0] and
                   '"/data/a-bind"' in infos[0] and
                   '"/data/a copy"' in infos[0] and "/data/d" not in infos[0],
                   infos)

        # without mountinfo: identical age + counters -> one superblock
        common(d_nomi, {"data-a", "data-a-bind", "data-a copy", "data-c",
                        "a-b", AB},
               {"data-a", "data-c", "a-b", AB})
        infos = [m for m in d_nomi.log_at("info") if "show one NFS superblock" in m]
        case.check("c3-nomountinfo: one INFO naming /data/c and listing "
                   "/data/d, logged once",
                   len(infos) == 1 and '"/data/c"' in infos[0] and
                   '"/data/d"' in infos[0] and "a-bind" not in infos[0],
                   infos)
        case.check("c3-nomountinfo: INFO at start-up names no superblock "
                   "source file",
                   not any("superblocks from" in m
                           for m in d_nomi.log_at("info")),
                   d_nomi.log_at("info"))

        # ReportAllMountPoints: every mount point, connection still once
        common(d_all, set(SB_GETATTR), {"data-a", "data-c", "a-b", AB})
        infos = [m for m in d_all.log_at("info") if "show one NFS superblock" in m]
        case.check("c3-all: no shared-superblock INFO", not infos, infos)

        # only /data/d selected: its twin /data/c takes no part, so /data/d
        # is reported, with the transport of the connection
        common(d_d, {"data-d"}, {"data-d"})
        infos = [m for m in d_d.log_at("info") if "show one NFS superblock" in m]
        case.check("c3-only-d: no shared-superblock INFO", not infos, infos)
    finally:
        for d in daemons:
            d.cleanup()


# --------------------------------------------------------------------------
# case 4: selection

def case4(case):
    f = f"File {q(fixture('basic.mountstats'))}"
    ds = {
        "c4-mp": Daemon("c4-mp", [f, 'MountPoint "/^/srv/" "/with space$/"']),
        "c4-mp-ign": Daemon("c4-mp-ign", [f, 'MountPoint "/^/srv/" '
                                          '"/with space$/"',
                                          "IgnoreSelected true"]),
        "c4-fstype": Daemon("c4-fstype", [f, 'FSType "nfs4"']),
        "c4-op": Daemon("c4-op", [f, 'Operation "READ"']),
        "c4-op-ign": Daemon("c4-op-ign", [f, 'Operation "READ"',
                                          "IgnoreSelectedOperation true"]),
        "c4-zero": Daemon("c4-zero", [f, "ReportZeroOps true"]),
        "c4-pertr": Daemon("c4-pertr", [f, "ReportPerTransport true"]),
    }
    try:
        for d in ds.values():
            d.start()
        refs = {"c4-mp": "srv-data/uptime-age",
                "c4-mp-ign": "home/uptime-age",
                "c4-fstype": "home/uptime-age"}
        for name, d in ds.items():
            ok = d.wait_rows(refs.get(name, "home/uptime-age"), 3, timeout=25)
            case.check(f"{name}: 3 reads stored", ok, d.output_text()[-1500:])
        for d in ds.values():
            d.stop()
        data = {n: d.read_csv() for n, d in ds.items()}
        for d in ds.values():
            check_exit(case, d)
            check_clean_log(case, d, f"{d.name} log")

        all_keys = basic_expected_keys()

        def subset(pis):
            return {k for k in all_keys if k.split("/", 1)[0] in pis}

        got = set(data["c4-mp"])
        want = subset({"srv-data", "mnt-with space"})
        case.check("MountPoint \"/^/srv/\" \"/with space$/\" (regexes on the "
                   "decoded path): srv-data and 'mnt-with space', complete",
                   got == want,
                   f"missing {sorted(want - got)[:5]} extra "
                   f"{sorted(got - want)[:5]}")
        got = set(data["c4-mp-ign"])
        want = subset({"root", "home", "scratch"})
        case.check("same with IgnoreSelected true: root, home, scratch, "
                   "complete",
                   got == want,
                   f"missing {sorted(want - got)[:5]} extra "
                   f"{sorted(got - want)[:5]}")
        got = set(data["c4-fstype"])
        case.check("FSType \"nfs4\": root, home, scratch only", got == want,
                   f"missing {sorted(want - got)[:5]} extra "
                   f"{sorted(got - want)[:5]}")

        got = set(data["c4-op"])
        want = {k for k in all_keys
                if "/nfs_op" not in k or k.endswith("-READ")}
        case.check("Operation \"READ\": only READ among the ops (not "
                   "READDIRPLUS), everything else unchanged", got == want,
                   f"missing {sorted(want - got)[:5]} extra "
                   f"{sorted(got - want)[:5]}")
        check_values(case, data["c4-op"], "home/nfs_op-READ",
                     BASIC_OPS["home"]["READ"][0], "c4-op: home/nfs_op-READ")
        got = set(data["c4-op-ign"])
        want = {k for k in all_keys if not k.endswith("-READ")}
        case.check("Operation \"READ\" + IgnoreSelectedOperation true: every "
                   "op but READ", got == want,
                   f"missing {sorted(want - got)[:5]} extra "
                   f"{sorted(got - want)[:5]}")

        got = set(data["c4-zero"])
        want = basic_expected_keys(zero_ops=True)
        case.check("ReportZeroOps true: zero ops dispatched too (e.g. "
                   "srv-data SETATTR, home WRITE + its errors)", got == want,
                   f"missing {sorted(want - got)[:5]} extra "
                   f"{sorted(got - want)[:5]}")
        check_values(case, data["c4-zero"], "srv-data/nfs_op-SETATTR",
                     [0] * 8, "c4-zero: srv-data/nfs_op-SETATTR")
        check_values(case, data["c4-zero"], "home/nfs_op_errors-WRITE", [0],
                     "c4-zero: home/nfs_op_errors-WRITE")

        pt = data["c4-pertr"]
        got = {k for k in pt if "/nfs_xprt" in k}
        want = set()
        for i in range(4):
            want |= {f"home/nfs_xprt-tcp-{i}", f"home/nfs_xprt_conn-tcp-{i}",
                     f"home/nfs_xprt_slots-tcp-{i}"}
        for pi in ("root", "srv-data"):
            want |= {f"{pi}/nfs_xprt-tcp-0", f"{pi}/nfs_xprt_conn-tcp-0",
                     f"{pi}/nfs_xprt_slots-tcp-0"}
        want |= {"mnt-with space/nfs_xprt-udp-0",
                 "mnt-with space/nfs_xprt_slots-udp-0"}
        for ti in SCRATCH_PER_TRANSPORT:
            want |= {f"scratch/{t}-{ti}" for t in SCRATCH_PER_TRANSPORT[ti]}
        case.check("ReportPerTransport true: home tcp-0..tcp-3, scratch "
                   "rdma-0..rdma-1, one '<word>-0' elsewhere, no summed "
                   "instance", got == want,
                   f"missing {sorted(want - got)} extra {sorted(got - want)}")
        for ti, (x, c, s) in HOME_PER_TRANSPORT.items():
            check_values(case, pt, f"home/nfs_xprt-{ti}", x,
                         f"c4-pertr: home/nfs_xprt-{ti}")
            check_values(case, pt, f"home/nfs_xprt_conn-{ti}", c,
                         f"c4-pertr: home/nfs_xprt_conn-{ti}")
            check_values(case, pt, f"home/nfs_xprt_slots-{ti}", s,
                         f"c4-pertr: home/nfs_xprt_slots-{ti}")
        for ti, types in SCRATCH_PER_TRANSPORT.items():
            for t, v in types.items():
                check_values(case, pt, f"scratch/{t}-{ti}", v,
                             f"c4-pertr: scratch/{t}-{ti}")
        case.note("with ReportPerTransport true count-transports is "
                  + ("written" if "home/count-transports" in pt
                     else "not written"))
    finally:
        for d in ds.values():
            d.cleanup()


# --------------------------------------------------------------------------
# case 5: errors

def case5_missing(case):
    d = Daemon("c5-missing", ['File "@DIR@/later/mountstats"'])
    live = os.path.join(d.dir, "later", "mountstats")
    try:
        d.start()
        time.sleep(4.5)  # ~4 read intervals with the file missing
        alive = d.proc.poll() is None
        errs = d.log_at("error")
        case.check("missing file: daemon keeps running", alive,
                   d.output_text()[-1500:])
        strerr = os.strerror(errno.ENOENT)
        case.check(f"missing file: exactly one ERROR in ~4 intervals, naming "
                   f"the path and '{strerr}'",
                   len(errs) == 1 and live in errs[0] and strerr in errs[0],
                   errs)
        case.check("missing file: nothing written",
                   not d.read_csv(), sorted(d.read_csv())[:5])
        os.mkdir(os.path.dirname(live))
        t_create = time.time()
        write_atomic(live, read_fixture("change-1.mountstats"))
        ok = d.wait_rows("mnt-a/nfs_op-GETATTR", 2, timeout=15)
        d.stop()
        check_exit(case, d)
        data = d.read_csv()
        rows = data.get("mnt-a/nfs_op-GETATTR", ("", []))[1]
        case.check("file created: values appear (resume)", ok and rows)
        if rows:
            case.check("file created: first value within 3 s of creation "
                       f"({rows[0][0] - t_create:+.2f} s)",
                       t_create - EPS <= rows[0][0] <= t_create + 3.0)
        check_values(case, data, "mnt-a/nfs_op-GETATTR", A_GETATTR[0])
        case.check("file created: mnt-b reported too",
                   "mnt-b/nfs_op-GETATTR" in data)
        again = [m for m in d.log_at("info") if "readable again" in m]
        case.check("INFO 'readable again' naming the path, once",
                   len(again) == 1 and live in again[0], again)
        errs = d.log_at("error")
        case.check("still exactly one ERROR line in the whole run",
                   len(errs) == 1, errs)
        old = [l for l in d.log_lines() if "Value too old" in l]
        case.check("no 'Value too old'", not old, old[:3])
        check_no_backoff(case, d, "missing file")
        gaps = [b[0] - a[0] for a, b in zip(rows, rows[1:])]
        case.check("after resuming, reads every interval",
                   gaps and all(0.5 < g < 2.0 for g in gaps), gaps)
    finally:
        d.cleanup()


def case5_config(case):
    f = f"File {q(fixture('basic.mountstats'))}"
    runs = [
        ("c5-unknown", [f, "BogusOption true"], "BogusOption"),
        ("c5-regex", [f, 'MountPoint "/([/"'], "/([/"),
        # MaxNameLength is 16..127
        ("c5-namelen-15", [f, "MaxNameLength 15"], "MaxNameLength"),
        ("c5-namelen-128", [f, "MaxNameLength 128"], "MaxNameLength"),
        ("c5-namelen-str", [f, 'MaxNameLength "64"'], "MaxNameLength"),
    ]
    for name, lines, needle in runs:
        d = Daemon(name, lines)
        try:
            rc = d.test_mode()
            text = d.output_text()
            case.check(f"{name}: collectd -T fails (non-zero exit)",
                       rc not in (0, "timeout"), f"rc={rc}\n{text[-1500:]}")
            errs = [m for m in d.log_at("error") if needle in m]
            case.check(f"{name}: an ERROR line names {needle!r}", errs,
                       text[-1500:])
            if name == "c5-regex":
                case.check(f"{name}: the message names the option MountPoint",
                           any("MountPoint" in m for m in errs), errs)
            case.check(f"{name}: nothing written", not d.read_csv())
        finally:
            d.cleanup()
    for name, lines in (("c5-valid", [f]),
                        ("c5-namelen-16", [f, "MaxNameLength 16"]),
                        ("c5-namelen-127", [f, "MaxNameLength 127"])):
        d = Daemon(name, lines)
        try:
            rc = d.test_mode()
            case.check(f"control {name}: "
                       f"{' + '.join(['File'] + lines[1:])} passes "
                       "collectd -T (exit 0)", rc == 0,
                       f"rc={rc}\n{d.output_text()[-1500:]}")
        finally:
            d.cleanup()


def case5_malformed(case):
    path = fixture("malformed.mountstats")
    d = Daemon("c5-malformed", [f"File {q(path)}"])
    try:
        ok = run_daemons([d], "mnt-fine/nfs_op-GETATTR", reads=4)
        case.check("malformed: 4 reads stored", ok["c5-malformed"],
                   d.output_text()[-1500:])
        check_exit(case, d)
        warns = d.log_at("warning")
        ev = [w for w in warns if path in w and "line 7" in w and
              '"/mnt/broken"' in w]
        op = [w for w in warns if path in w and "line 14" in w and
              '"/mnt/broken"' in w]
        case.check("one WARNING for the events line with '12x' (file, line 7, "
                   "mount point), not repeated",
                   len(ev) == 1 and "not a decimal number" in ev[0], ev)
        case.check("one WARNING for the 7-field LOOKUP line (file, line 14, "
                   "mount point), not repeated",
                   len(op) == 1 and "too few fields" in op[0], op)
        case.check("no other WARNING", len(warns) == 2, warns)
        case.check("no ERROR", not d.log_at("error"), d.log_at("error"))
        data = d.read_csv()
        want = {"mnt-broken/uptime-age", "mnt-broken/nfs_bytes",
                "mnt-broken/nfs_xprt-tcp", "mnt-broken/nfs_xprt_conn-tcp",
                "mnt-broken/nfs_xprt_slots-tcp", "mnt-broken/count-transports",
                "mnt-broken/nfs_op-GETATTR", "mnt-broken/nfs_op-READ",
                "mnt-fine/uptime-age", "mnt-fine/nfs_events_cache",
                "mnt-fine/nfs_events_vfs", "mnt-fine/nfs_events_file",
                "mnt-fine/nfs_events_io", "mnt-fine/nfs_events_pnfs",
                "mnt-fine/nfs_bytes", "mnt-fine/nfs_xprt-udp",
                "mnt-fine/nfs_xprt_slots-udp", "mnt-fine/count-transports",
                "mnt-fine/nfs_op-GETATTR"}
        got = set(data)
        case.check("well-formed data of the broken mount still dispatched; "
                   "its bad events and LOOKUP lines are not",
                   got == want,
                   f"missing {sorted(want - got)} extra {sorted(got - want)}")
        check_values(case, data, "mnt-broken/uptime-age", [42])
        check_values(case, data, "mnt-broken/nfs_bytes",
                     [10, 20, 30, 40, 50, 60, 70, 80])
        check_values(case, data, "mnt-broken/nfs_op-GETATTR",
                     [5, 5, 0, 500, 600, 0, 2, 3])
        check_values(case, data, "mnt-broken/nfs_op-READ",
                     [2, 2, 0, 224, 16400, 0, 1, 1])
        # "events: 2 2 ... 2" (27 times), in the five groups
        check_values(case, data, "mnt-fine/nfs_events_cache", [2] * 4)
        check_values(case, data, "mnt-fine/nfs_events_vfs", [2] * 8)
        check_values(case, data, "mnt-fine/nfs_events_file", [2] * 6)
        check_values(case, data, "mnt-fine/nfs_events_io", [2] * 7)
        check_values(case, data, "mnt-fine/nfs_events_pnfs", [2] * 2)
        check_values(case, data, "mnt-fine/nfs_xprt-udp", [0, 6, 6, 0, 6, 0])
    finally:
        d.cleanup()


def case5(case):
    threads = [threading.Thread(target=guarded, args=(case, fn))
               for fn in (case5_missing, case5_config, case5_malformed)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# --------------------------------------------------------------------------
# case 6: TypesDB

def case6(case):
    f = f"File {q(fixture('basic.mountstats'))}"
    stock = Daemon("c6-stock", [f])
    both = Daemon("c6-both", [f], types_dbs=[STOCK_TYPES_DB,
                                             os.path.abspath(ARGS.types_db)])
    try:
        ok = run_daemons([stock, both], "home/nfs_op-READ", reads=2)
        for d in (stock, both):
            case.check(f"{d.name}: 2 reads stored", ok[d.name],
                       d.output_text()[-1500:])
            check_exit(case, d)
            check_clean_log(case, d, f"{d.name} log")
        a, b = stock.read_csv(), both.read_csv()
        case.check("same identifiers with both TypesDB setups",
                   set(a) == set(b) == basic_expected_keys(),
                   f"only stock: {sorted(set(a) - set(b))} only both: "
                   f"{sorted(set(b) - set(a))}")
        diff = [k for k in set(a) & set(b) if a[k][0] != b[k][0]]
        case.check("identical csv headers", not diff,
                   [(k, a[k][0], b[k][0]) for k in diff[:3]])
        types = load_types_db(ARGS.types_db)
        wrong = []
        for key, (header, _) in b.items():
            t = key.split("/", 1)[1].split("-", 1)[0]
            if t in types and header != types[t]:
                wrong.append((key, header))
        case.check("headers match the DS names of the --types-db file",
                   not wrong, wrong[:3])
        diff = [k for k in set(a) & set(b)
                if a[k][1] and b[k][1] and a[k][1][0][1] != b[k][1][0][1]]
        case.check("identical value formatting (GAUGE vs DERIVE) in both",
                   not diff,
                   [(k, a[k][1][0][1], b[k][1][0][1]) for k in diff[:3]])
    finally:
        stock.cleanup()
        both.cleanup()


# --------------------------------------------------------------------------
# case 7: old kernel layouts (fixtures/integration/old-kernel.mountstats) and
# MaxNameLength

# /mnt/old: statvers=1.0, 25 events (before 2.6.39: no pNFS counters), a
# 10-field tcp line (no slot counters), RPC 1.0 ops (no errors column).
OLD_VALUES = {
    "uptime-age": [5000],
    # events: 4000 3000 20 10 | 600 700 800 0 5 150 3 90 | 40 2 30 30 1 500 |
    #         0 7 9 1 0 0 2   (25: no nfs_events_pnfs)
    "nfs_events_cache": [4000, 3000, 20, 10],
    "nfs_events_vfs": [600, 700, 800, 0, 5, 150, 3, 90],
    "nfs_events_file": [40, 2, 30, 30, 1, 500],
    "nfs_events_io": [0, 7, 9, 1, 0, 0, 2],
    "nfs_bytes": [5000000, 2000000, 0, 0, 5000000, 2000000, 1300, 500],
    # tcp 720 1 2 40 8 300 300 0 900 3
    "nfs_xprt-tcp": [1, 300, 300, 0, 900, 3],
    "nfs_xprt_conn-tcp": [2, 40, 8],
    "count-transports": [1],
    "nfs_op-GETATTR": [30, 30, 0, 3300, 3360, 0, 12, 15],
    "nfs_op-READ": [12, 12, 0, 1440, 1572864, 0, 40, 44],
}
# The long mount point: 25 events 501..525, a 20-field rdma line (fields
# 11-20 only: no nfs_xprt_rdma_mr), no slot counters for rdma.
IB_VALUES = {
    "uptime-age": [700],
    "nfs_events_cache": [501, 502, 503, 504],
    "nfs_events_vfs": [505, 506, 507, 508, 509, 510, 511, 512],
    "nfs_events_file": [513, 514, 515, 516, 517, 518],
    "nfs_events_io": [519, 520, 521, 522, 523, 524, 525],
    "nfs_bytes": [1048576, 0, 0, 0, 1048576, 0, 256, 0],
    # rdma 0 0 1 5 9 400 400 0 1200 2 21 22 23 24 25 26 27 28 29 30
    "nfs_xprt-rdma": [0, 400, 400, 0, 1200, 2],
    "nfs_xprt_conn-rdma": [1, 5, 9],
    "nfs_xprt_rdma-rdma": [21, 22, 23, 24, 25],
    "nfs_xprt_rdma_copy-rdma": [26, 27, 28, 29, 30],
    "count-transports": [1],
    "nfs_op-READ": [10, 10, 0, 1280, 40960, 0, 20, 22],
}
# "/srv/scratch/infiniband/cluster-a/projects/climate-model-runs/archive-2009"
# (74 bytes) gives a 73-byte name. Longer than MaxNameLength, it keeps its
# first MaxNameLength - 9 bytes, then "~" and 39ecaa7d, the FNV-1a 32-bit
# hash of the mount point (h = 2166136261; for each byte c:
# h = ((h ^ c) * 16777619) mod 2^32; computed once, written here).
IB_FULL = ("srv-scratch-infiniband-cluster-a-projects-climate-model-runs-"
           "archive-2009")
IB_NAMES = {
    None: "srv-scratch-infiniband-cluster-a-projects-climate-model~39ecaa7d",
    127: IB_FULL,
    16: "srv-scr~39ecaa7d",
}


def case7(case):
    f = f"File {q(fixture('old-kernel.mountstats'))}"
    ds = {
        None: Daemon("c7-default", [f]),
        127: Daemon("c7-name127", [f, "MaxNameLength 127"]),
        16: Daemon("c7-name16", [f, "MaxNameLength 16"]),
    }
    try:
        ok = run_daemons(list(ds.values()), "mnt-old/nfs_op-READ", reads=3)
        for cap, d in ds.items():
            case.check(f"{d.name}: 3 reads stored", ok[d.name],
                       d.output_text()[-1500:])
            check_exit(case, d)
            check_clean_log(case, d, f"{d.name} log")
            data = d.read_csv()
            ib = IB_NAMES[cap]
            what = (f"MaxNameLength {cap}" if cap else
                    "no MaxNameLength (64)")
            case.check(f"{d.name}: {what}: the {len(IB_FULL)}-byte name is "
                       f"'{ib}' ({len(ib)} bytes); mnt-old unchanged",
                       plugin_instances(data) == {"mnt-old", ib},
                       sorted(plugin_instances(data)))
            want = ({f"mnt-old/{k}" for k in OLD_VALUES}
                    | {f"{ib}/{k}" for k in IB_VALUES})
            got = set(data)
            case.check(f"{d.name}: exactly the {len(want)} expected "
                       "identifiers: no nfs_events_pnfs for 25 events, no "
                       "nfs_xprt_rdma_mr for a 20-field rdma line, no "
                       "nfs_xprt_slots for a 10-field tcp line or rdma",
                       got == want,
                       f"missing: {sorted(want - got)}\n"
                       f"extra: {sorted(got - want)}")
            for k, v in OLD_VALUES.items():
                check_values(case, data, f"mnt-old/{k}", v,
                             f"{d.name}: mnt-old/{k}")
            for k, v in IB_VALUES.items():
                check_values(case, data, f"{ib}/{k}", v, f"{d.name}: {ib}/{k}")
    finally:
        for d in ds.values():
            d.cleanup()


# --------------------------------------------------------------------------

def guarded(case, fn):
    try:
        fn(case)
    except Exception:
        case.check(f"{fn.__name__} ran without a test-script exception",
                   False, traceback.format_exc())


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--collectd", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--types-db", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--collectd-plugin-dir", default="/usr/lib/collectd",
                    help="where csv.so and logfile.so are copied from")
    ap.add_argument("--cases", default="1,2,3,4,5,6,7",
                    help="comma separated case numbers to run")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary directories")
    ARGS = ap.parse_args()
    ARGS.plugin = os.path.abspath(ARGS.plugin)
    ARGS.types_db = os.path.abspath(ARGS.types_db)
    ARGS.fixtures = os.path.abspath(ARGS.fixtures)
    needed = [ARGS.collectd, ARGS.plugin, ARGS.types_db, STOCK_TYPES_DB,
              os.path.join(ARGS.collectd_plugin_dir, "csv.so"),
              os.path.join(ARGS.collectd_plugin_dir, "logfile.so")] + [
        fixture(n) for n in ("basic.mountstats", "change-1.mountstats",
                             "change-2.mountstats", "change-3.mountstats",
                             "superblocks.mountstats",
                             "superblocks.mountinfo",
                             "malformed.mountstats",
                             "old-kernel.mountstats")]
    missing = [p for p in needed if not os.path.isfile(p)]
    if missing:
        for p in missing:
            print(f"  [FAIL] setup: missing file {p}")
        print("0 passed, 1 failed")
        return 1

    t0 = time.monotonic()
    all_cases = {
        1: ("basic: values, identifiers, naming, log", case1),
        2: ("the file changes between intervals", case2),
        3: ("superblocks, shared connections, name collisions", case3),
        4: ("selection options", case4),
        5: ("errors: missing file, bad config, malformed lines", case5),
        6: ("TypesDB: stock only vs stock + mountstats.types.db", case6),
        7: ("old kernel layouts, MaxNameLength", case7),
    }
    wanted = [int(c) for c in ARGS.cases.split(",") if c.strip()]
    cases, threads = [], []
    for n in wanted:
        title, fn = all_cases[n]
        c = Case(n, title)
        cases.append(c)

        def run(c=c, fn=fn):
            guarded(c, fn)
            c.end()

        t = threading.Thread(target=run, name=f"case{n}")
        threads.append(t)
        t.start()
    for t in threads:
        t.join()

    passed = sum(c.passed for c in cases)
    failed = sum(c.failed for c in cases)
    for c in cases:
        print(c.report())
    print(f"total wall time {time.monotonic() - t0:.1f} s")
    print(f"{passed} passed, {failed} failed")
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
