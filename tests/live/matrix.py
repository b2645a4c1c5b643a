# SPDX-License-Identifier: MIT
"""The live guest's matrix phase: every mount of the matrix (NFSv3, v4.0,
v4.1, v4.2, nconnect, trunking, sharecache and not, odd mount point
names, a bind mount) as the real collectd stores it, value by value
against the kernel's own file; one superblock reported once."""

import os

from guest import (MATRIX, RES, V4_MOVERS, check, compare_live, instance_name, note, read_proc)


def run(cd):
    c = compare_live(cd, "matrix", allowed_movers=V4_MOVERS)
    exp, recs, n = c["exp"], c["recs"], c["n"]
    insts = {i.split("/")[0] for i in exp}
    by_mp = {r["mp"]: r for r in recs}
    note("matrix: %d NFS records in the kernel's file, %d reported instances, %d values "
         "compared" % (len(recs), len(insts), n))
    # sharecache: one superblock, reported once
    sc1, sc2 = by_mp.get("/mnt/sc1"), by_mp.get("/mnt/sc2")
    check("sharecache: /mnt/sc1 and /mnt/sc2 are one superblock in mountinfo (%s)" %
          (sc1 and sc1["dev"]), sc1 and sc2 and sc1["dev"] == sc2["dev"])
    data = cd.read_all()
    got_insts = {i.split("/")[0] for i in data}
    check("sharecache: reported once, as mnt-sc1; mnt-sc2 never", "mnt-sc1" in got_insts
          and "mnt-sc2" not in got_insts, sorted(got_insts))
    n1, n2 = by_mp.get("/mnt/nsc1"), by_mp.get("/mnt/nsc2")
    check("nosharecache: two superblocks (%s, %s), both reported" %
          (n1 and n1["dev"], n2 and n2["dev"]),
          n1 and n2 and n1["dev"] != n2["dev"] and {"mnt-nsc1", "mnt-nsc2"} <= got_insts,
          sorted(got_insts))
    check("bind mount: /mnt/bind40 shares /mnt/v40's superblock and is not reported",
          by_mp.get("/mnt/bind40", {}).get("dev") == by_mp.get("/mnt/v40", {}).get("dev")
          and "mnt-bind40" not in got_insts, sorted(got_insts))
    for mp, desc in MATRIX:
        if mp == "/mnt/bind40" or mp == "/mnt/sc2":
            continue
        inst = instance_name(mp)
        check("%s: reported as %r" % (desc, inst), inst in got_insts, sorted(got_insts))
    for key, mp, k in (("nconnect=4", "/mnt/nc4", 4), ("nconnect=16", "/mnt/nc16", 16)):
        r = by_mp.get(mp)
        lines = len(r["xprt"]) if r else 0
        ident = instance_name(mp) + "/count-transports"
        vals = [v[0] for v in data.get(ident, {}).values()]
        note("%s: the kernel printed %d xprt lines; count-transports stored: %s" %
             (key, lines, sorted(set(vals))))
        check("%s: between 1 and %d xprt lines, count-transports equals them" % (key, k),
              r and 1 <= lines <= k and vals and vals[-1] == lines)
    t1, t2 = by_mp.get("/mnt/v41"), by_mp.get("/mnt/v41trunk")
    if t1 and t2:
        same = [x[1][0] for x in t1["xprt"]] == [x[1][0] for x in t2["xprt"]]
        note("NFSv4.1 trunking: /mnt/v41 (127.0.0.3) source ports %s, /mnt/v41trunk "
             "(127.0.0.10) %s: %s; the plugin reports the transport under both, since its "
             "rule keys connections by server name (collectd-mountstats(5))" % (
                 [x[1][0] for x in t1["xprt"]], [x[1][0] for x in t2["xprt"]],
                 "one shared transport" if same else "two transports"))
    with open(os.path.join(RES, "matrix.mountstats"), "wb") as f:
        f.write(read_proc())
    ops = {}
    for r in recs:
        for o in r["ops"]:
            ops[r["fstype"] + r["opts"].get("vers", "")] = len(r["ops"])
    note("ops per record by version: %s" % ops)
