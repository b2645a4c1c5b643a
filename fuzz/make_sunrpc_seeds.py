#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes fuzz/seeds/sunrpc-*: fuzz_sunrpc's inputs, each made of the
kernel's own bytes from a captured tree (fixtures/live/<kernel>/sysfs-<state>):
its mountstats, "=====", its mountinfo, then, in the order of tree[] in
fuzz/fuzz_sunrpc.c, the files and link targets of two of its switches."""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIVE = os.path.join(ROOT, "fixtures", "live")


def read(path, link=False):
    return os.readlink(path).encode() if link else open(path, "rb").read()


def seed(kernel, state, sw_a, sw_b):
    base = os.path.join(LIVE, kernel, "sysfs-" + state)
    sw = os.path.join(base, "sys/kernel/sunrpc/xprt-switches")
    parts = [read(os.path.join(base, "mountstats")), read(os.path.join(base, "mountinfo"))]
    xa = sorted(x for x in os.listdir(os.path.join(sw, sw_a)) if x.startswith("xprt-"))
    xb = sorted(x for x in os.listdir(os.path.join(sw, sw_b)) if x.startswith("xprt-"))
    parts.append(read(os.path.join(sw, sw_a, "xprt_switch_info")))
    for x in (xa[0], (xa + xb)[1]):
        d = os.path.join(sw, sw_a if x in xa else sw_b, x)
        parts += [read(os.path.join(d, "xprt_info")), read(os.path.join(d, "dstaddr"))]
    parts.append(read(os.path.join(sw, sw_b, "xprt_switch_info")))
    d = os.path.join(sw, sw_b, xb[0])
    parts += [read(os.path.join(d, "xprt_info")), read(os.path.join(d, "dstaddr"))]
    clients = os.path.join(base, "sys/kernel/sunrpc/rpc-clients")
    cl = sorted(os.listdir(clients))[:2]
    parts += [read(os.path.join(clients, c, "switch"), True) for c in cl]
    nfs = os.path.join(base, "sys/fs/nfs")
    sbs = sorted(d for d in os.listdir(nfs) if ":" in d) if os.path.isdir(nfs) else []
    for link in ("nfs_client", "nfs_state_client"):
        p = os.path.join(nfs, sbs[0], link) if sbs else ""
        parts.append(read(p, True) if p and os.path.islink(p) else b"")
    out = os.path.join(ROOT, "fuzz", "seeds", "sunrpc-%s-%s" % (kernel, state))
    with open(out, "wb") as f:
        f.write(b"\n=====\n".join(p if p.endswith(b"\n") else p + b"\n" for p in parts))


for k in ("bookworm", "trixie"):
    seed(k, "hung15", "switch-13", "switch-9")
    seed(k, "nfsd0", "switch-13", "switch-8")
    seed(k, "idle", "switch-8", "switch-4")
