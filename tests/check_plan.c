/* SPDX-License-Identifier: MIT
 *
 * check_plan.c: the plan of an interval (src/plan.c): which records are
 * reported, under which names, with which record each connection's
 * transports go; the plan kept while the mount set stays the same; the
 * line that says which mount points one superblock stands for. Every
 * expectation is worked out from the literal input next to it.
 */
#include "check_run.h"
#include "mountstats.h"
#include "options.h"
#include "plan.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An NFSv4.2 record of dev at mp over one tcp transport from port. */
#define RECORD(dev, mp, port)                                                  \
  "device " dev " mounted on " mp " with fstype nfs4 statvers=1.1\n"           \
  "\topts:\trw,vers=4.2\n"                                                     \
  "\tage:\t10\n"                                                               \
  "\tbytes:\t1 2 3 4 5 6 7 8\n"                                                \
  "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"                          \
  "\txprt:\ttcp " port " 0 1 0 10 100 100 0 500 0 2 0 5\n"                     \
  "\tper-op statistics\n"                                                      \
  "\t        READ: 10 11 1 1600 41000 5 100 110 2\n"

/* /home and its bind mount /mnt/bind (one superblock: the same counters,
 * and 0:52 in MOUNTINFO), /srv on another server; /home and /mnt/bind
 * share a connection (port 700), /srv has its own (port 800). */
static const char TEXT[] = RECORD("filer1:/export/home", "/home", "700")
    RECORD("filer1:/export/home", "/mnt/bind", "700")
        RECORD("filer2:/srv", "/srv", "800");
static const char MOUNTINFO[] =
    "30 1 0:52 / /home rw - nfs4 filer1:/export/home rw,addr=10.0.0.1\n"
    "31 1 0:52 /sub /mnt/bind rw - nfs4 filer1:/export/home "
    "rw,addr=10.0.0.1\n"
    "32 1 0:53 / /srv rw - nfs4 filer2:/srv rw,addr=10.0.0.2\n";

static ms_config_t cfg;
static ms_snapshot_t snap;
static ms_plan_t plan;
static char logs[4][512];
static int nlogs;

static void logger(void *ctx, int level, const char *msg) {
  (void)ctx;
  ck_assert_int_eq(level, MS_LOG_INFO);
  ck_assert_int_lt(nlogs, 4);
  snprintf(logs[nlogs++], sizeof(logs[0]), "%s", msg);
}

static const ms_log_t LOG = {.fn = logger};

static void setup(void) {
  memset(&cfg, 0, sizeof(cfg));
  ms_config_defaults(&cfg);
  nlogs = 0;
}

static void teardown(void) {
  ms_plan_free(&plan);
  ms_snapshot_free(&snap);
  ms_config_free(&cfg);
}

/* Parses text and makes its plan. */
static void make(const char *text, const char *mountinfo, bool keep) {
  ck_assert_int_eq(ms_parse(&snap, text, strlen(text)), 0);
  ck_assert_int_eq(ms_plan_make(&plan, &cfg, &snap, mountinfo,
                                mountinfo ? strlen(mountinfo) : 0, keep, &LOG),
                   0);
}

START_TEST(test_one_per_superblock) {
  make(TEXT, MOUNTINFO, false);
  ck_assert(plan.have_dev);
  ck_assert_uint_eq(plan.nreported, 2);
  ck_assert_uint_eq(plan.reported[0], 0); /* /home */
  ck_assert_uint_eq(plan.reported[1], 2); /* /srv */
  ck_assert_str_eq(plan.names[0].s, "home");
  ck_assert_str_eq(plan.names[1].s, "srv");
  ck_assert_uint_eq(plan.name_index[0], 0);
  ck_assert_uint_eq(plan.name_index[1], SIZE_MAX); /* the bind mount */
  ck_assert_uint_eq(plan.name_index[2], 1);
  ck_assert_int_eq(plan.in_report[1], 0);
  ck_assert_uint_eq(plan.dev[0], plan.dev[1]);
  ck_assert_uint_ne(plan.dev[0], plan.dev[2]);
  /* each connection with its first reported record */
  ck_assert_uint_eq(plan.xprt_leader[0], 0);
  ck_assert_uint_eq(plan.xprt_leader[2], 2);
  ck_assert(!plan.same_records);
  ck_assert_int_eq(nlogs, 1);
  ck_assert_str_eq(logs[0], "mountstats plugin: 2 mount points show one NFS "
                            "superblock, reported once under \"/home\" "
                            "(ReportAllMountPoints reports each); the "
                            "others: \"/mnt/bind\"");
}
END_TEST

/* Without mountinfo, identical counters make one superblock. */
START_TEST(test_superblock_from_counters) {
  make(TEXT, NULL, false);
  ck_assert(!plan.have_dev);
  ck_assert_uint_eq(plan.nreported, 2);
  ck_assert_uint_eq(plan.reported[1], 2);
}
END_TEST

START_TEST(test_all_mount_points) {
  cfg.report_all_mountpoints = true;
  make(TEXT, MOUNTINFO, false);
  ck_assert_uint_eq(plan.nreported, 3);
  ck_assert_str_eq(plan.names[1].s, "mnt-bind");
  /* the bind mount shares /home's connection: reported with /home */
  ck_assert_uint_eq(plan.xprt_leader[1], 0);
  ck_assert_int_eq(nlogs, 0);
}
END_TEST

/* The lists select, inverted by IgnoreSelected; names by Device. */
START_TEST(test_selection_and_naming) {
  ms_option_value_t v = {.string = "/^filer2:/"};
  char err[MS_OPTION_ERR_MIN];
  ck_assert_int_eq(ms_config_set(&cfg, "Device", &v, err, sizeof(err)), 0);
  cfg.naming = MS_NAMING_DEVICE;
  make(TEXT, MOUNTINFO, false);
  ck_assert_uint_eq(plan.nreported, 1);
  ck_assert_uint_eq(plan.reported[0], 2);
  ck_assert_str_eq(plan.names[0].s, "filer2:-srv"); /* df: "/" -> "-" */
  cfg.sel_device.invert = true;
  make(TEXT, MOUNTINFO, false);
  ck_assert_uint_eq(plan.nreported, 1);
  ck_assert_uint_eq(plan.reported[0], 0);
}
END_TEST

/* The same mount set again: the plan is kept (and the group not said
 * again); a changed option list, another mountinfo text or a last interval
 * that did not complete make it anew. */
START_TEST(test_kept_while_same) {
  make(TEXT, MOUNTINFO, false);
  ck_assert(!plan.same_records);
  make(TEXT, MOUNTINFO, true);
  ck_assert(plan.same_records);
  ck_assert_uint_eq(plan.nreported, 2);
  ck_assert_int_eq(nlogs, 1);
  make(TEXT, MOUNTINFO, false); /* the last interval failed */
  ck_assert(!plan.same_records);
  ck_assert_int_eq(nlogs, 1); /* the group persists: said once */

  static char changed[sizeof(TEXT)];
  memcpy(changed, TEXT, sizeof(TEXT));
  memcpy(strstr(changed, "rw,vers"), "ro", 2); /* /home's options */
  make(changed, MOUNTINFO, true);
  ck_assert(!plan.same_records);
  make(changed, MOUNTINFO, true);
  ck_assert(plan.same_records);
  make(changed, NULL, true); /* mountinfo gone */
  ck_assert(!plan.same_records);
  ck_assert(!plan.have_dev);
}
END_TEST

/* A name that two mounts would take is made unique, in file order. */
START_TEST(test_names_unique) {
  static const char text[] =
      RECORD("a:/x", "/x/y", "1") RECORD("b:/z", "/x-y", "2");
  make(text, NULL, false);
  ck_assert_uint_eq(plan.nreported, 2);
  ck_assert_str_ne(plan.names[0].s, plan.names[1].s);
  ck_assert_str_eq(plan.names[0].s, "x-y");
}
END_TEST

/* No NFS record: an empty plan. */
START_TEST(test_empty) {
  make("device proc mounted on /proc with fstype proc\n", NULL, false);
  ck_assert_uint_eq(plan.nreported, 0);
  make("", NULL, true);
  ck_assert_uint_eq(plan.nreported, 0);
}
END_TEST

MS_CHECK_MAIN("plan", setup, teardown, test_one_per_superblock,
              test_superblock_from_counters, test_all_mount_points,
              test_selection_and_naming, test_kept_while_same,
              test_names_unique, test_empty)
