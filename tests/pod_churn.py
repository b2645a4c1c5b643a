#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Pod churn through the real daemon (NamingScheme auto, the default).

contrib/mountstats-replay writes a node's timeline: kubelet mounts NFS
volumes under pod paths, pods restart under new UIDs, a volume moves to
another pod, two PVs come from one export, and two plain mount points clash
by name ("/a-b", "/a/b"); the records come in another order in every
snapshot. The snapshots are fed to collectd one by one (each waited for by
its own ages in csv, never by a sleep), and then:

  - the csv has exactly one instance per volume, named by hand from
    collectd-mountstats(5)'s Naming: k8s-PV for each PV, "a-b" for "/a/b"
    (the rule maps the name back to it) and "a-b~" + FNV-1a-32 of "/a-b";
  - every volume keeps its one series from the first snapshot to the last
    (a row for each snapshot), and no series ever carries another volume's
    counters: each volume's age starts 10,000 s apart from the others', so a
    swap would show as a jump;
  - no error or warning is logged.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import traceback

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from robust_daemon import add_common_args  # noqa: E402
from mstest import Checks, Daemon, fnv1a32, write_atomic, wait_until  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPLAY = os.path.join(ROOT, "contrib", "mountstats-replay")
SNAPSHOTS = 12
KUBELET = "/var/lib/kubelet/pods/%s/volumes/kubernetes.io~%s/%s%s"


def pod(uid, kind, pv):
    return KUBELET % (uid, kind, pv, "/mount" if kind == "csi" else "")


# (expected name, device, age at time 0, timeline of mount points)
VOLUMES = [
    ("k8s-pvc-data-postgres-0", "127.0.0.5:/export/pg", 10000,
     [[0, pod("8f14e45f-0001", "nfs", "pvc-data-postgres-0")],
      [4, pod("8f14e45f-0002", "nfs", "pvc-data-postgres-0")],   # restart
      [8, pod("8f14e45f-0003", "nfs", "pvc-data-postgres-0")]]),  # restart
    ("k8s-pvc-shared-media", "127.0.0.5:/export/media", 20000,
     [[0, pod("c9f0f895-0001", "nfs", "pvc-shared-media")],
      [6, pod("d3d94468-0001", "nfs", "pvc-shared-media")]]),  # another pod
    # two PVs of one export, CSI pod mounts, both pods restart at 5
    ("k8s-pvc-team-a", "127.0.0.6:/export/team", 30000,
     [[0, pod("45c48cce-0001", "csi", "pvc-team-a")],
      [5, pod("45c48cce-0002", "csi", "pvc-team-a")]]),
    ("k8s-pvc-team-b", "127.0.0.6:/export/team", 40000,
     [[0, pod("6512bd43-0001", "csi", "pvc-team-b")],
      [5, pod("6512bd43-0002", "csi", "pvc-team-b")]]),
    ("a-b~%08x" % fnv1a32(b"/a-b"), "127.0.0.7:/x", 50000, [[0, "/a-b"]]),
    ("a-b", "127.0.0.7:/y", 60000, [[0, "/a/b"]]),
]


def scenario():
    mounts = []
    for i, (_, dev, age, timeline) in enumerate(VOLUMES):
        mounts.append({"device": dev, "mountpoint": timeline[0][1], "timeline": timeline,
                       "vers": "4.2" if "team" in dev else "3", "age": age,
                       "ops": {"READ": {"rate": 10 * (i + 1), "rtt_ms": 1, "exec_ms": 1}}})
    return {"seed": 7, "interval": 1, "shuffle": True, "mounts": mounts}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_common_args(ap)
    args = ap.parse_args()
    ck = Checks("pod_churn")
    work = tempfile.mkdtemp(prefix="ms-podchurn-")
    scen = os.path.join(work, "scenario.json")
    with open(scen, "w") as f:
        json.dump(scenario(), f)
    snaps = os.path.join(work, "snapshots")
    r = subprocess.run([sys.executable, REPLAY, "generate", "-s", scen, "--outdir", snaps,
                        "--count", str(SNAPSHOTS)], capture_output=True, text=True)
    files = sorted(os.listdir(snaps)) if r.returncode == 0 else []
    ck.check("the replay tool wrote %d snapshots" % SNAPSHOTS, len(files) == SNAPSHOTS,
             r.stderr[-1000:])
    d = Daemon(args, "podchurn", ['File "@DIR@/mountstats"', 'MountInfoFile ""'], csv=True)
    path = os.path.join(d.dir, "mountstats")
    try:
        first = VOLUMES[0][0] + "/uptime-age"
        for k, name in enumerate(files):
            with open(os.path.join(snaps, name)) as f:
                write_atomic(path, f.read())
            if k == 0:
                d.start()
            want = float(VOLUMES[0][2] + k)
            seen = wait_until(lambda: any(float(row[1][0]) == want for row in d.rows(first)),
                              8.0)
            if not seen:
                ck.check("snapshot %d was read within 8 s" % k, False, d.output_text()[-1500:])
                break
        d.stop()
        ck.check("daemon ran until SIGTERM, exit status 0",
                 d.alive_at_stop and d.returncode == 0, d.output_text()[-1500:])
        data = d.read_csv()
        insts = sorted({key.split("/")[0] for key in data})
        want_names = sorted(v[0] for v in VOLUMES)
        ck.check("one instance per volume, named after it (no pod UID), the clash "
                 "by the path's hash: %s" % want_names, insts == want_names,
                 "got %s" % insts)
        for name, _, age0, _ in VOLUMES:
            ages = sorted({float(row[1][0]) for row in data.get(name + "/uptime-age",
                                                                 ("", []))[1]})
            ck.check("%s: one series through every snapshot and restart (ages %s)"
                     % (name, ages and "%g..%g" % (ages[0], ages[-1])),
                     ages and ages[0] == age0 and ages[-1] == age0 + SNAPSHOTS - 1
                     and ages == [float(age0 + k) for k in range(SNAPSHOTS)], ages)
        problems = d.problems()
        ck.check("no error or warning in collectd's log", not problems, problems[:5])
    except Exception:
        ck.check("test ran to the end", False, traceback.format_exc())
    finally:
        d.kill_if_running()
        d.cleanup()
        if not args.keep:
            subprocess.run(["rm", "-rf", work])
    return ck.finish()


if __name__ == "__main__":
    sys.exit(main())
