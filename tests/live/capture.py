# SPDX-License-Identifier: MIT
"""The live guest's capture phase (`--phases capture`, not part of "all"):
dumps the kernel's sunrpc and NFS sysfs trees, with the mountstats and
mountinfo of the same moment, in the states ReportStall must tell apart, as
<results>/capture-<state>.json. tests/live/sysfs_tree.py writes a dump out
as the folders of fixtures/live/<kernel>/sysfs-<state>/ that
tests/check_sunrpc.c reads:

  idle    the matrix mounted, everything answered
  hung15  a relay SIGSTOPped for 15 s under an NFSv3 writer (/mnt/ex3): the
          connection up, one task pending a reply
  nfsd0   the server stopped (rpc.nfsd 0) for 8 s: connections closed,
          xprt_info "<closed>", tasks still counted in queue_len
"""

import json
import os
import signal
import sys
import time


def dump_tree(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            if os.path.islink(p):
                out[p] = {"link": os.readlink(p)}
            elif os.path.isfile(p):
                try:
                    with open(p, "rb") as f:
                        out[p] = {"text": f.read().decode("latin-1")}
                except OSError as e:
                    out[p] = {"errno": e.errno}
    return out


def snap(g, label):
    d = {"t": time.time()}
    for root in ("/sys/kernel/sunrpc", "/sys/fs/nfs"):
        d.update(dump_tree(root))
    for f in ("/proc/self/mountstats", "/proc/self/mountinfo"):
        with open(f, "rb") as fh:
            d[f] = {"text": fh.read().decode("latin-1")}
    with open(os.path.join(g.RES, "capture-%s.json" % label), "w") as f:
        json.dump(d, f, indent=0, sort_keys=True)
    g.note("capture: %s dumped (%d entries)" % (label, len(d)))


def run(g):
    snap(g, "idle")
    g.add_export("ex3")
    relay = os.path.join(g.CFG["repo"], "tests/live/tcp_proxy.py")
    p3 = g.spawn("px3", [sys.executable, relay, "127.0.0.31", "20493", "127.0.0.1", "2049"])
    time.sleep(2)
    g.nfs_mount("127.0.0.31", "/srv/ex3", "/mnt/ex3", "3",
                "hard,timeo=10,retrans=2,port=20493,mountaddr=127.0.0.1")
    w3 = g.spawn("w3", [sys.executable, "-c", g.WRITER, "/mnt/ex3/data", "/run/live/w3.count"])
    time.sleep(3)
    os.kill(p3.pid, signal.SIGSTOP)
    time.sleep(15)
    snap(g, "hung15")
    os.kill(p3.pid, signal.SIGCONT)
    time.sleep(4)
    g.sh(["rpc.nfsd", "0"])
    time.sleep(8)
    snap(g, "nfsd0")
    g.sh(["rpc.nfsd", "8"])
    time.sleep(4)
    g.stop(w3)
