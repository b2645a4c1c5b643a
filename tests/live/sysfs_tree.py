#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a capture of the live guest's sunrpc and NFS sysfs trees (the JSON
the guest's capture phase, tests/live/capture.py, writes) out as a folder of
real files and symbolic links, with the mountstats and mountinfo read at the
same moment beside it:

    sysfs_tree.py CAPTURE.json OUTDIR

OUTDIR/sys/kernel/sunrpc/..., OUTDIR/sys/fs/nfs/..., OUTDIR/mountstats,
OUTDIR/mountinfo. The files hold exactly the kernel's bytes."""

import json
import os
import sys


def main():
    cap, out = sys.argv[1], sys.argv[2]
    d = json.load(open(cap))
    for path, v in sorted(d.items()):
        if path.startswith("/proc/self/"):
            dst = os.path.join(out, os.path.basename(path))
        elif path.startswith("/sys/"):
            dst = os.path.join(out, path.lstrip("/"))
        else:
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if "link" in v:
            if os.path.lexists(dst):
                os.unlink(dst)
            os.symlink(v["link"], dst)
        elif "text" in v:
            with open(dst, "wb") as f:
                f.write(v["text"].encode(d.get("encoding", {}).get(path, "latin-1")))


if __name__ == "__main__":
    main()
