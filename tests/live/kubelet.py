# SPDX-License-Identifier: MIT
"""The live guest's kubelet phase (issue 21): NFS volumes mounted where a
kubelet mounts them (under a --root-dir of /run/kubelet, since the guest's
/var is the host's, read only), pods "restarted" by unmounting the volume
from the old pod's path and mounting it at a new pod UID's path, a volume
moving to another pod, and two PVs of one export (one superblock: reported
once, under the smaller PV name while both are mounted; their pods are
replaced new-first, as a rolling update does). The real collectd, NamingScheme auto (the
default), reads the real /proc/self/mountstats every second; the names are
worked out by hand from collectd-mountstats(5), Naming:

  .../pods/UID/volumes/kubernetes.io~nfs/pvc-data-postgres-0   k8s-pvc-data-postgres-0
  .../pods/UID/volumes/kubernetes.io~csi/pvc-shared-media/mount k8s-pvc-shared-media
  .../pods/UID/volumes/kubernetes.io~nfs/pvc-team-{a,b} (one export) k8s-pvc-team-a
"""

import time

ROOT = "/run/kubelet/pods"
ADDR = "127.0.0.61"
RESTARTS = 3


def pod_path(uid, kind, pv):
    return "%s/%s/volumes/kubernetes.io~%s/%s%s" % (ROOT, uid, kind, pv,
                                                     "/mount" if kind == "csi" else "")


def run(g):
    g.add_export("kpg")
    g.add_export("kmedia")
    g.add_export("kteam")
    vols = {  # PV: (export, kind, pod UIDs in turn)
        "pvc-data-postgres-0": ("/srv/kpg", "nfs"),
        "pvc-shared-media": ("/srv/kmedia", "csi"),
        "pvc-team-a": ("/srv/kteam", "nfs"),
        "pvc-team-b": ("/srv/kteam", "nfs"),
    }
    current = {}

    def mount(pv, gen):
        exp, kind = vols[pv]
        # pvc-shared-media moves to another pod (another UID prefix) at each
        # restart; the others restart under a new UID of the same pod
        uid = "%s-%04d" % ("c9f0f895" if pv != "pvc-shared-media" or gen % 2 == 0
                           else "d3d94468", gen) + "-" + pv[-6:]
        path = pod_path(uid, kind, pv)
        g.nfs_mount(ADDR, exp, path, "3")
        current[pv] = path

    for pv in vols:
        mount(pv, 0)
    cd = g.Collectd("kubelet", '<Plugin mountstats>\n File "/proc/self/mountstats"\n'
                    ' ReportOperations false\n ReportEvents false\n</Plugin>\n')
    want = {"k8s-pvc-data-postgres-0", "k8s-pvc-shared-media", "k8s-pvc-team-a"}
    after_restart = []
    try:
        t, _ = cd.wait_read_after(time.time(), ["k8s-pvc-data-postgres-0/uptime-age"],
                                  timeout=60)
        for gen in range(1, RESTARTS + 1):
            for pv in vols:
                old = current[pv]
                if pv.startswith("pvc-team-"):
                    # the two PVs of one export are one superblock, named by
                    # the smaller PV while both are mounted and by the other
                    # while one is not: their pods are replaced new-first (a
                    # rolling update), so both stay mounted throughout
                    mount(pv, gen)
                    g.sys_umount(old)
                else:  # stopped, then started under a new UID
                    g.sys_umount(old)
                    mount(pv, gen)
            t_mounted = time.time()
            t, data = cd.wait_read_after(t_mounted + 0.5, [n + "/uptime-age" for n in want],
                                         timeout=60)
            after_restart.append((gen, t, sorted(current.values())))
            g.note("kubelet: restart %d done, read at %.3f; mount points %s" % (
                gen, t, sorted(current.values())))
        data = cd.read_all()
        # the matrix's own mounts are still there: only the kubelet's count
        insts = {k.split("/")[0] for k in data
                 if k.startswith("k8s-") or "kubelet" in k or "pods" in k}
        g.check("kubelet: the volumes are named after their PVs through %d pod restarts "
                "and a move (%s)" % (RESTARTS, sorted(insts)), insts == want,
                "got %s, want %s" % (sorted(insts), sorted(want)))
        for name in sorted(want):
            rows = sorted(data.get(name + "/uptime-age", {}))
            reads = [x for _, x, _ in after_restart
                     if any(abs(r - x) < 0.001 for r in rows)]
            g.check("kubelet: %s has a value at the read after every restart (%d of %d)"
                    % (name, len(reads), RESTARTS), len(reads) == RESTARTS, rows[-10:])
    finally:
        rc, _ = cd.stop()
        g.check("kubelet: collectd stopped cleanly (exit %s)" % rc, rc == 0,
                cd.log_text()[-1500:])
        errs = cd.problems()
        g.check("kubelet: no error or warning in collectd's log", not errs, errs[:5])
        for path in current.values():
            try:
                g.sys_umount(path)
            except OSError:
                pass
