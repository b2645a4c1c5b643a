#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The live-kernel suite's guest side (run by tests/live/guest_init.sh as the
guest's PID 1 child): starts the guest kernel's nfsd on 127.0.0.0/8, mounts
the matrix, and runs the phases, each a module of its own with the shared
harness in guest.py. Every phase runs the real collectd with the built
plugin on the live /proc/self/mountstats and checks what it stores (csv)
against the kernel's own file, a workload's known counts, nfs-utils'
readers, or the kernel's own "not responding" lines. Writes PASS:/FAIL:/
NOTE: lines to <results>/report.txt, ending in "GUEST DONE".

Phases, in the order they run (config "phases": "all" or a comma list):
  matrix     every matrix mount's values against the kernel's file (matrix.py)
  workload   known I/O counts, nfs-utils' mountstats and nfsiostat (workload.py)
  capture    sysfs and mountstats fixtures, on request only (capture.py)
  dead       a server that stops answering, collectd's shutdown (dead.py)
  kubelet    kubelet and CSI volume paths and their names (kubelet.py)
  namespace  another mount namespace (namespace.py)
  churn      mounts coming and going while two daemons read (churn.py)
  outage     the stall alert against every outage class (outage.py)
  many       500 more mounts, the parse and sysfs read cost (many.py)
"""

import os
import time

import guest  # reads the config named by sys.argv[1]
import capture
import churn
import dead
import kubelet
import many
import matrix
import namespace
import outage
import workload
from guest import (CFG, COUNTS, PHASES, PROCS, T0, check, guarded, main_collectd, mount_matrix,
                   note, out, start_server, stop, want)


def main():
    note("kernel %s (%s), %s" % (CFG["kernel_release"], CFG["kernel_package"],
                                 os.uname().release))
    check("the guest runs the kernel under test", os.uname().release == CFG["kernel_release"],
          os.uname().release)
    start_server()
    mount_matrix()
    cd = main_collectd()
    try:
        if want("matrix"):
            guarded(matrix.run, cd)
        if want("workload"):
            workload.run(cd)
    finally:
        rc, secs = cd.stop()
        check("main collectd stopped cleanly (exit %s in %.1f s)" % (rc, secs), rc == 0,
              cd.log_text()[-2000:])
        errs = cd.problems()
        check("main collectd: no error or warning in its log", not errs, errs[:10])
    if "capture" in PHASES.split(","):  # fixtures, on request only
        guarded(capture.run, guest)
    if want("dead"):
        guarded(dead.run)
    if want("kubelet"):
        guarded(kubelet.run, guest)
    if want("namespace"):
        guarded(namespace.run)
    if want("churn"):
        guarded(churn.run)
    if want("outage"):
        # the stall alert (issue 18): unmounts the matrix's NFSv4
        # mounts, so it runs after every phase that reads them
        guarded(outage.run, guest)
    if want("many"):
        guarded(many.run)


if __name__ == "__main__":
    try:
        guarded(main)
    finally:
        for label, p in reversed(PROCS):
            try:
                stop(p, timeout=10)
            except Exception:
                pass
        out("GUEST DONE: %d passed, %d failed, %.1f s" % (COUNTS["pass"], COUNTS["fail"],
                                                          time.time() - T0))
