# SPDX-License-Identifier: MIT
"""The fleet of tests/e2e_fleet_scale.py and what it must give, computed
from the scenarios alone (never from what a server stored).

Fifty hosts. n01..n25 send over the network plugin to a central collectd,
g26..g50 write to carbon-c-relay with write_graphite themselves. Every
host mounts filer1.example.org:/export/data, most on /data, every tenth
(i % 10 == 7) on /mnt/data; even hosts with NFSv4.2, odd ones with NFSv3;
every third (i % 3 == 0) with nconnect=4. Hosts with i % 3 == 1 also mount
filer2:/export/home on /home (NFSv3); i % 4 == 2 also scratch:/scratch
(NFSv4.2, nconnect=8); i % 5 == 0 also filer1:/export/projects on
/srv/projects (NFSv4.2, the /data server's second export); g47 also a
path whose name is cut with a hash suffix: one to four mounts a host.

Every counter is an exact integer function of the file's own time: an
operation with rate R gains R * INTERVAL operations per snapshot (one
snapshot per INTERVAL seconds of the file's time), and R * INTERVAL * rtt
ms of RTT; retransmissions, timeouts and errors are whole counts per
snapshot. An incident doubles READ on the NFSv3 hosts' /data with three
times the RTT for snapshots INCIDENT_FROM..INCIDENT_TO - 1 (the replay
tool's incidents, which act on the step that starts inside them), so
fleet sums and weighted averages change over time, the same way in every
path. Eight hosts retransmit WRITEs, each at its own rate: the top five
are known.

The fleet profile (docs/fleet-scale.md, "The fleet profile") is parsed
here from the document, so the test runs what the document shows, and the
series each host must store follow from its switches: collectd-mountstats(5)
(METRICS) for what each switch reports, its naming rule (e2e_common.
instance_name) for the path.

Python 3 standard library only.
"""

import json
import os
import re

import e2e_common as E

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DOC = os.path.join(ROOT, "docs", "fleet-scale.md")

INTERVAL = 5            # collectd Interval, snapshot spacing, whisper step (s)
HOSTS = 50
NET_HOSTS = 25          # n01..n25 over the network plugin, the rest direct
BATCH = 10              # clients started per interval
INCIDENT_FROM, INCIDENT_TO = 8, 12   # snapshot indexes (file time / INTERVAL)

DATA_DEVICE = "filer1.example.org:/export/data"
# One host also mounts a path whose name is cut to 64 bytes and ends in "~"
# and a hash: carbon-c-relay keeps the "~" only when told (-c).
LONG_HOST = 46
LONG_MOUNTPOINT = ("/srv/nfs/projects/archive/very-long-directory-name-for-results-"
                   "of-2024-q4-and-2025")
RSIZE = 65536           # the replay tool's bytes per READ / WRITE
SESSION_OPS = ("NULL", "SEQUENCE")  # what the scenarios use of the profile's list

# Eight hosts retransmit WRITEs: host index -> retransmissions per snapshot
# (WRITE runs at 4/s there: 20 per snapshot). Retransmissions per second =
# count / INTERVAL: 1.8, 1.6, ... 0.4.
RETRANS = {3: 9, 12: 8, 20: 7, 27: 6, 31: 5, 38: 4, 44: 3, 49: 2}
# Two hosts see WRITE timeouts (per snapshot), three LOOKUP errors.
TIMEOUTS = {12: 2, 38: 1}
ERRORS = {1: 5, 22: 5, 40: 5}

OP_DS = ("ops", "trans", "timeouts", "bytes_sent", "bytes_recv", "queue_ms",
         "rtt_ms", "exec_ms")
BYTES_DS = ("normal_read normal_write direct_read direct_write server_read "
            "server_write read_pages write_pages").split()
EVENT_TYPES = [("nfs_events_cache", 4), ("nfs_events_vfs", 8), ("nfs_events_file", 6),
               ("nfs_events_io", 7), ("nfs_events_pnfs", 2)]
XPRT_TYPES = [("nfs_xprt", "bind_count sends recvs bad_xids req_u bklog_u".split()),
              ("nfs_xprt_conn", "connect_count connect_time idle_time".split()),
              ("nfs_xprt_slots", "max_slots sending_u pending_u".split())]
STALL_DS = ("waiting", "since_reply", "stalled")


def host_name(i):
    return ("n%02d" if i < NET_HOSTS else "g%02d") % (i + 1)


def path_of(i):
    """'network' (client -> central collectd -> relay) or 'direct'."""
    return "network" if i < NET_HOSTS else "direct"


def op(rate, rtt, **kw):
    d = {"rate": rate, "rtt_ms": rtt, "exec_ms": rtt + 1, "queue_ms": 0}
    d.update(kw)
    return d


def host_mounts(i):
    """The mounts of host i: dicts in the replay tool's scenario format."""
    v4 = i % 2 == 0
    write_rate = 4 if i in RETRANS else 1 + i % 4
    n_write = write_rate * INTERVAL
    data_ops = {"READ": op(2 + i % 7, 1 + i % 5),
                "WRITE": op(write_rate, 3 + i % 3),
                "GETATTR": op(4, 1)}
    if i in RETRANS:
        data_ops["WRITE"]["retrans"] = RETRANS[i] / float(n_write)
    if i in TIMEOUTS:
        data_ops["WRITE"]["timeouts"] = TIMEOUTS[i] / float(n_write)
    if v4:
        data_ops["SEQUENCE"] = op(1, 1)
    else:
        data_ops["ACCESS"] = op(2, 1)
    data = {"device": DATA_DEVICE, "mountpoint": "/mnt/data" if i % 10 == 7 else "/data",
            "vers": "4.2" if v4 else "3", "nconnect": 4 if i % 3 == 0 else 1,
            "age": 20000 + 100 * i, "ops": data_ops}
    if not v4:
        data["incidents"] = [{"start": INCIDENT_FROM * INTERVAL,
                              "duration": (INCIDENT_TO - INCIDENT_FROM) * INTERVAL,
                              "ops": ["READ"], "rate_factor": 2, "rtt_factor": 3}]
    mounts = [data]
    if i % 3 == 1:
        lookup = op(5, 1)
        if i in ERRORS:
            lookup["errors"] = ERRORS[i] / float(5 * INTERVAL)
        mounts.append({"device": "filer2.example.org:/export/home", "mountpoint": "/home",
                       "vers": "3", "age": 30000 + 100 * i,
                       "ops": {"READ": op(3, 2), "GETATTR": op(6, 1), "LOOKUP": lookup}})
    if i % 4 == 2:
        mounts.append({"device": "scratch.example.org:/scratch", "mountpoint": "/scratch",
                       "vers": "4.2", "nconnect": 8, "age": 40000 + 100 * i,
                       "ops": {"WRITE": op(6, 5), "COMMIT": op(1, 9),
                               "SEQUENCE": op(1, 1)}})
    if i % 5 == 0:
        mounts.append({"device": "filer1.example.org:/export/projects",
                       "mountpoint": "/srv/projects", "vers": "4.2", "age": 50000 + 100 * i,
                       "ops": {"READ": op(5, 4), "GETATTR": op(2, 1), "SEQUENCE": op(1, 1)}})
    if i == LONG_HOST:
        mounts.append({"device": "filer1.example.org:/export/archive",
                       "mountpoint": LONG_MOUNTPOINT, "vers": "4.2", "age": 60000,
                       "ops": {"READ": op(1, 2), "SEQUENCE": op(1, 1)}})
    return mounts


def scenario(i):
    return {"comment": "e2e_fleet_scale host %s" % host_name(i), "mounts": host_mounts(i)}


def instance_name(mountpoint):
    """collectd-mountstats(5)'s naming rule (e2e_common.instance_name): the leading /
    dropped, other / as -, a name over 64 bytes cut and ended in "~" and the
    hash of its path."""
    return E.instance_name(mountpoint)


# ---------------------------------------------------------------------------
# the truth: counters at snapshot k, from the scenario's numbers

def _incident_factor(mount, opname, j, key):
    f = 1
    for inc in mount.get("incidents", []):
        if inc.get("remount") or ("ops" in inc and opname not in inc["ops"]):
            continue
        if inc["start"] <= j * INTERVAL < inc["start"] + inc["duration"]:
            f *= inc.get(key, 1)
    return f


def _whole(x, what):
    r = round(x)
    if abs(x - r) > 1e-6:
        raise ValueError("the scenario is not exact: %s = %r" % (what, x))
    return int(r)


def step(mount, opname, j):
    """What op gains in step j (file time j*INTERVAL to (j+1)*INTERVAL):
    {ds: integer}; the replay's model with whole counts."""
    o = mount["ops"][opname]
    n = _whole(o["rate"] * _incident_factor(mount, opname, j, "rate_factor") * INTERVAL,
               "ops per step")
    rtt = o["rtt_ms"] * _incident_factor(mount, opname, j, "rtt_factor")
    extra = o["exec_ms"] - o["rtt_ms"]
    return {"ops": n,
            "trans": n + _whole(n * o.get("retrans", 0), "retrans per step"),
            "timeouts": _whole(n * o.get("timeouts", 0), "timeouts per step"),
            "rtt_ms": _whole(n * rtt, "rtt per step"),
            "exec_ms": _whole(n * (rtt + extra), "exec per step"),
            "queue_ms": 0,
            "errors": _whole(n * o.get("errors", 0), "errors per step")}


def counter(mount, opname, ds, k):
    """The counter ds of op in snapshot k."""
    return sum(step(mount, opname, j)[ds] for j in range(k))


def per_second(mount, opname, ds, k):
    """perSecond at the point of snapshot k (k >= 1): the step k-1."""
    return step(mount, opname, k - 1)[ds] / float(INTERVAL)


def server_bytes_per_second(mount, k, which):
    opname = {"server_read": "READ", "server_write": "WRITE"}[which]
    if opname not in mount["ops"]:
        return 0.0
    return step(mount, opname, k - 1)["ops"] * RSIZE / float(INTERVAL)


# ---------------------------------------------------------------------------
# the fleet profile, from the document

def doc_section(title, path=DOC):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^## %s\n(.*?)(?=^## |\Z)" % re.escape(title), text, re.M | re.S)
    if not m:
        raise ValueError("%s has no section %r" % (path, title))
    return m.group(1)


def profile_block(path=DOC):
    """The <Plugin mountstats> block of the document's "The fleet profile"
    section: its option lines (comments and the File line dropped)."""
    sec = doc_section("The fleet profile", path)
    m = re.search(r"```\n<Plugin mountstats>\n(.*?)</Plugin>\n```", sec, re.S)
    if not m:
        raise ValueError("no <Plugin mountstats> block in the fleet profile section")
    lines = []
    for line in m.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.lower().startswith("file "):
            lines.append(line)
    return lines


DEFAULTS = {"reportage": True, "reportevents": True, "reportbytes": True,
            "reportfscache": True, "reporttransport": True, "reportoperations": True,
            "reportoperrors": True, "reportzeroops": False, "reportpertransport": False,
            "reportiostat": False, "reportstall": False, "ignoreselectedoperation": False}


def parse_options(lines):
    """{lower-case switch: bool, "operation": [patterns]} from option lines;
    the defaults of collectd-mountstats(5) (OPTIONS) for what is not set."""
    opts = dict(DEFAULTS, operation=[])
    for line in lines:
        key, _, rest = line.partition(" ")
        k = key.lower()
        rest = rest.strip()
        if k == "operation":
            opts["operation"] += [json.loads(s) for s in re.findall(r'"(?:[^"\\]|\\.)*"', rest)]
        elif k in DEFAULTS:
            opts[k] = rest.lower() == "true"
    return opts


def op_selected(opts, name):
    pats = opts["operation"]
    if not pats:
        return True
    hit = any(re.fullmatch(p[1:-1], name) if p.startswith("/") and p.endswith("/")
              else p == name for p in pats)
    return hit != opts["ignoreselectedoperation"]


def mount_series(mount, opts, stall_instance="estimate"):
    """The Graphite leaves (after "<host>.mountstats-<name>.") one mount
    stores with these options once every used op has been read: the manual's
    metrics table. Transports: every mount here has its own connection
    (the replay gives each mount its own source port), reported once."""
    out = []
    if opts["reportage"]:
        out.append("uptime-age")
    if opts["reportevents"]:
        names = {"nfs_events_cache": "inode_revalidate dentry_revalidate data_invalidate "
                                     "attr_invalidate",
                 "nfs_events_vfs": "vfs_open vfs_lookup vfs_access vfs_update_page "
                                   "vfs_read_page vfs_read_pages vfs_write_page vfs_write_pages",
                 "nfs_events_file": "vfs_getdents vfs_setattr vfs_flush vfs_fsync vfs_lock "
                                    "vfs_release",
                 "nfs_events_io": "congestion_wait setattr_trunc extend_write silly_rename "
                                  "short_read short_write delay",
                 "nfs_events_pnfs": "pnfs_read pnfs_write"}
        for t, _ in EVENT_TYPES:
            out += ["%s.%s" % (t, d) for d in names[t].split()]
    if opts["reportbytes"]:
        out += ["nfs_bytes." + d for d in BYTES_DS]
    if opts["reporttransport"]:
        for t, dss in XPRT_TYPES:
            out += ["%s-tcp.%s" % (t, d) for d in dss]
        out.append("count-transports")
    if opts["reportstall"]:
        out += ["nfs_xprt_stall-%s.%s" % (stall_instance, d) for d in STALL_DS]
    if opts["reportoperations"]:
        for name, o in mount["ops"].items():
            if (o["rate"] == 0 and not opts["reportzeroops"]) or not op_selected(opts, name):
                continue
            out += ["nfs_op-%s.%s" % (name, d) for d in OP_DS]
            if opts["reportoperrors"]:
                out.append("nfs_op_errors-" + name)
    return out


def expected_series(opts, prefix="fleet."):
    """{full Graphite path: (host index, mount dict)} for the whole fleet."""
    out = {}
    for i in range(HOSTS):
        for m in host_mounts(i):
            base = "%s%s.mountstats-%s." % (prefix, host_name(i), instance_name(m["mountpoint"]))
            for leaf in mount_series(m, opts):
                out[base + leaf] = (i, m)
    return out


def data_mounts():
    """[(host index, mount)] of every mount of DATA_DEVICE."""
    return [(i, m) for i in range(HOSTS) for m in host_mounts(i) if m["device"] == DATA_DEVICE]


def top_retransmitters(n=5):
    """[(host, retransmissions per second)], highest first: every op of
    every mount."""
    per = []
    for i in range(HOSTS):
        r = sum(step(m, o, 0)["trans"] - step(m, o, 0)["ops"]
                for m in host_mounts(i) for o in m["ops"])
        per.append((host_name(i), r / float(INTERVAL)))
    per.sort(key=lambda x: -x[1])
    return per[:n], per
