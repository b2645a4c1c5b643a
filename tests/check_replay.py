#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""contrib/mountstats-replay without collectd (the e2e tests feed its output
to the real daemon): the kernel's byte layout (docs/MOUNTSTATS-FORMAT.md)
and exact counters.

  - every NFS record: header with \\040 escapes, TAB sub-lines, events: with
    27 numbers and bytes: with 8, both ending in a space, "RPC iostats
    version: 1.1", op lines printed "\\t%12s: " with 9 numbers, 22 ops for
    NFSv3 and 69 for NFSv4.x, nconnect tcp lines of 13 fields and rdma lines
    of 27, and an empty line after the record;
  - a constant rate gives exactly rate * t ops and rtt_ms * ops of RTT;
    counters never go back except at a "remount" incident (age too);
  - the load wave and noise are deterministic for a seed;
  - generate -o paces snapshots and replaces the file atomically; play
    replays files in order; fixtures/replay/snapshots are what the generator
    writes for fixtures/replay/demo.json.
Python 3 standard library. Last line: "N passed, M failed".
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOOL = os.path.join(ROOT, "contrib", "mountstats-replay")
FIX = os.path.join(ROOT, "fixtures", "replay")
RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append(bool(ok))
    print(("PASS" if ok else "FAIL") + ": " + name + ("" if ok or not detail else ": " + detail))


def tool(*args, **kw):
    return subprocess.run([sys.executable, TOOL] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, **kw)


def records(text):
    """[(header, [sub-lines])] of the NFS records; checks the blank line."""
    out, cur, lines = [], None, text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("device ") and "statvers=" in line:
            cur = (line, [])
            out.append(cur)
        elif line.startswith("\t") and cur is not None:
            cur[1].append(line)
        elif line == "" and cur is not None:
            cur[1].append("<blank>")
            cur = None
    return out


def ops_of(sub):
    ops = {}
    for l in sub:
        m = re.match(r"^\t( *)([A-Za-z0-9_]+): (.*)$", l)
        if m and not l.startswith("\tper-op"):
            ops[m.group(2)] = (len(m.group(1)) + len(m.group(2)), [int(x) for x in m.group(3).split()])
    return ops


def main():
    work = tempfile.mkdtemp(prefix="check_replay.")
    try:
        run(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    passed = sum(RESULTS)
    print("%d passed, %d failed" % (passed, len(RESULTS) - passed))
    return 0 if passed == len(RESULTS) else 1


def run(work):
    sc = {"mounts": [
        {"device": "srv:/export/with space", "mountpoint": "/mnt/a b\\c", "vers": "3",
         "nconnect": 3, "age": 100,
         "ops": {"READ": {"rate": 7, "rtt_ms": 3, "exec_ms": 5, "queue_ms": 1,
                          "bytes_recv": 1000, "retrans": 0.5, "errors": 0.25}},
         "incidents": [{"start": 4, "remount": True}]},
        {"device": "srv2:/v4", "mountpoint": "/v4", "vers": "4.2", "proto": "rdma",
         "nconnect": 2, "ops": {"WRITE": {"rate": 2.5, "rtt_ms": 2}}},
        {"device": "srv3:/wave", "mountpoint": "/wave", "vers": "4.1",
         "wave": {"amplitude": 0.5, "period": 4}, "noise": 0.2,
         "ops": {"GETATTR": {"rate": 100, "rtt_ms": 1}}},
    ]}
    scf = os.path.join(work, "sc.json")
    with open(scf, "w") as f:
        json.dump(sc, f)
    outdir = os.path.join(work, "snaps")
    p = tool("generate", "-s", scf, "--outdir", outdir, "--count", "7")
    check("generate --outdir writes 7 snapshots", p.returncode == 0 and
          sorted(os.listdir(outdir)) == ["%05d.mountstats" % k for k in range(7)],
          p.stderr.decode())
    snaps = []
    for k in range(7):
        with open(os.path.join(outdir, "%05d.mountstats" % k), newline="") as f:
            snaps.append(f.read())
    t3 = snaps[3]
    recs = records(t3)
    check("three NFS records, headers escaped as the kernel does",
          [r[0] for r in recs] == [
              "device srv:/export/with\\040space mounted on /mnt/a\\040b\\134c with fstype nfs statvers=1.1",
              "device srv2:/v4 mounted on /v4 with fstype nfs4 statvers=1.1",
              "device srv3:/wave mounted on /wave with fstype nfs4 statvers=1.1"],
          str([r[0] for r in recs]))
    check("every record ends with an empty line", all(r[1][-1] == "<blank>" for r in recs))
    check("no carriage return, every line of a record after the header starts with TAB",
          "\r" not in t3 and all(l.startswith("\t") or l == "<blank>" for r in recs for l in r[1]))
    ev = [l for r in recs for l in r[1] if l.startswith("\tevents:\t")]
    by = [l for r in recs for l in r[1] if l.startswith("\tbytes:\t")]
    check("events: 27 numbers and a trailing space; bytes: 8 and a trailing space",
          len(ev) == 3 and all(l.endswith(" ") and len(l.split("\t")[2].split()) == 27 for l in ev)
          and len(by) == 3 and all(l.endswith(" ") and len(l.split("\t")[2].split()) == 8 for l in by))
    check("RPC iostats version 1.1 with the program/version",
          all(any(l.startswith("\tRPC iostats version: 1.1  p/v: 100003/%s (nfs)" % v) for l in r[1])
              for r, v in zip(recs, ("3", "4", "4"))))
    o3, o4 = ops_of(recs[0][1]), ops_of(recs[1][1])
    check("22 NFSv3 ops and 69 NFSv4 ops, 9 numbers each", len(o3) == 22 and len(o4) == 69 and
          all(len(v) == 9 for _, v in list(o3.values()) + list(o4.values())), "%d %d" % (len(o3), len(o4)))
    check("op names printed \"\\t%12s: \" (right-aligned, longer names unpadded)",
          all(w == max(12, len(n)) for n, (w, _) in list(o3.items()) + list(o4.items())))
    x3 = [l.split() for l in recs[0][1] if l.startswith("\txprt:")]
    x4 = [l.split() for l in recs[1][1] if l.startswith("\txprt:")]
    check("nconnect=3 tcp: 3 xprt lines of 13 fields; nconnect=2 rdma: 2 lines of 27",
          len(x3) == 3 and all(len(l) == 15 and l[1] == "tcp" for l in x3) and
          len(x4) == 2 and all(len(l) == 29 and l[1] == "rdma" for l in x4), str(x3 + x4))
    check("opts say vers, proto and nconnect",
          "vers=3" in t3 and "proto=tcp,nconnect=3" in t3 and "vers=4.2" in t3 and
          "proto=rdma,port=20049,nconnect=2" in t3)

    def read(k, rec=0, op="READ"):
        return ops_of(records(snaps[k])[rec][1])[op][1]
    r = read(3)
    check("READ at t=3 s: 21 ops, 31 transmissions (half retransmitted), 21 kB received, "
          "63 ms RTT, 105 ms execution, 21 ms queue, 5 errors",
          r == [21, 31, 0, 21 * 136, 21000, 21, 63, 105, 5], str(r))
    check("remount at t=4 s: counters and age restart",
          read(3)[0] == 21 and read(4)[0] == 0 and read(5)[0] == 7 and
          "\tage:\t103" in snaps[3] and "\tage:\t0" in snaps[4] and "\tage:\t1" in snaps[5])
    w = [read(k, 1, "WRITE")[0] for k in range(7)]
    check("WRITE at 2.5 ops/s: whole ops, 2.5 per s on average", w == [0, 2, 5, 7, 10, 12, 15], str(w))
    tcp_sends = [sum(int(l[7]) for l in (x.split() for x in records(snaps[k])[0][1]
                                         if x.startswith("\txprt:"))) for k in range(4)]
    check("the nconnect lines add up to the mount's transmissions", tcp_sends == [0, 10, 21, 31],
          str(tcp_sends))
    g = [read(k, 2, "GETATTR")[0] for k in range(7)]
    d = [b - a for a, b in zip(g, g[1:])]
    check("the wave and noise move the rate (not 100 every second) and never go back",
          len(set(d)) > 2 and all(x >= 0 for x in d), str(d))
    p2 = tool("generate", "-s", scf, "--outdir", os.path.join(work, "again"), "--count", "7")
    same = all(open(os.path.join(work, "again", n)).read() == open(os.path.join(outdir, n)).read()
               for n in os.listdir(outdir))
    check("same scenario and seed, same snapshots", p2.returncode == 0 and same)

    # paced output, atomically replaced
    out = os.path.join(work, "live")
    t = time.time()
    p = tool("generate", "-q", "-s", scf, "-o", out, "--interval", "0.2", "--count", "4")
    el = time.time() - t
    with open(out) as f:
        live = f.read()
    check("generate -o paces 4 snapshots 0.2 s apart, the last one stays", p.returncode == 0 and
          0.5 < el < 5 and ops_of(records(live)[1][1])["WRITE"][1][0] == 1 and
          not [n for n in os.listdir(work) if ".tmp" in n], "%.2f s %s" % (el, p.stderr.decode()))
    out2 = os.path.join(work, "played")
    p = tool("play", "-q", "-o", out2, "--interval", "0.05", outdir)
    check("play replays the files in name order (the last one stays)",
          p.returncode == 0 and open(out2).read() == snaps[6], p.stderr.decode())
    p = tool("play", "-q", "-o", out2, "--interval", "0.05", "--loop", "--count", "9", outdir)
    check("play --loop --count 9 starts over (ends on the third file)",
          p.returncode == 0 and open(out2).read() == snaps[1], p.stderr.decode())

    # the shipped fixtures
    d2 = os.path.join(work, "demo")
    p = tool("generate", "-s", os.path.join(FIX, "demo.json"), "--outdir", d2, "--count", "3")
    fixed = sorted(os.listdir(os.path.join(FIX, "snapshots")))
    check("fixtures/replay/snapshots are what the generator writes for demo.json",
          p.returncode == 0 and fixed == sorted(os.listdir(d2)) and all(
              open(os.path.join(FIX, "snapshots", n)).read() == open(os.path.join(d2, n)).read()
              for n in fixed), str(fixed))
    p = tool("example")
    check("the built-in scenario is fixtures/replay/demo.json",
          p.returncode == 0 and json.loads(p.stdout) == json.load(open(os.path.join(FIX, "demo.json"))))
    bad = os.path.join(work, "bad.json")
    with open(bad, "w") as f:
        json.dump({"mounts": [{"device": "a:/b", "mountpoint": "/b", "vers": "3",
                               "ops": {"OPEN": {"rate": 1}}}]}, f)
    p = tool("generate", "-s", bad, "--outdir", os.path.join(work, "x"))
    check("an op the NFS version does not have is refused with a message",
          p.returncode != 0 and b"OPEN is not an NFSv3 operation" in p.stderr, p.stderr.decode())


if __name__ == "__main__":
    sys.exit(main())
