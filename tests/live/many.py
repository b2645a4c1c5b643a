# SPDX-License-Identifier: MIT
"""The live guest's many phase: 500 more NFSv3 mounts (500 superblocks),
each with a file of a known size, read by the real collectd; also the
parse cost and the sysfs read cost on the live kernel."""

import json
import os
import re
import time

from guest import (CFG, RES, V4_MOVERS, Collectd, add_export, check, compare_live, nfs_mount, note,
                   parse_mountstats, read_proc, sh)


# --------------------------------------------------------------------------
# Scale: 500 more mounts (NFSv3, nosharecache: 500 superblocks), each with a
# file of 100 + i bytes read once through the page cache: nfs_bytes
# normal_read of /mnt/many/dNNN is exactly 100 + NNN.
MANY = 500
MANY_VERS = "3"  # NFSv4.2 mounts took longer here (162 s against 96 s on 6.12)


def cost_line(stdout, stderr):
    m = re.search(r"bytes=(\d+) records=(\d+) nfs=(\d+) read_us=([\d.]+) parse_us=([\d.]+) "
                  r"ratio=([\d.]+)", stdout)
    if not m:
        note("cost: no result: %s %s" % (stdout[-500:], stderr[-500:]))
        return None
    return {"bytes": int(m.group(1)), "records": int(m.group(2)), "nfs": int(m.group(3)),
            "read_us": float(m.group(4)), "parse_us": float(m.group(5)),
            "ratio": float(m.group(6))}


def run():
    path = add_export("many")
    for i in range(MANY):
        d = "%s/d%03d" % (path, i)
        os.mkdir(d)
        with open(d + "/f", "wb") as f:
            f.write(b"x" * (100 + i))
    # cost at 10 NFS mounts: in a namespace of its own with just those
    os.makedirs("/mnt/many", exist_ok=True)
    for i in range(10):
        os.makedirs("/mnt/many/d%03d" % i, exist_ok=True)
    script = ("umount -a -t nfs,nfs4 || exit 1; for i in 0 1 2 3 4 5 6 7 8 9; do "
              "mount -t nfs -o vers=3,nolock,nosharecache 127.0.0.13:/srv/many/d00$i "
              "/mnt/many/d00$i || exit 1; cat /mnt/many/d00$i/f > /dev/null; done; "
              "exec %s /proc/self/mountstats 20 5" % CFG["cost_tool"])
    r = sh(["unshare", "-m", "--propagation", "private", "sh", "-c", script], check_rc=False,
           timeout=300)
    costs = [cost_line(r.stdout, r.stderr)]
    base = len(parse_mountstats(read_proc()))
    t = time.time()
    for i in range(MANY):
        nfs_mount("127.0.0.13", ("/srv" if MANY_VERS == "3" else "") + "/many/d%03d" % i,
                  "/mnt/many/d%03d" % i, MANY_VERS,
                  "nosharecache")
        if base + i + 1 == 100:
            r = sh([CFG["cost_tool"], "/proc/self/mountstats", "20", "5"], check_rc=False)
            costs.append(cost_line(r.stdout, r.stderr))
    tm = time.time() - t
    r = sh([CFG["cost_tool"], "/proc/self/mountstats", "10", "5"], check_rc=False)
    costs.append(cost_line(r.stdout, r.stderr))
    ok = all(c and c["nfs"] > 0 and c["read_us"] > 0 and c["parse_us"] > 0 for c in costs)
    check("cost: kernel generation and parse measured at %s NFS mounts" % (
        [c and c["nfs"] for c in costs]), ok and len(costs) == 3, costs)
    for c in costs:
        if c:
            note("cost: %d NFS mounts (%d records, %d bytes): kernel read %.1f us, parse %.1f "
                 "us, kernel/parse %.2f" % (c["nfs"], c["records"], c["bytes"], c["read_us"],
                                            c["parse_us"], c["ratio"]))
    with open(os.path.join(RES, "cost.json"), "w") as f:
        json.dump(costs, f)
    # ReportStall's reads of the kernel's sunrpc tree with the plugin's own
    # code (src/sunrpc.h, attribute files kept open as the plugin keeps them)
    r = sh([CFG["cost_tool"], "--sysfs", "/sys", "20", "5"], check_rc=False)
    sc = dict(kv.split("=", 1) for kv in r.stdout.split()) if r.returncode == 0 else {}
    check("cost: ReportStall's sysfs reads measured (%s)" % r.stdout.strip(),
          sc and int(sc["xprts"]) > 0 and float(sc["refresh_us"]) > 0, r.stderr[-500:])
    if sc:
        note("cost: sunrpc sysfs, %s switches, %s transports: scan %s us, refresh %s us, "
             "%s us per transport per interval" % (sc["switches"], sc["xprts"], sc["scan_us"],
                                                   sc["refresh_us"], sc["refresh_per_xprt_us"]))
    for i in range(MANY):
        with open("/mnt/many/d%03d/f" % i, "rb") as f:
            assert len(f.read()) == 100 + i
    total = len(parse_mountstats(read_proc()))
    note("many: %d mounts in %.1f s, read in %.1f s; %d NFS records in the kernel's file, "
         "%d bytes" % (MANY, tm, time.time() - t - tm, total, len(read_proc())))
    cd = Collectd("many", '<Plugin mountstats>\n File "/proc/self/mountstats"\n'
                  ' ReportOperations false\n ReportEvents false\n ReportTransport false\n'
                  ' ReportAge false\n</Plugin>\n')
    try:
        c = compare_live(cd, "%d NFS mounts (nfs_bytes only)" % total, allowed_movers=V4_MOVERS,
                         keep=r"/nfs_bytes$")
        bad = []
        for i in range(MANY):
            g = c["got"].get("mnt-many-d%03d/nfs_bytes" % i)
            if not g or g[0] != 100 + i or g[4] != 100 + i:
                bad.append((i, g))
        check("many: for all %d mounts, normal_read and server_read are exactly 100 + i bytes"
              % MANY, not bad, bad[:5])
        insts = {k.split("/")[0] for k in c["got"]}
        check("many: %d instances reported (500 + the matrix's superblocks)" % len(insts),
              len(insts) >= MANY + 10)
    finally:
        rc, secs = cd.stop()
        check("many: collectd stopped cleanly (exit %s, %.1f s)" % (rc, secs), rc == 0)
        errs = cd.problems()
        check("many: no error or warning in collectd's log", not errs, errs[:5])
    return total
