#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The live-kernel suite's host side: boots one Debian kernel in qemu (TCG)
and runs tests/live/guest_scenario.py in it, against real NFS mounts served
by the guest's own nfsd on 127.0.0.0/8 and read by the real collectd with
the built plugin.

    live_test.py --kernel bookworm --plugin build/mountstats.so \\
        --types-db plugin/mountstats.types.db [--asan-plugin PATH]

The kernel comes from tests/live/fetch_kernel.sh (Debian's package, cached
outside the repository). The guest's userland is this machine's root, read
only over virtio-9p; results come back through a second, writable 9p share.
The sanitizer build of the plugin (--asan-plugin, default: the environment
variable MOUNTSTATS_ASAN_PLUGIN) is required: its absence is a failure, as
is a missing qemu, kernel package or a failed boot. Never a skip.

Exit status 0 only when the guest reported at least one check and no check
failed. KVM only with MOUNTSTATS_LIVE_KVM=1 (a KVM guest hangs at boot on
some machines of this class).
"""

import argparse
import json
import os
import shutil
import shlex
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Modules the initramfs loads, in this order of names (their dependencies
# first, from modules.dep), to mount the host root over virtio-9p. Built-in
# ones (trixie: virtio, virtio_pci) are skipped.
INITRD_MODULES = ["virtio_pci", "9pnet_virtio", "9p"]

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "live-init: loading $(cat /modules/order | wc -l) modules"
for m in $(cat /modules/order); do insmod /modules/$m || echo "live-init: insmod $m failed"; done
mkdir -p /newroot
if ! mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose hostroot /newroot; then
  echo "live-init: FAILED to mount the host root over 9p"; poweroff -f
fi
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mount -t tmpfs -o mode=755 tmpfs /newroot/run
mount -t tmpfs tmpfs /newroot/tmp
mount -t tmpfs tmpfs /newroot/var/tmp
mount -t tmpfs tmpfs /newroot/var/lib/nfs
mount -t tmpfs tmpfs /newroot/mnt
# What the guest needs from below those tmpfs (a clone in /tmp, say): the
# host's folders again, from a plain (non-recursive) bind of the 9p root.
mkdir -p /newroot/run/hostroot
mount -o bind /newroot /newroot/run/hostroot
for d in @KEEP@; do
  mkdir -p "/newroot$d" && mount -o bind "/newroot/run/hostroot$d" "/newroot$d" ||
    { echo "live-init: FAILED to keep $d"; poweroff -f; }
done
mkdir -p /newroot/run/results
if ! mount -t 9p -o rw,trans=virtio,version=9p2000.L,msize=262144 results /newroot/run/results; then
  echo "live-init: FAILED to mount the results share"; poweroff -f
fi
echo "live-init: host root mounted, starting the scenario"
exec switch_root /newroot /bin/busybox sh @GUEST_INIT@
"""


def log(msg):
    print("[live %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def fail(msg):
    print("FAIL: " + msg, flush=True)
    print("0 passed, 1 failed", flush=True)
    sys.exit(1)


def module_order(kdir, kver, names):
    """Module files (relative to lib/modules/<kver>) to insmod, dependencies
    first, for the given module names; built-in modules are skipped."""
    base = os.path.join(kdir, "lib", "modules", kver)
    deps, byname = {}, {}
    with open(os.path.join(base, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod] = rest.split()
            n = os.path.basename(mod).split(".ko")[0].replace("-", "_")
            byname[n] = mod
    builtin = set()
    try:
        with open(os.path.join(base, "modules.builtin")) as f:
            builtin = {os.path.basename(l.strip()).split(".ko")[0].replace("-", "_")
                       for l in f}
    except OSError:
        pass
    order = []

    def add(mod):
        # modules.dep lists dependencies so that the last is loaded first.
        for d in reversed(deps[mod]):
            add(d)
        if mod not in order:
            order.append(mod)

    for n in names:
        if n in byname:
            add(byname[n])
        elif n not in builtin:
            fail("kernel %s has neither a module nor a built-in %s" % (kver, n))
    return base, order


# The guest mounts tmpfs over these (live-init above).
GUEST_TMPFS = ("/run", "/tmp", "/var/tmp", "/var/lib/nfs", "/mnt")


def hidden_in_guest(paths):
    """The folders of paths that the guest's tmpfs mounts would hide."""
    keep = set()
    for p in paths:
        d = os.path.realpath(p if os.path.isdir(p) else os.path.dirname(p))
        if any(d == t or d.startswith(t + "/") for t in GUEST_TMPFS):
            keep.add(d)
    return sorted(keep)


def build_initrd(work, kdir, kver, guest_init, unhidden):
    busybox = shutil.which("busybox") or "/bin/busybox"
    out = subprocess.run(["file", "-L", busybox], capture_output=True, text=True).stdout \
        if shutil.which("file") else "statically linked"
    if not os.path.isfile(busybox) or "dynamically" in out:
        fail("a static busybox is needed for the initramfs (Debian: busybox-static)")
    root = os.path.join(work, "initrd")
    for d in ("bin", "proc", "sys", "dev", "modules", "newroot"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy(busybox, os.path.join(root, "bin", "busybox"))
    base, order = module_order(kdir, kver, INITRD_MODULES)
    names = []
    for mod in order:
        src = os.path.join(base, mod)
        name = os.path.basename(mod)
        dst = os.path.join(root, "modules", name.split(".ko")[0] + ".ko")
        if mod.endswith(".xz"):
            with open(dst, "wb") as f:
                subprocess.run(["xz", "-dc", src], stdout=f, check=True)
        elif mod.endswith(".zst"):
            with open(dst, "wb") as f:
                subprocess.run(["zstd", "-dc", src], stdout=f, check=True)
        else:
            shutil.copy(src, dst)
        names.append(os.path.basename(dst))
    with open(os.path.join(root, "modules", "order"), "w") as f:
        f.write("\n".join(names) + "\n")
    with open(os.path.join(root, "init"), "w") as f:
        f.write(INIT.replace("@GUEST_INIT@", guest_init)
                .replace("@KEEP@", " ".join(shlex.quote(d) for d in unhidden)))
    os.chmod(os.path.join(root, "init"), 0o755)
    img = os.path.join(work, "initrd.cpio")
    files = subprocess.run("cd %s && find . | sort" % root, shell=True, check=True,
                           capture_output=True, text=True).stdout
    with open(img, "wb") as f:
        subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root, input=files.encode(),
                       stdout=f, check=True)
    return img, names


def sanitizer_preload():
    libs = []
    cc = shutil.which("gcc") or shutil.which("cc")
    for rt in ("asan", "ubsan"):
        p = subprocess.run([cc, "-print-file-name=lib%s.so" % rt], capture_output=True,
                           text=True).stdout.strip() if cc else ""
        if not p or not os.path.isabs(p) or not os.path.exists(p):
            fail("the %s runtime (lib%s.so) was not found through the C compiler: "
                 "the sanitizer plugin cannot be loaded into collectd" % (rt, rt))
        libs.append(os.path.realpath(p))
    return libs


def outage_table(path):
    """The outage phase's figures (outage.json), one line per scenario,
    mount and daemon, for the CI log."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return
    fmt = "%-8s %-12s %-16s %-8s %-16s %8s %5s %9s %9s %s"
    print("---- outage phase (s: fired after T_stop, cleared after T_answer) ----")
    print(fmt % ("kernel", "scenario", "mount", "daemon", "path", "fired", "held", "answer",
                 "cleared", "kernel log"))
    num = lambda v: "-" if v is None else "%.2f" % v  # noqa: E731
    for kernel, scs in sorted(data.items()):
        for sc, mounts in sorted(scs.items()):
            for mp, daemons in sorted(mounts.items()):
                for d, r in sorted(daemons.items(), reverse=True):
                    # the kernel's first "server X not responding" and last
                    # "OK", s after T_stop (how many of each)
                    dm = r.get("dmesg", [])
                    nr = [x.split(" ", 1)[0] for x in dm if "not responding" in x]
                    ok = [x.split(" ", 1)[0] for x in dm if x.endswith(" OK")]
                    extra = ""
                    if nr:
                        extra = "not-responding" + nr[0] + ("(x%d)" % len(nr) if len(nr) > 1
                                                            else "")
                    if ok:
                        extra += " OK" + ok[-1]
                    if r.get("warnings"):
                        extra = "WARNING at %s" % r["warnings"]
                    print(fmt % (kernel, sc, mp.replace("/mnt/", ""), d, r.get("path") or "-",
                                 num(r.get("fired_s")),
                                 "yes" if r.get("held") else "no", num(r.get("t_back_to_answer_s")),
                                 num(r.get("cleared_s")), extra))
    print("---- end of outage phase ----")


# Seconds a boot may take to reach the initramfs before it counts as hung.
BOOT_DEADLINE_S = 240

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", required=True, help="Debian release: bookworm, trixie, bullseye")
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--asan-plugin", default=os.environ.get("MOUNTSTATS_ASAN_PLUGIN"))
    ap.add_argument("--types-db", required=True)
    ap.add_argument("--collectd", default="/usr/sbin/collectd")
    ap.add_argument("--cost-tool", required=True,
                    help="the built tests/live/parse_cost.c (kernel vs parse CPU time)")
    ap.add_argument("--cache", default=os.environ.get("MOUNTSTATS_LIVE_CACHE",
                                                      "/var/cache/collectd-mountstats-live"))
    ap.add_argument("--memory", default="3072")
    ap.add_argument("--timeout", type=float, default=1500,
                    help="seconds the guest may run (all phases take about 600)")
    ap.add_argument("--phases", default=os.environ.get("MOUNTSTATS_LIVE_PHASES", "all"),
                    help="comma-separated guest phases (default all)")
    ap.add_argument("--churn-seconds", type=float,
                    default=float(os.environ.get("MOUNTSTATS_LIVE_CHURN", "125")))
    ap.add_argument("--fixtures-out", default=os.environ.get("MOUNTSTATS_LIVE_FIXTURES_OUT"),
                    help="copy the workload's mountstats+mountinfo capture here")
    ap.add_argument("--keep", action="store_true", default=bool(os.environ.get("E2E_KEEP")))
    args = ap.parse_args()
    t0 = time.time()

    # -- prerequisites: every one a failure, never a skip --------------------
    if not args.asan_plugin:
        fail("MOUNTSTATS_ASAN_PLUGIN is not set: the live suite also runs the "
             "sanitizer build of the plugin (build-asan/mountstats.so); set it to "
             "that file's absolute path (scripts/test.sh does)")
    args.asan_plugin = os.path.abspath(args.asan_plugin)
    if not os.path.isfile(args.asan_plugin):
        fail("MOUNTSTATS_ASAN_PLUGIN=%s: no such file (build it: cmake -S . -B build-asan "
             "-DMOUNTSTATS_SANITIZE=address,undefined && cmake --build build-asan)"
             % args.asan_plugin)
    for what, p in (("plugin", args.plugin), ("types db", args.types_db),
                    ("cost tool", args.cost_tool),
                    ("collectd", args.collectd)):
        if not os.path.isfile(p):
            fail("%s %s: no such file" % (what, p))
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        fail("qemu-system-x86_64 not found (Debian: qemu-system-x86)")
    for tool, pkg in (("cpio", "cpio"), ("depmod", "kmod"), ("rpc.nfsd", "nfs-kernel-server"),
                      ("exportfs", "nfs-kernel-server"), ("rpcbind", "rpcbind"),
                      ("mount.nfs", "nfs-common"), ("nfsiostat", "nfs-common"),
                      ("mountstats", "nfs-common"), ("apt-get", "apt"), ("dpkg-deb", "dpkg")):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"):
            fail("%s not found (Debian package %s)" % (tool, pkg))
    preload = sanitizer_preload()

    # -- kernel -------------------------------------------------------------
    r = subprocess.run(["bash", os.path.join(HERE, "fetch_kernel.sh"), args.kernel, args.cache],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("kernel package for %s: %s" % (args.kernel, (r.stderr or r.stdout).strip()))
    kdir = r.stdout.strip().splitlines()[-1]
    kver = open(os.path.join(kdir, "kernel-release")).read().strip()
    kpkg = open(os.path.join(kdir, "package")).read().strip()
    log("kernel %s: %s (%s), fetched in %.1f s" % (args.kernel, kver, kpkg, time.time() - t0))

    work = tempfile.mkdtemp(prefix="live-%s." % args.kernel)
    results = os.path.join(work, "results")
    os.makedirs(results)
    guest_init = os.path.join(HERE, "guest_init.sh")
    unhidden = hidden_in_guest([ROOT, args.plugin, args.asan_plugin, args.types_db,
                                args.cost_tool, args.collectd] + preload)
    initrd, mods = build_initrd(work, kdir, kver, guest_init, unhidden)
    if unhidden:
        log("kept visible in the guest: " + " ".join(unhidden))
    log("initramfs: %s (%s)" % (initrd, " ".join(mods)))
    cfg = {
        "kernel": args.kernel, "kernel_release": kver, "kernel_package": kpkg,
        "kernel_dir": kdir, "repo": ROOT, "plugin": os.path.abspath(args.plugin),
        "asan_plugin": args.asan_plugin, "asan_preload": preload,
        "types_db": os.path.abspath(args.types_db), "collectd": args.collectd,
        "cost_tool": os.path.abspath(args.cost_tool),
        "phases": args.phases, "churn_seconds": args.churn_seconds,
        "results": "/run/results",
    }
    with open(os.path.join(results, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)

    accel = ["-accel", "tcg,thread=multi"]
    if os.environ.get("MOUNTSTATS_LIVE_KVM") == "1":
        accel = ["-accel", "kvm", "-cpu", "host"]
    console = os.path.join(work, "console.log")
    argv = [qemu, "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
            "-m", args.memory, "-smp", "2"] + accel + [
            "-kernel", os.path.join(kdir, "vmlinuz"), "-initrd", initrd,
            "-append", "console=ttyS0 panic=-1 loglevel=4 rdinit=/init nokaslr "
                       "tsc=reliable mitigations=off",
            "-serial", "file:" + console, "-monitor", "none", "-nic", "none",
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,"
                       "multidevs=remap,id=hostroot",
            "-virtfs", "local,path=%s,mount_tag=results,security_model=none,id=results"
                       % results]
    def text(path):
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    procs = []

    def stop_qemu(*_):
        for q in procs:
            if q.poll() is None:
                os.killpg(q.pid, signal.SIGKILL)
                q.wait()

    signal.signal(signal.SIGTERM, lambda *_: (stop_qemu(), sys.exit(143)))
    # Two boots at most: under TCG with two vCPUs (MTTCG) a kernel can oops
    # in its first second while one vCPU patches code another one runs (seen
    # once in ~30 boots: "Oops: int3" in sched_clock_cpu, then a panic). Such
    # a boot never reaches the initramfs, so nothing of the scenario ran; it
    # is said, and booted again once. Any other failure, or a second failed
    # boot, fails the test.
    for attempt in (1, 2):
        log("booting: " + " ".join(argv))
        tboot = time.time()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                             stdout=open(os.path.join(work, "qemu.out"), "wb"),
                             stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(p)
        timed_out = boot_hung = False
        while p.poll() is None:
            if time.time() - tboot > args.timeout:
                timed_out = True
                break
            # a boot that has not reached the initramfs in BOOT_DEADLINE_S
            # hung in the kernel (seen once under TCG: nothing printed after
            # the decompressor); a normal one takes a few seconds
            if (time.time() - tboot > BOOT_DEADLINE_S
                    and "live-init: host root mounted" not in text(console)):
                boot_hung = True
                break
            time.sleep(1)
        stop_qemu()
        wall = time.time() - tboot
        con = text(console)
        early_panic = "live-init: host root mounted" not in con and (
            boot_hung or (not timed_out and "Kernel panic" in con))
        if boot_hung and attempt == 2:
            timed_out = True
        if attempt == 2 or not early_panic:
            break
        kept = os.path.join(work, "console-boot1.log")
        os.replace(console, kept)
        panic = [l for l in con.splitlines() if "Oops" in l or "Kernel panic" in l][:2] or [
            "no initramfs after %d s" % BOOT_DEADLINE_S]
        print("NOTE: boot 1 failed before the initramfs mounted the host root "
              "(%s; console kept in %s): booting again, once" % ("; ".join(panic), kept),
              flush=True)
    report = text(os.path.join(results, "report.txt"))
    print("---- guest report (%s, %s) ----" % (args.kernel, kver))
    print(report, end="")
    print("---- end of guest report ----")
    outage_table(os.path.join(results, "outage.json"))
    if args.fixtures_out and os.path.isdir(os.path.join(results, "fixture")):
        dst = os.path.join(args.fixtures_out, args.kernel)
        os.makedirs(dst, exist_ok=True)
        for n in os.listdir(os.path.join(results, "fixture")):
            shutil.copy(os.path.join(results, "fixture", n), dst)
        log("fixture copied to " + dst)
    lines = report.splitlines()
    passed = sum(1 for l in lines if l.startswith("PASS:"))
    failed = sum(1 for l in lines if l.startswith("FAIL:"))
    done = any(l.startswith("GUEST DONE") for l in lines)
    problems = []
    if timed_out:
        problems.append("qemu did not finish within %.0f s (killed)" % args.timeout)
    if "live-init: host root mounted" not in con:
        problems.append("boot failed: the initramfs never mounted the host root")
    if not done:
        problems.append("the guest scenario did not finish (no 'GUEST DONE' in its report)")
    if p.returncode not in (0, None) and not timed_out:
        problems.append("qemu exited with %s" % p.returncode)
    if problems or failed or not passed:
        print("---- last 80 lines of the guest console ----")
        print("\n".join(con.splitlines()[-80:]))
    for pr in problems:
        print("FAIL: " + pr)
    failed += len(problems)
    print("live %s (%s): guest ran %.1f s, total %.1f s" % (args.kernel, kver, wall, time.time() - t0))
    print("%d passed, %d failed" % (passed, failed), flush=True)
    if args.keep or failed:
        print("kept " + work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if (passed and not failed) else 1


if __name__ == "__main__":
    sys.exit(main())
