/* SPDX-License-Identifier: MIT
 *
 * check_config.c: the plugin's glue (config, init, read, dispatch) with a
 * stub of the daemon. The plugin source is included so its static functions
 * and state are reachable.
 */
#include "check_run.h"
#include "collector.h"
#include "matcher.h"
#include "metrics.h"
#include "mountstats.h"
#include "mountstats_plugin.h"
#include "options.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include "collectd_stub.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- building configuration items ---- */

static oconfig_value_t str_value(const char *s) {
  return (oconfig_value_t){.value.string = (char *)s,
                           .type = OCONFIG_TYPE_STRING};
}
static oconfig_value_t bool_value(int b) {
  return (oconfig_value_t){.value.boolean = b, .type = OCONFIG_TYPE_BOOLEAN};
}
static oconfig_value_t num_value(double d) {
  return (oconfig_value_t){.value.number = d, .type = OCONFIG_TYPE_NUMBER};
}

/* Runs the config callback on one <Plugin mountstats> block. */
static int configure(oconfig_item_t *children, int n) {
  oconfig_item_t block = {
      .key = (char *)"Plugin", .children = children, .children_num = n};
  return mountstats_config(&block);
}

#define ITEM(k, v)                                                             \
  (oconfig_item_t) { .key = (char *)(k), .values = (v), .values_num = 1 }

static char tmpdir[] = "/tmp/check_config.XXXXXX";

static char *write_temp(const char *name, const char *text) {
  static char path[4096];
  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
  return path;
}

static void setup(void) {
  stub_reset_all();
  mountstats_shutdown(); /* resets config to defaults and frees state */
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) {
  mountstats_shutdown();
  stub_reset_all();
  char cmd[256];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
  ck_assert_int_eq(system(cmd), 0);
  memcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX", 6);
}

/* ---- config ---- */

START_TEST(test_defaults) {
  ck_assert_int_eq(configure(NULL, 0), 0);
  ck_assert_int_eq(mountstats_init(), 0);
  ck_assert_str_eq(mountstats_settings()->file, "/proc/self/mountstats");
  ck_assert_str_eq(mountstats_settings()->mountinfo_file,
                   "/proc/self/mountinfo");
  ck_assert(mountstats_settings()->report_age &&
            mountstats_settings()->report_events &&
            mountstats_settings()->report_bytes);
  ck_assert(mountstats_settings()->report_fscache &&
            mountstats_settings()->report_transport &&
            mountstats_settings()->report_ops);
  ck_assert(mountstats_settings()->report_op_errors);
  ck_assert(!mountstats_settings()->report_zero_ops &&
            !mountstats_settings()->report_per_transport);
  ck_assert(!mountstats_settings()->report_all_mountpoints &&
            !mountstats_settings()->sel_mountpoint.invert);
  ck_assert_int_eq(mountstats_settings()->naming, MS_NAMING_MOUNTPOINT);
  ck_assert_uint_eq(mountstats_settings()->max_file_size, 256u << 20);
  /* The start-up line names the version and the file. */
  ck_assert_uint_eq(stub_log_count(LOG_INFO, "version " MOUNTSTATS_VERSION), 1);
}
END_TEST

START_TEST(test_mountinfo_derived) {
  static const struct {
    const char *file, *mountinfo;
  } cases[] = {
      {"/proc/1/mountstats", "/proc/1/mountinfo"},
      {"/proc/self/mountstats", "/proc/self/mountinfo"},
      {"/host/proc/1/mountstats", NULL}, /* not a live /proc path */
      {"/proc/1/task/1/mountstats", NULL},
      {"/tmp/mountstats", NULL},
      {"/proc//mountstats", NULL},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *mi = ms_config_derive_mountinfo(cases[i].file);
    if (cases[i].mountinfo == NULL)
      ck_assert_msg(mi == NULL, "%s", cases[i].file);
    else
      ck_assert_str_eq(mi, cases[i].mountinfo);
    free(mi);
  }
}
END_TEST

START_TEST(test_explicit_mountinfo_disabled) {
  oconfig_value_t f = str_value("/proc/1/mountstats"), mi = str_value("");
  oconfig_item_t items[] = {ITEM("File", &f), ITEM("MountInfoFile", &mi)};
  ck_assert_int_eq(configure(items, 2), 0);
  ck_assert_int_eq(mountstats_init(), 0);
  ck_assert_ptr_null(mountstats_settings()->mountinfo_file);
}
END_TEST

/* The boolean options of the table, in its order. */
static const ms_option_t *bool_option(size_t k) {
  for (size_t i = 0; i < ms_options_num; i++)
    if (ms_options[i].kind == MS_OPTION_BOOL && k-- == 0)
      return &ms_options[i];
  return NULL;
}

static size_t bool_options_num(void) {
  size_t n = 0;
  while (bool_option(n) != NULL)
    n++;
  return n;
}

/* The value of a boolean option (every field it sets holds it). */
static bool bool_value_of(const ms_option_t *opt) {
  const char *cfg = (const char *)mountstats_settings();
  bool v = *(const bool *)(cfg + opt->at[0]);
  for (size_t i = 1; i < opt->nat; i++)
    ck_assert_int_eq(*(const bool *)(cfg + opt->at[i]), v);
  return v;
}

/* Every boolean option, spelled in another case to check strcasecmp. */
START_TEST(test_bool_options) {
  const ms_option_t *opt = bool_option((size_t)_i);
  ck_assert_ptr_nonnull(opt);
  const char *key = opt->key;
  char lower[64];
  size_t n = strlen(key);
  for (size_t i = 0; i <= n; i++)
    lower[i] = (char)tolower((unsigned char)key[i]);
  bool before = bool_value_of(opt);
  oconfig_value_t v = bool_value(!before);
  oconfig_item_t item = ITEM(lower, &v);
  ck_assert_int_eq(configure(&item, 1), 0);
  ck_assert_int_eq(bool_value_of(opt), !before);
  /* A string is not a boolean. */
  oconfig_value_t s = str_value("maybe");
  item = ITEM(key, &s);
  ck_assert_int_ne(configure(&item, 1), 0);
}
END_TEST

/* The 5.12 daemon still takes a quoted "yes" for a boolean, with a
 * deprecation warning (checked with /usr/sbin/collectd -T); the stub does
 * the same. */
START_TEST(test_bool_option_as_string) {
  oconfig_value_t v = str_value("yes");
  oconfig_item_t item = ITEM("ReportZeroOps", &v);
  ck_assert_int_eq(configure(&item, 1), 0);
  ck_assert(mountstats_settings()->report_zero_ops);
  ck_assert_uint_eq(stub_log_count(LOG_WARNING, "deprecated"), 1);
}
END_TEST

START_TEST(test_unknown_option_fails) {
  oconfig_value_t v = str_value("x");
  oconfig_item_t item = ITEM("Bogus", &v);
  ck_assert_int_ne(configure(&item, 1), 0);
  ck_assert_uint_eq(stub_log_count(LOG_ERR, "Option \"Bogus\" not allowed"), 1);
}
END_TEST

START_TEST(test_bad_regex_fails) {
  oconfig_value_t v = str_value("/([/");
  oconfig_item_t item = ITEM("MountPoint", &v);
  ck_assert_int_ne(configure(&item, 1), 0);
  ck_assert_uint_eq(stub_log_count(LOG_ERR, "bad regex \"/([/\""), 1);
}
END_TEST

START_TEST(test_patterns) {
  oconfig_value_t mp[] = {str_value("/home"), str_value("/^\\/scratch/")};
  oconfig_value_t dev = str_value("/filer1:/"), fs = str_value("nfs4");
  oconfig_value_t op = str_value("READ");
  oconfig_item_t items[] = {
      {.key = "MountPoint", .values = mp, .values_num = 2},
      ITEM("Device", &dev),
      ITEM("FSType", &fs),
      ITEM("Operation", &op),
  };
  ck_assert_int_eq(configure(items, 4), 0);
  ck_assert_uint_eq(mountstats_settings()->sel_mountpoint.count, 2);
  ck_assert(
      ms_matcher_match(&mountstats_settings()->sel_mountpoint, "/scratch/x"));
  ck_assert(
      !ms_matcher_match(&mountstats_settings()->sel_mountpoint, "/home2"));
  ck_assert(
      ms_matcher_match(&mountstats_settings()->sel_device, "filer1:/export"));
  ck_assert_uint_eq(mountstats_settings()->sel_fstype.count, 1);
  ck_assert_uint_eq(mountstats_settings()->sel_op.count, 1);
  /* A number is not a pattern. */
  oconfig_value_t n = num_value(3);
  oconfig_item_t bad = ITEM("FSType", &n);
  ck_assert_int_ne(configure(&bad, 1), 0);
}
END_TEST

START_TEST(test_naming_source) {
  oconfig_value_t v = str_value("device");
  oconfig_item_t item = ITEM("NamingSource", &v);
  ck_assert_int_eq(configure(&item, 1), 0);
  ck_assert_int_eq(mountstats_settings()->naming, MS_NAMING_DEVICE);
  v = str_value("Export");
  ck_assert_int_ne(configure(&item, 1), 0);
  ck_assert_uint_eq(stub_log_count(LOG_ERR, "\"Export\""), 1);
}
END_TEST

START_TEST(test_max_name_length) {
  ck_assert_uint_eq(mountstats_settings()->max_name_len, 64);
  oconfig_value_t v = num_value(100);
  oconfig_item_t item = ITEM("MaxNameLength", &v);
  ck_assert_int_eq(configure(&item, 1), 0);
  ck_assert_uint_eq(mountstats_settings()->max_name_len, 100);
  v = num_value(128);
  ck_assert_int_ne(configure(&item, 1), 0);
  v = num_value(15);
  ck_assert_int_ne(configure(&item, 1), 0);
  ck_assert_uint_eq(stub_log_count(LOG_ERR, "must be between 16 and 127"), 2);
}
END_TEST

START_TEST(test_max_file_size) {
  oconfig_value_t v = num_value(1 << 20);
  oconfig_item_t item = ITEM("MaxFileSize", &v);
  ck_assert_int_eq(configure(&item, 1), 0);
  ck_assert_uint_eq(mountstats_settings()->max_file_size, 1 << 20);
  v = num_value(100);
  ck_assert_int_ne(configure(&item, 1), 0);
  v = num_value(-5);
  ck_assert_int_ne(configure(&item, 1), 0);
}
END_TEST

/* ---- data sets ---- */

/* The data sets registered in code are the contract's types that are not
 * stock, with their data sources (check_metrics compares the contract with
 * plugin/mountstats.types.db line by line: a central server loads the
 * file, clients may use either). */
START_TEST(test_types_registered_from_contract) {
  ck_assert_int_eq(mountstats_init(), 0);
  size_t registered = 0;
  for (size_t t = 0; t < MS_TYPES_NUM; t++) {
    const ms_metric_type_t *mt = &ms_metric_types[t];
    const data_set_t *ds = stub_find_ds(mt->name);
    if (mt->stock) {
      ck_assert_msg(ds == NULL, "stock type %s registered", mt->name);
      continue;
    }
    ck_assert_msg(ds != NULL, "type %s not registered by the plugin", mt->name);
    ck_assert_uint_eq(ds->ds_num, mt->ds_num);
    for (size_t k = 0; k < ds->ds_num; k++) {
      ck_assert_str_eq(ds->ds[k].name, mt->ds_names[k]);
      ck_assert_int_eq(ds->ds[k].type, ms_metric_is_gauge(mt, k)
                                           ? DS_TYPE_GAUGE
                                           : DS_TYPE_DERIVE);
      double min = ms_metric_min(mt, k);
      ck_assert(isnan(min) ? isnan(ds->ds[k].min) : ds->ds[k].min == min);
      ck_assert(isnan(ds->ds[k].max));
      /* rrdtool's limit on data source names */
      ck_assert_uint_le(strlen(ds->ds[k].name), 19);
    }
    registered++;
  }
  ck_assert_uint_eq(registered, stub_data_sets_n);
  ck_assert_uint_eq(registered, 19);
}
END_TEST

/* A daemon that loaded mountstats.types.db already knows the types: the
 * plugin must not register them again; a different definition is fatal. */
START_TEST(test_types_known_not_registered) {
  ck_assert_int_eq(mountstats_init(), 0);
  size_t registered = stub_data_sets_n;
  stub_known_types = 1;
  ck_assert_int_eq(mountstats_init(), 0);
  ck_assert_uint_eq(stub_data_sets_n, registered);
  stub_data_sets[0].ds_num = 3; /* nfs_op with the wrong shape */
  ck_assert_int_ne(mountstats_init(), 0);
  ck_assert_uint_eq(stub_log_count(LOG_ERR, "type \"nfs_op\" is known"), 1);
  stub_data_sets[0].ds_num = 8;
}
END_TEST

/* ---- read and dispatch ---- */

/* Two NFS mounts written from the format: a v4.2 mount with two tcp
 * transports (RPC iostats 1.1, 9 fields), a bind mount of it, and a v3 mount
 * (RPC iostats 1.0, 8 fields) at "/". */
static const char sample[] =
    "device proc mounted on /proc with fstype proc\n"
    "device filer1:/export/home mounted on /home with fstype nfs4 "
    "statvers=1.1\n"
    "\topts:\trw,vers=4.2,proto=tcp,nconnect=2,local_lock=none\n"
    "\tage:\t1234\n"
    "\tevents:\t1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 "
    "24 25 26 27 \n"
    "\tbytes:\t100 200 0 0 100 200 1 2 \n"
    "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"
    "\txprt:\ttcp 0 0 1 0 10 100 100 0 500 0 2 0 5\n"
    "\txprt:\ttcp 0 0 1 0 20 50 50 0 250 0 3 0 7\n"
    "\tper-op statistics\n"
    "\t        NULL: 1 1 0 44 24 0 0 1 0\n"
    "\t        READ: 10 11 1 1600 41000 18446744073709551615 100 110 2\n"
    "\t       WRITE: 0 0 0 0 0 0 0 0 0\n"
    "\tSETCLIENTID_CONFIRM: 1 1 0 100 50 0 1 1 0\n"
    "\n"
    "device filer1:/export/home mounted on /mnt/bind with fstype nfs4 "
    "statvers=1.1\n"
    "\topts:\trw,vers=4.2,proto=tcp,nconnect=2,local_lock=none\n"
    "\tage:\t1234\n"
    "\tevents:\t1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 "
    "24 25 26 27 \n"
    "\tbytes:\t100 200 0 0 100 200 1 2 \n"
    "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"
    "\txprt:\ttcp 0 0 1 0 10 100 100 0 500 0 2 0 5\n"
    "\txprt:\ttcp 0 0 1 0 20 50 50 0 250 0 3 0 7\n"
    "\tper-op statistics\n"
    "\t        NULL: 1 1 0 44 24 0 0 1 0\n"
    "\t        READ: 10 11 1 1600 41000 18446744073709551615 100 110 2\n"
    "\t       WRITE: 0 0 0 0 0 0 0 0 0\n"
    "\tSETCLIENTID_CONFIRM: 1 1 0 100 50 0 1 1 0\n"
    "\n"
    "device filer2:/ mounted on / with fstype nfs statvers=1.1\n"
    "\topts:\tro,vers=3,proto=udp\n"
    "\tage:\t99\n"
    "\tevents:\t0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 7 \n"
    "\tbytes:\t1 2 3 4 5 6 7 8 \n"
    "\tRPC iostats version: 1.0  p/v: 100003/3 (nfs)\n"
    "\txprt:\tudp 900 1 40 40 0 80 3\n"
    "\tper-op statistics\n"
    "\t     GETATTR: 40 41 0 4000 3000 2 30 35\n"
    "\n";

static void use_file(const char *path) {
  oconfig_value_t f = str_value(path);
  oconfig_item_t item = ITEM("File", &f);
  ck_assert_int_eq(configure(&item, 1), 0);
  ck_assert_int_eq(mountstats_init(), 0);
  stub_reset();
}

START_TEST(test_read_dispatches_contract) {
  use_file(write_temp("ms", sample));
  stub_now = TIME_T_TO_CDTIME_T(5000);
  ck_assert_int_eq(mountstats_read(), 0);

  /* /mnt/bind shows /home's superblock (identical counters, no mountinfo
   * for a non-/proc file): reported once, under the first mount point. */
  ck_assert_uint_eq(stub_count("mnt-bind"), 0);
  ck_assert_uint_eq(stub_log_count(LOG_INFO, "\"/mnt/bind\""), 1);

  const stub_vl_t *read = stub_find("home", "nfs_op", "READ");
  ck_assert_ptr_nonnull(read);
  ck_assert_str_eq(read->plugin, "mountstats");
  ck_assert_uint_eq(read->values_len, 8);
  ck_assert_int_eq(read->values[MS_OP_OPS].derive, 10);
  ck_assert_int_eq(read->values[MS_OP_TRANS].derive, 11);
  ck_assert_int_eq(read->values[MS_OP_TIMEOUTS].derive, 1);
  ck_assert_int_eq(read->values[MS_OP_BYTES_SENT].derive, 1600);
  ck_assert_int_eq(read->values[MS_OP_BYTES_RECV].derive, 41000);
  ck_assert_int_eq(read->values[MS_OP_QUEUE_MS].derive, -1); /* 2^64-1 */
  ck_assert_int_eq(read->values[MS_OP_RTT_MS].derive, 100);
  ck_assert_int_eq(read->values[MS_OP_EXEC_MS].derive, 110);
  ck_assert(read->time == TIME_T_TO_CDTIME_T(5000));
  const stub_vl_t *err = stub_find("home", "nfs_op_errors", "READ");
  ck_assert_ptr_nonnull(err);
  ck_assert_uint_eq(err->values_len, 1);
  ck_assert_int_eq(err->values[0].derive, 2);

  /* Never-used ops are skipped; names longer than 12 columns kept. */
  ck_assert_ptr_null(stub_find("home", "nfs_op", "WRITE"));
  ck_assert_ptr_nonnull(stub_find("home", "nfs_op", "SETCLIENTID_CONFIRM"));

  /* Transports summed: sends 100+50, req_u 500+250, max_slots max(2,3),
   * pending_u 5+7, connect_count 1+1, idle_time min(10,20). */
  const stub_vl_t *x = stub_find("home", "nfs_xprt", "tcp");
  ck_assert_ptr_nonnull(x);
  ck_assert_int_eq(x->values[1].derive, 150);
  ck_assert_int_eq(x->values[2].derive, 150);
  ck_assert_int_eq(x->values[4].derive, 750);
  const stub_vl_t *slots = stub_find("home", "nfs_xprt_slots", "tcp");
  ck_assert(slots->values[0].gauge == 3.0);
  ck_assert_int_eq(slots->values[2].derive, 12);
  const stub_vl_t *conn = stub_find("home", "nfs_xprt_conn", "tcp");
  ck_assert_int_eq(conn->values[0].derive, 2);
  ck_assert(conn->values[2].gauge == 10.0);
  ck_assert(stub_find("home", "count", "transports")->values[0].gauge == 2.0);

  /* The events line "1 2 ... 27", in its five groups. */
  static const struct {
    const char *type;
    size_t n;
    derive_t first;
  } groups[] = {{"nfs_events_cache", 4, 1},
                {"nfs_events_vfs", 8, 5},
                {"nfs_events_file", 6, 13},
                {"nfs_events_io", 7, 19},
                {"nfs_events_pnfs", 2, 26}};
  for (size_t g = 0; g < STATIC_ARRAY_SIZE(groups); g++) {
    const stub_vl_t *ev = stub_find("home", groups[g].type, NULL);
    ck_assert_ptr_nonnull(ev);
    ck_assert_uint_eq(ev->values_len, groups[g].n);
    for (size_t k = 0; k < groups[g].n; k++)
      ck_assert_int_eq(ev->values[k].derive, groups[g].first + (derive_t)k);
  }
  const stub_vl_t *by = stub_find("home", "nfs_bytes", NULL);
  ck_assert_int_eq(by->values[1].derive, 200);
  ck_assert(stub_find("home", "uptime", "age")->values[0].gauge == 1234.0);

  /* "/" is "root"; RPC iostats 1.0 has no error column; 25 events have no
   * pNFS group; udp (7 fields) has no connection or slot fields. */
  const stub_vl_t *ga = stub_find("root", "nfs_op", "GETATTR");
  ck_assert_int_eq(ga->values[MS_OP_EXEC_MS].derive, 35);
  ck_assert_ptr_null(stub_find("root", "nfs_op_errors", NULL));
  const stub_vl_t *ev3 = stub_find("root", "nfs_events_io", NULL);
  ck_assert_int_eq(ev3->values[6].derive, 7); /* delay, the 25th event */
  ck_assert_ptr_null(stub_find("root", "nfs_events_pnfs", NULL));
  ck_assert_int_eq(stub_find("root", "nfs_xprt", "udp")->values[1].derive, 40);
  ck_assert_ptr_null(stub_find("root", "nfs_xprt_conn", NULL));
  ck_assert_ptr_null(stub_find("root", "nfs_xprt_slots", NULL));
  ck_assert_uint_eq(stub_log_count(LOG_WARNING, ""), 0);

  /* The group is logged once, not every interval. */
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_uint_eq(stub_log_count(LOG_INFO, "\"/mnt/bind\""), 1);
}
END_TEST

START_TEST(test_read_options) {
  oconfig_value_t f = str_value(write_temp("ms", sample));
  oconfig_value_t t = bool_value(1), op = str_value("READ");
  oconfig_item_t items[] = {
      ITEM("File", &f),          ITEM("ReportAllMountPoints", &t),
      ITEM("ReportZeroOps", &t), ITEM("ReportPerTransport", &t),
      ITEM("Operation", &op),    ITEM("IgnoreSelectedOperation", &t),
  };
  ck_assert_int_eq(configure(items, 6), 0);
  ck_assert_int_eq(mountstats_init(), 0);
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_ptr_nonnull(stub_find("mnt-bind", "nfs_op", "NULL"));
  ck_assert_ptr_nonnull(stub_find("home", "nfs_op", "WRITE"));
  ck_assert_ptr_null(stub_find("home", "nfs_op", "READ"));
  const stub_vl_t *x1 = stub_find("home", "nfs_xprt", "tcp-1");
  ck_assert_ptr_nonnull(x1);
  ck_assert_int_eq(x1->values[1].derive, 50);
  ck_assert_ptr_null(stub_find("home", "nfs_xprt", "tcp"));
  /* The bind mount shares the server connection: its transports are not
   * reported a second time. */
  ck_assert_ptr_null(stub_find("mnt-bind", "nfs_xprt", NULL));
}
END_TEST

START_TEST(test_read_selection) {
  oconfig_value_t f = str_value(write_temp("ms", sample));
  oconfig_value_t fs = str_value("nfs4"), t = bool_value(1);
  oconfig_item_t items[] = {ITEM("File", &f), ITEM("FSType", &fs),
                            ITEM("IgnoreSelected", &t)};
  ck_assert_int_eq(configure(items, 3), 0);
  ck_assert_int_eq(mountstats_init(), 0);
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_uint_eq(stub_count("home"), 0);
  ck_assert_uint_gt(stub_count("root"), 0);
}
END_TEST

START_TEST(test_read_naming_device) {
  oconfig_value_t f = str_value(write_temp("ms", sample));
  oconfig_value_t d = str_value("Device");
  oconfig_item_t items[] = {ITEM("File", &f), ITEM("NamingSource", &d)};
  ck_assert_int_eq(configure(items, 2), 0);
  ck_assert_int_eq(mountstats_init(), 0);
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_ptr_nonnull(stub_find("filer1:-export-home", "nfs_op", "READ"));
  ck_assert_ptr_nonnull(stub_find("filer2:-", "nfs_op", "GETATTR"));
}
END_TEST

START_TEST(test_read_missing_file_rate_limited) {
  char path[4200];
  snprintf(path, sizeof(path), "%s/absent", tmpdir);
  use_file(path);
  stub_now = TIME_T_TO_CDTIME_T(100);
  ck_assert_int_eq(mountstats_read(), 0);
  stub_now = TIME_T_TO_CDTIME_T(130);
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_uint_eq(stub_log_count(LOG_ERR, path), 1);
  ck_assert_uint_eq(stub_log_count(LOG_ERR, "No such file"), 1);
  stub_now = TIME_T_TO_CDTIME_T(161);
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_uint_eq(stub_log_count(LOG_ERR, path), 2);
  ck_assert_uint_eq(stub_count(NULL), 0);

  write_temp("absent", sample);
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_uint_eq(stub_log_count(LOG_INFO, "readable again"), 1);
  ck_assert_ptr_nonnull(stub_find("home", "nfs_op", "READ"));
}
END_TEST

START_TEST(test_read_refuses_non_regular) {
  use_file(tmpdir); /* a directory */
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_uint_eq(stub_log_count(LOG_ERR, "Is a directory"), 1);
}
END_TEST

START_TEST(test_read_file_size_cap) {
  oconfig_value_t f = str_value(write_temp("ms", sample));
  oconfig_value_t cap = num_value(4096);
  oconfig_item_t items[] = {ITEM("File", &f), ITEM("MaxFileSize", &cap)};
  ck_assert_int_eq(configure(items, 2), 0);
  ck_assert_int_eq(mountstats_init(), 0);
  /* The sample is smaller than 4096 bytes: read. */
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_uint_gt(stub_count(NULL), 0);
  /* Grown past the cap: nothing dispatched, the cap is named. */
  char *big = malloc(3 * sizeof(sample));
  snprintf(big, 3 * sizeof(sample), "%s%s%s", sample, sample, sample);
  write_temp("ms", big);
  free(big);
  stub_reset();
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_uint_eq(stub_count(NULL), 0);
  ck_assert_uint_eq(stub_log_count(LOG_ERR, "MaxFileSize (4096 bytes)"), 1);
}
END_TEST

START_TEST(test_read_malformed_logged_once) {
  const char *text =
      "device filer1:/a mounted on /a with fstype nfs statvers=1.1\n"
      "\tage:\t5\n"
      "\tper-op statistics\n"
      "\t     GETATTR: 1 2 3 4 5 6 7\n"
      "\t      LOOKUP: 3 3 0 300 200 1 2 3\n"
      "\n";
  use_file(write_temp("ms", text));
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_uint_eq(stub_log_count(LOG_WARNING, "line 4 (mount \"/a\")"), 1);
  ck_assert_uint_eq(stub_log_count(LOG_WARNING, "too few fields"), 1);
  ck_assert_ptr_nonnull(stub_find("a", "nfs_op", "LOOKUP"));
  ck_assert_ptr_null(stub_find("a", "nfs_op", "GETATTR"));
}
END_TEST

/* ---- the kept mount set ----
 * Selection, superblocks, names and connections are kept while the mount
 * set is byte for byte the same; each test changes one part of it between
 * two reads of otherwise identical input and checks that the change shows. */

/* sample with the first from after the first after (NULL: the start)
 * replaced by to. */
static char *sample_with(const char *after, const char *from, const char *to) {
  static char out[sizeof(sample) + 256];
  const char *start = after ? strstr(sample, after) : sample;
  ck_assert_ptr_nonnull(start);
  const char *at = strstr(start, from);
  ck_assert_ptr_nonnull(at);
  ck_assert_uint_lt(strlen(sample) + strlen(to), sizeof(out));
  snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - sample), sample, to,
           at + strlen(from));
  return out;
}

static void use_files(const char *ms, const char *mountinfo, bool all_mounts) {
  oconfig_value_t f = str_value(ms), mi = str_value(mountinfo);
  oconfig_value_t all = bool_value(all_mounts);
  oconfig_item_t items[] = {ITEM("File", &f), ITEM("MountInfoFile", &mi),
                            ITEM("ReportAllMountPoints", &all)};
  ck_assert_int_eq(configure(items, 3), 0);
  ck_assert_int_eq(mountstats_init(), 0);
  stub_reset();
}

static void read_again(void) {
  stub_reset();
  ck_assert_int_eq(mountstats_read(), 0);
}

START_TEST(test_mountset_renamed_mount) {
  char *path = write_temp("ms", sample);
  use_files(path, "", false);
  read_again();
  read_again(); /* kept */
  ck_assert_uint_gt(stub_count("home"), 0);
  write_temp("ms", sample_with(NULL, "on /home ", "on /homes "));
  read_again();
  ck_assert_uint_eq(stub_count("home"), 0);
  ck_assert_uint_gt(stub_count("homes"), 0);
  write_temp("ms", sample);
  read_again();
  ck_assert_uint_gt(stub_count("home"), 0);
  ck_assert_uint_eq(stub_count("homes"), 0);
}
END_TEST

/* Without mountinfo, superblocks come from counters, which change every
 * interval: the grouping is redone even when the mount set is kept. */
START_TEST(test_mountset_counter_groups_redone) {
  char *path = write_temp("ms", sample);
  use_files(path, "", false);
  read_again();
  ck_assert_uint_eq(stub_count("mnt-bind"), 0);
  /* The second record's age differs: no longer the same superblock. */
  write_temp("ms", sample_with("/mnt/bind", "age:\t1234", "age:\t1235"));
  read_again();
  ck_assert_uint_gt(stub_count("mnt-bind"), 0);
  ck_assert_uint_gt(stub_count("home"), 0);
  write_temp("ms", sample);
  read_again();
  ck_assert_uint_eq(stub_count("mnt-bind"), 0);
}
END_TEST

/* The same mountstats bytes; mountinfo first gives /home and /mnt/bind two
 * superblocks, then one. */
START_TEST(test_mountset_mountinfo_change) {
  char *ms = strdup(write_temp("ms", sample));
  static const char two[] =
      "30 22 0:50 / /home rw - nfs4 filer1:/export/home rw\n"
      "31 22 0:51 / /mnt/bind rw - nfs4 filer1:/export/home rw\n"
      "32 22 0:52 / / rw - nfs filer2:/ rw\n";
  static const char one[] =
      "30 22 0:50 / /home rw - nfs4 filer1:/export/home rw\n"
      "31 22 0:50 / /mnt/bind rw - nfs4 filer1:/export/home rw\n"
      "32 22 0:52 / / rw - nfs filer2:/ rw\n";
  char *mi = strdup(write_temp("mi", two));
  use_files(ms, mi, false);
  read_again();
  read_again();
  ck_assert_uint_gt(stub_count("mnt-bind"), 0);
  write_temp("mi", one);
  read_again();
  ck_assert_uint_eq(stub_count("mnt-bind"), 0);
  ck_assert_uint_gt(stub_count("home"), 0);
  write_temp("mi", two);
  read_again();
  ck_assert_uint_gt(stub_count("mnt-bind"), 0);
  free(ms);
  free(mi);
}
END_TEST

/* ReportAllMountPoints: /mnt/bind shares /home's connection, so its
 * transports are not reported; a new source port or another NFS version
 * makes it a connection of its own. */
START_TEST(test_mountset_connection_change) {
  char *path = write_temp("ms", sample);
  use_files(path, "", true);
  read_again();
  read_again();
  ck_assert_ptr_nonnull(stub_find("home", "nfs_xprt", "tcp"));
  ck_assert_ptr_null(stub_find("mnt-bind", "nfs_xprt", NULL));

  /* The second record's first xprt line gets source port 800. */
  write_temp("ms", sample_with("/mnt/bind", "tcp 0 0 1", "tcp 800 0 1"));
  read_again();
  ck_assert_ptr_nonnull(stub_find("home", "nfs_xprt", "tcp"));
  ck_assert_ptr_nonnull(stub_find("mnt-bind", "nfs_xprt", "tcp"));

  write_temp("ms", sample);
  read_again();
  ck_assert_ptr_null(stub_find("mnt-bind", "nfs_xprt", NULL));

  /* The second record's options say vers=4.1. */
  write_temp("ms", sample_with("/mnt/bind", "vers=4.2", "vers=4.1"));
  read_again();
  ck_assert_ptr_nonnull(stub_find("mnt-bind", "nfs_xprt", "tcp"));
}
END_TEST

static Suite *config_suite(void) {
  Suite *s = suite_create("config");
  TCase *tc = MS_CHECK_CASE(
      s, "config", setup, teardown, test_defaults, test_mountinfo_derived,
      test_explicit_mountinfo_disabled, test_bool_option_as_string,
      test_unknown_option_fails, test_bad_regex_fails, test_patterns,
      test_naming_source, test_max_file_size, test_max_name_length,
      test_types_registered_from_contract, test_types_known_not_registered);
  tcase_add_loop_test(tc, test_bool_options, 0, (int)bool_options_num());

  MS_CHECK_CASE(s, "read", setup, teardown, test_read_dispatches_contract,
                test_read_options, test_read_selection, test_read_naming_device,
                test_read_missing_file_rate_limited,
                test_read_refuses_non_regular, test_read_file_size_cap,
                test_read_malformed_logged_once);

  MS_CHECK_CASE(s, "mount set", setup, teardown, test_mountset_renamed_mount,
                test_mountset_counter_groups_redone,
                test_mountset_mountinfo_change,
                test_mountset_connection_change);
  return s;
}

int main(void) { return ms_check_main(config_suite()); }
