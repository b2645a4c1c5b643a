/* SPDX-License-Identifier: MIT
 *
 * check_waiting.c: ReportStall's input per reported mount (src/waiting.c):
 * the kernel's queues of the switches that carry it, read from a sysfs in
 * memory (tests/memfs.h), or the estimate's X; the line that says which.
 * Every number is worked out by hand in the comment next to it.
 */
#include "check_run.h"
#include "memfs.h"
#include "mountstats.h"
#include "options.h"
#include "plan.h"
#include "waiting.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A v4.2 mount of 127.0.0.5 (no mountinfo: its server address comes from
 * its device) over two tcp transports that print source port 0: sends
 * 100 + 50, recvs 100 + 50; READ: trans - ops = 1, 1 major timeout. */
static const char TEXT[] =
    "device 127.0.0.5:/export/home mounted on /home with fstype nfs4 "
    "statvers=1.1\n"
    "\topts:\trw,vers=4.2,proto=tcp\n"
    "\tage:\t1234\n"
    "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"
    "\txprt:\ttcp 0 0 1 0 10 100 100 0 500 0 2 0 5\n"
    "\txprt:\ttcp 0 0 1 0 20 50 50 0 250 0 3 0 7\n"
    "\tper-op statistics\n"
    "\t        READ: 10 11 1 1600 41000 0 100 110 2\n";

static ms_config_t cfg;
static ms_snapshot_t snap;
static ms_plan_t plan;
static ms_waiting_t w;
static char said[512];
static int lines;

static void logger(void *ctx, int level, const char *msg) {
  (void)ctx;
  ck_assert_int_eq(level, MS_LOG_INFO);
  snprintf(said, sizeof(said), "%s", msg);
  lines++;
}

static const ms_log_t LOG = {.fn = logger};

static void setup(void) {
  memset(&cfg, 0, sizeof(cfg));
  ms_config_defaults(&cfg);
  cfg.report_stall = true;
  ck_assert_int_eq(ms_parse(&snap, TEXT, strlen(TEXT)), 0);
  ck_assert_int_eq(ms_plan_make(&plan, &cfg, &snap, NULL, 0, false, &LOG), 0);
  ck_assert_uint_eq(plan.nreported, 1);
  lines = 0;
}

static ms_stall_input_t in;
static ms_queue_totals_t q;
static const ms_xprt_t *first;

/* Prepares the interval at now with fs, and asks for record 0's input. */
static bool input_at(const ms_fs_t *fs, double now) {
  ck_assert_int_eq(ms_waiting_prepare(&w, &snap, &plan, fs, now), 0);
  return ms_waiting_of(&w, &snap, &plan, 0, &in, &q, &first);
}

static void teardown(void) {
  ms_waiting_free(&w);
  ms_plan_free(&plan);
  ms_snapshot_free(&snap);
  ms_config_free(&cfg);
}

START_TEST(test_kernel_queues) {
  memfs_switch3();
  ck_assert(input_at(&memfs, 100));
  ck_assert(in.sysfs);
  ck_assert_uint_eq(in.recvs, 150);
  ck_assert_uint_eq(in.route, MS_ROUTE_ADDRESS);
  /* xprt-5: 1 pending; xprt-6 closed, but the switch's 1 task is
   * xprt-5's: waiting 1 */
  ck_assert(in.waiting == 1.0 && q.waiting == 1.0);
  ck_assert(q.queued == 1.0 && q.pending == 1.0 && q.connected == 1.0);
  ck_assert(first == &snap.xprts[0]);
  ms_waiting_log_route(&w, &snap, 0, &LOG);
  ck_assert_str_eq(said, "mountstats plugin: mount \"/home\": ReportStall "
                         "reads the kernel's RPC queues (route: server "
                         "address; switch-3).");
}
END_TEST

/* A switch whose transports are all closed: its tasks wait for a
 * connection; no pending count without a connected transport. */
START_TEST(test_all_closed) {
  memfs_switch3();
  memfs_tree[1].text = "<closed>\n"; /* xprt-5's xprt_info */
  ck_assert(input_at(&memfs, 100));
  ck_assert(in.sysfs);
  ck_assert(q.waiting == 1.0 && q.queued == 1.0 && q.connected == 0.0);
  ck_assert(isnan(q.pending));
}
END_TEST

/* No sysfs, or no switch that matches: the estimate, X = (sends - recvs) -
 * (trans - ops) - timeouts = 150 - 150 - 1 - 1 = -2. */
START_TEST(test_estimate) {
  ck_assert(input_at(NULL, 100));
  ck_assert(!in.sysfs);
  ck_assert_int_eq(in.x, -2);
  ck_assert_uint_eq(in.route, MS_ROUTE_NONE);
  ms_waiting_log_route(&w, &snap, 0, &LOG);
  ck_assert_str_eq(said, "mountstats plugin: mount \"/home\": ReportStall "
                         "estimates from mountstats (SysfsRoot is \"\").");

  memfs_n = 1;
  memfs_tree[0] =
      (memfs_entry_t){"kernel/sunrpc/xprt-switches/switch-9/x", "", NULL};
  ck_assert(input_at(&memfs, 101));
  ck_assert(!in.sysfs);
  ms_waiting_log_route(&w, &snap, 0, &LOG);
  ck_assert_str_eq(said, "mountstats plugin: mount \"/home\": ReportStall "
                         "estimates from mountstats (no transport in the "
                         "sunrpc sysfs tree matches it).");
}
END_TEST

/* A mount whose only transport is of an unknown kind has no values. */
START_TEST(test_unknown_transport) {
  static const char text[] =
      "device 127.0.0.5:/x mounted on /x with fstype nfs4 statvers=1.1\n"
      "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"
      "\txprt:\tvsock 1 2 3\n";
  ck_assert_int_eq(ms_parse(&snap, text, strlen(text)), 0);
  ck_assert_int_eq(ms_plan_make(&plan, &cfg, &snap, NULL, 0, false, &LOG), 0);
  ck_assert(!input_at(NULL, 100));
}
END_TEST

MS_CHECK_MAIN("waiting", setup, teardown, test_kernel_queues, test_all_closed,
              test_estimate, test_unknown_transport)
