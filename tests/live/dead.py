# SPDX-License-Identifier: MIT
"""The live guest's dead phase: a server that stops answering (a relay on
loopback, SIGSTOPped), a hard mount with I/O in flight, a soft mount, and
collectd's shutdown while a process is stuck in D state: reads never
block and the daemon stops."""

import os
import re
import signal
import sys
import time

from guest import (CFG, MNT_FORCE, WORK, WRITER, Collectd, add_export, check, gaps, nfs_mount,
                   note, proc_state, read_text, sh, spawn, stop, sys_umount, writer_count)


# --------------------------------------------------------------------------
# Faults: a server that stops answering (a relay on loopback, SIGSTOPped),
# a hard mount with I/O in flight, a soft mount, and collectd's shutdown
# while a process is stuck in D state.


def notifications(cd):
    """The daemon's notifications, from the logfile plugin's lines:
    [(unix time, severity, plugin_instance, type, message)]."""
    out = []
    for line in cd.log_text().splitlines():
        m = re.match(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\] (?:\[\w+\] )?"
                     r"Notification: severity = (\w+)(.*)$", line)
        if not m:
            continue
        fields = dict(re.findall(r", (\w+) = ((?:(?!, \w+ = ).)*)", m.group(3)))
        t = time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S"))
        out.append((t, m.group(2), fields.get("plugin_instance"), fields.get("type"),
                    fields.get("message", "")))
    return out


def first_row(rows, after, pred):
    """The time of the first csv row after `after` whose values satisfy pred."""
    for t in sorted(rows):
        if t > after and pred(rows[t]):
            return t
    return None


def run():
    add_export("dead")
    add_export("soft")
    add_export("dflt")
    relay = os.path.join(CFG["repo"], "tests/live/tcp_proxy.py")
    px = spawn("proxy-dead", [sys.executable, relay, "127.0.0.21", "20490", "127.0.0.1", "2049"])
    ps = spawn("proxy-soft", [sys.executable, relay, "127.0.0.22", "20491", "127.0.0.1", "2049"])
    pd = spawn("proxy-dflt", [sys.executable, relay, "127.0.0.23", "20492", "127.0.0.1", "2049"])
    end = time.time() + 60
    while time.time() < end and not all("listening" in read_text(os.path.join(WORK, l + ".out"))
                                        for l in ("proxy-dead", "proxy-soft", "proxy-dflt")):
        time.sleep(0.2)
    nfs_mount("127.0.0.21", "/srv/dead", "/mnt/dead", "3",
              "hard,timeo=10,retrans=2,port=20490,mountaddr=127.0.0.1")
    nfs_mount("127.0.0.22", "/srv/soft", "/mnt/soft", "3",
              "soft,timeo=10,retrans=2,port=20491,mountaddr=127.0.0.1")
    # A hard mount with the default timeo (60 s), whose server stops with
    # the first one: its writer waits in D state with nothing sent again.
    nfs_mount("127.0.0.23", "/srv/dflt", "/mnt/dflt", "3",
              "hard,port=20492,mountaddr=127.0.0.1")
    with open("/mnt/soft/file", "w") as f:
        f.write("soft\n")
    cnt = os.path.join(WORK, "writer.count")
    w = spawn("writer", [sys.executable, "-c", WRITER, "/mnt/dead/data", cnt])
    cnt2 = os.path.join(WORK, "writer-dflt.count")
    w2 = spawn("writer-dflt", [sys.executable, "-c", WRITER, "/mnt/dflt/data", cnt2])
    cd = Collectd("dead", "")
    res = {}
    try:
        t, _ = cd.wait_read_after(time.time(), ["mnt-dead/nfs_op-WRITE"], timeout=60)
        end = time.time() + 60
        while (writer_count(cnt) < 20 or writer_count(cnt2) < 20) and time.time() < end:
            time.sleep(0.2)
        t, _ = cd.wait_read_after(time.time() + 1.5, ["mnt-dead/nfs_op-WRITE"], timeout=60)
        n0 = writer_count(cnt)
        check("dead: the writer is writing to /mnt/dead (%d writes)" % n0, n0 > 0)
        # both servers stop answering
        os.kill(px.pid, signal.SIGSTOP)
        os.kill(pd.pid, signal.SIGSTOP)
        t_stop = time.time()
        note("dead: relay stopped at %.3f" % t_stop)
        time.sleep(2)
        n1, m1 = writer_count(cnt), writer_count(cnt2)
        time.sleep(6)
        n2, m2 = writer_count(cnt), writer_count(cnt2)
        st, st2 = proc_state(w.pid), proc_state(w2.pid)
        check("dead: the writer is stuck (writes %d -> %d over 6 s, state %s)" % (n1, n2, st),
              n1 == n2 and st == "D")
        check("dead: the default-timeo writer is stuck (writes %d -> %d over 6 s, state %s)"
              % (m1, m2, st2), m1 == m2 and st2 == "D")
        t_cont_before = time.time()
        data = cd.read_all()
        res["dead_window"] = (t_stop, t_cont_before)
        # every instance has a read every interval across the window
        insts = sorted({k.split("/")[0] for k in data})
        worst = {}
        for inst in insts:
            ts = sorted(x for x in data.get(inst + "/uptime-age", {}) if x > t_stop - 3)
            g = gaps(ts)
            worst[inst] = max(g) if g else None
        bad = {k: v for k, v in worst.items() if v is None or v > 1.9}
        ts_dead = sorted(x for x in data.get("mnt-dead/uptime-age", {})
                         if t_stop - 3 < x < t_cont_before)
        note("dead: csv timestamps of mnt-dead around the stop: %s" %
             ", ".join("%.3f" % x for x in ts_dead))
        check("dead: reads kept their schedule for all %d instances while the server was dead "
              "(largest gap %.3f s)" % (len(insts), max(v for v in worst.values() if v)),
              not bad and len(ts_dead) >= 9, bad)
        # which values moved for the dead mount while it was dead
        moved, still = [], 0
        for ident, rows in data.items():
            if not ident.startswith("mnt-dead/"):
                continue
            inw = [rows[x] for x in sorted(rows) if t_stop + 1.5 < x < t_cont_before]
            if len(inw) < 2:
                continue
            for i in range(len(inw[0])):
                if inw[0][i] != inw[-1][i]:
                    moved.append("%s[%d] %g->%g" % (ident.split("/", 1)[1], i, inw[0][i],
                                                    inw[-1][i]))
                else:
                    still += 1
        note("dead: while dead, these values of mnt-dead moved: %s; %d stayed" % (
            "; ".join(moved), still))
        res["moved"] = moved
        # docs/integrations.md's account of what moves while a server is dead: recvs and
        # every per-op counter stand still (per-op counters count completed
        # RPCs only), idle_time grows.
        stuck_ops = [m for m in moved if m.startswith("nfs_op")]
        recvs = [m for m in moved if m.startswith("nfs_xprt-tcp[2]")]
        idle = [m for m in moved if m.startswith("nfs_xprt_conn-tcp[2]")]
        check("dead: while dead, no per-op counter and no xprt recvs moved, idle_time grew "
              "(%s)" % ("; ".join(idle) or "idle_time still"),
              not stuck_ops and not recvs and idle, moved)
        last = data.get("mnt-dead/nfs_op-WRITE", {})
        inw = [last[x] for x in sorted(last) if t_stop + 1.5 < x < t_cont_before]
        check("dead: the dead mount keeps reporting its last WRITE counters (%d reads, ops %s)" %
              (len(inw), inw and inw[-1][0]), len(inw) >= 5 and all(v[0] == inw[0][0] for v in inw))
        # soft mount: the server stops answering, an operation fails
        os.kill(ps.pid, signal.SIGSTOP)
        ts0 = time.time()
        r = sh([sys.executable, "-c", "import os,sys\ntry:\n os.stat('/mnt/soft/new-name')\n"
                "except OSError as e:\n print(e.errno, e.strerror); sys.exit(3)"],
               check_rc=False, timeout=120)
        note("soft: stat on the dead soft mount returned after %.1f s: %s" % (
            time.time() - ts0, r.stdout.strip()))
        check("soft: the operation on the dead soft,timeo=10,retrans=2 mount fails with an "
              "error (%s)" % r.stdout.strip(), r.returncode == 3 and r.stdout.split()[0] in
              ("5", "110"))
        os.kill(ps.pid, signal.SIGCONT)
        # recovery
        os.kill(px.pid, signal.SIGCONT)
        os.kill(pd.pid, signal.SIGCONT)
        t_cont = time.time()
        note("dead: relay continued at %.3f" % t_cont)
        end = time.time() + 120
        while writer_count(cnt) <= n2 + 3 and time.time() < end:
            time.sleep(0.2)
        resumed = writer_count(cnt)
        check("dead: the writer resumed after the server came back (%d writes)" % resumed,
              resumed > n2)
        t2, data = cd.wait_read_after(max(time.time(), t_cont + 3.5) + 1,
                                      ["mnt-dead/nfs_op-WRITE", "mnt-soft/nfs_op-LOOKUP"],
                                      timeout=60)
        m3 = writer_count(cnt2)
        check("dead: the default-timeo writer resumed after its server came back (%d -> %d "
              "writes)" % (m2, m3), m3 > m2)
        wr = data["mnt-dead/nfs_op-WRITE"]
        before = [wr[x] for x in sorted(wr) if x < t_stop]
        after = wr.get(t2)
        note("dead: WRITE before the stop %s, after recovery %s" % (before and before[-1], after))
        check("dead: after recovery the retransmission shows: WRITE trans - ops grew (%s -> %s)"
              % (before and before[-1][1] - before[-1][0], after and after[1] - after[0]),
              before and after and (after[1] - after[0]) > (before[-1][1] - before[-1][0]))
        lk = data["mnt-soft/nfs_op-LOOKUP"].get(t2)
        check("soft: the failed LOOKUP counts a retransmission and a major timeout (LOOKUP %s, "
              "errors %s)"
              % (lk, data.get("mnt-soft/nfs_op_errors-LOOKUP", {}).get(t2)),
              lk and lk[2] >= 1 and lk[1] > lk[0] and
              data.get("mnt-soft/nfs_op_errors-LOOKUP", {}).get(t2, [0])[0] >= 1)
        res["data"] = data
        res["t_stop"], res["t_cont"] = t_stop, t_cont
        # stop the server again: collectd shuts down cleanly with the writer in D state
        os.kill(px.pid, signal.SIGSTOP)
        time.sleep(3)
        st = proc_state(w.pid)
        rc, secs = cd.stop()
        check("dead: collectd shut down cleanly (exit %s in %.1f s) while the writer was in "
              "state %s on the dead mount" % (rc, secs, st), rc == 0 and secs < 15 and st == "D",
              cd.log_text()[-1500:])
        errs = cd.problems()
        check("dead: no error or warning in collectd's log", not errs, errs[:5])
    finally:
        if cd.p.poll() is None:
            cd.stop()
        for p in (px, ps, pd):
            try:
                os.kill(p.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        stop(w, timeout=60)
        stop(w2, timeout=60)
        for mp in ("/mnt/dead", "/mnt/soft", "/mnt/dflt"):
            try:
                sys_umount(mp, MNT_FORCE)
            except OSError:
                pass
    return res
