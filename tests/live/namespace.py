# SPDX-License-Identifier: MIT
"""The live guest's namespace phase: a collectd in another mount namespace
reports that namespace's NFS mounts only."""

import os
import time

from guest import (WORK, Collectd, add_export, check, compare_live, parse_mountstats, read_proc,
                   read_text, spawn, stop)


# --------------------------------------------------------------------------
# Another mount namespace (unshare -m): its own NFS mounts only.

def run():
    add_export("ns", ["a", "b", "c"])
    for d in ("a", "b", "c"):
        os.makedirs("/mnt/ns/" + d, exist_ok=True)
    ready = os.path.join(WORK, "ns-ready")
    script = ("umount -a -t nfs,nfs4 || exit 1; "
              "mount -t nfs -o vers=3,nolock 127.0.0.14:/srv/ns/a /mnt/ns/a && "
              "mount -t nfs -o vers=3,nolock 127.0.0.14:/srv/ns/b /mnt/ns/b && "
              "mount -t nfs -o vers=3,nolock,nosharecache 127.0.0.14:/srv/ns/c /mnt/ns/c && "
              "ls /mnt/ns/a /mnt/ns/b /mnt/ns/c >/dev/null && echo ready > %s && "
              "exec sleep 100000" % ready)
    p = spawn("unshare", ["unshare", "-m", "--propagation", "private", "sh", "-c", script])
    end = time.time() + 120
    while not os.path.exists(ready) and time.time() < end and p.poll() is None:
        time.sleep(0.2)
    if not check("namespace: unshare -m process (pid %d) mounted its 3 NFS mounts" % p.pid,
                 os.path.exists(ready), read_text(os.path.join(WORK, "unshare.out"))):
        return
    own = [r["mp"] for r in parse_mountstats(read_proc("/proc/%d/mountstats" % p.pid))]
    check("namespace: its mountstats has exactly its 3 NFS mounts (%s)" % own,
          own == ["/mnt/ns/a", "/mnt/ns/b", "/mnt/ns/c"], own)
    mine = [r["mp"] for r in parse_mountstats(read_proc()) if r["mp"].startswith("/mnt/ns/")]
    check("namespace: the root namespace does not see them", not mine, mine)
    f = "/proc/%d/mountstats" % p.pid
    cd = Collectd("ns", '<Plugin mountstats>\n File "%s"\n</Plugin>\n' % f)
    try:
        compare_live(cd, "namespace", mountstats=f, mountinfo="/proc/%d/mountinfo" % p.pid)
        insts = {k.split("/")[0] for k in cd.read_all()}
        check("namespace: collectd reports exactly mnt-ns-a and mnt-ns-c (a and b are one "
              "superblock, found from /proc/%d/mountinfo); got %s" % (p.pid, sorted(insts)),
              insts == {"mnt-ns-a", "mnt-ns-c"})
        info = [l for l in cd.log_text().splitlines()
                if 'reading "%s"' % f in l and "superblocks from /proc/%d/mountinfo" % p.pid in l]
        check("namespace: MountInfoFile derived from the pid (/proc/%d/mountinfo, INFO line)"
              % p.pid, info, cd.log_text()[-1000:])
    finally:
        rc, _ = cd.stop()
        check("namespace: collectd stopped cleanly", rc == 0)
        errs = cd.problems()
        check("namespace: no error or warning in collectd's log", not errs, errs[:5])
        stop(p)  # the namespace's mounts go with its last process
