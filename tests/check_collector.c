/* SPDX-License-Identifier: MIT
 *
 * check_collector.c: the collector core (src/collector.h) without collectd:
 * the records it emits to a recording sink, the log lines it hands to a
 * recording logger and their rate limits, the independence of two
 * collectors.
 */
#include "alloc_fail.h"
#include "check_run.h"
#include "collector.h"
#include "memfs.h"
#include "metrics.h"
#include "naming.h"
#include "options.h"
#include "xprt.h"

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a recording sink and logger ---- */

#define MAX_RECORDS 256
#define MAX_LOGS 64

typedef struct {
  char plugin_instance[MS_NAME_SIZE];
  const ms_metric_type_t *type;
  char type_instance[MS_NAME_SIZE];
  size_t values_len;
  ms_value_t values[MS_METRIC_DS_MAX];
} rec_t;

typedef struct {
  rec_t recs[MAX_RECORDS];
  size_t nrecs;
  struct {
    int level;
    char text[MS_LOG_LINE_MAX];
  } logs[MAX_LOGS];
  size_t nlogs;
} recorder_t;

static void record(void *ctx, const ms_record_t *r) {
  recorder_t *rc = ctx;
  ck_assert_uint_lt(rc->nrecs, MAX_RECORDS);
  ck_assert_uint_eq(r->values_len, r->type->ds_num);
  rec_t *o = &rc->recs[rc->nrecs++];
  snprintf(o->plugin_instance, sizeof(o->plugin_instance), "%s",
           r->plugin_instance);
  o->type = r->type;
  ck_assert_uint_lt(r->type_instance_len, MS_NAME_SIZE);
  memcpy(o->type_instance, r->type_instance, r->type_instance_len);
  o->type_instance[r->type_instance_len] = '\0';
  o->values_len = r->values_len;
  memcpy(o->values, r->values, r->values_len * sizeof(r->values[0]));
}

static void logline(void *ctx, int level, const char *msg) {
  recorder_t *rc = ctx;
  ck_assert_uint_lt(rc->nlogs, MAX_LOGS);
  rc->logs[rc->nlogs].level = level;
  snprintf(rc->logs[rc->nlogs].text, MS_LOG_LINE_MAX, "%s", msg);
  rc->nlogs++;
}

static const rec_t *find(const recorder_t *rc, const char *pi, const char *type,
                         const char *ti) {
  for (size_t i = 0; i < rc->nrecs; i++) {
    const rec_t *r = &rc->recs[i];
    if (strcmp(r->plugin_instance, pi) == 0 &&
        strcmp(r->type->name, type) == 0 &&
        (ti == NULL || strcmp(r->type_instance, ti) == 0))
      return r;
  }
  return NULL;
}

static size_t logs_with(const recorder_t *rc, int level, const char *needle) {
  size_t n = 0;
  for (size_t i = 0; i < rc->nlogs; i++)
    n += rc->logs[i].level == level && strstr(rc->logs[i].text, needle) != NULL;
  return n;
}

static void reset(recorder_t *rc) { rc->nrecs = rc->nlogs = 0; }

/* ---- input ---- */

/* A v4.2 mount of filer1:/export/home at mp with two tcp transports. */
#define HOME_RECORD(mp)                                                        \
  "device filer1:/export/home mounted on " mp " with fstype nfs4 "             \
  "statvers=1.1\n"                                                             \
  "\topts:\trw,vers=4.2,proto=tcp,nconnect=2\n"                                \
  "\tage:\t1234\n"                                                             \
  "\tbytes:\t100 200 0 0 100 200 1 2 \n"                                       \
  "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"                          \
  "\txprt:\ttcp 0 0 1 0 10 100 100 0 500 0 2 0 5\n"                            \
  "\txprt:\ttcp 0 0 1 0 20 50 50 0 250 0 3 0 7\n"                              \
  "\tper-op statistics\n"                                                      \
  "\t        READ: 10 11 1 1600 41000 18446744073709551615 100 110 2\n"        \
  "\t       WRITE: 0 0 0 0 0 0 0 0 0\n"                                        \
  "\n"

/* That mount, its bind mount, and a v3 mount at "/" over udp with RPC
 * iostats 1.0 (8 fields). */
static const char sample[] =
    "device proc mounted on /proc with fstype proc\n" HOME_RECORD("/home")
        HOME_RECORD(
            "/mnt/bind") "device filer2:/ mounted on / with fstype nfs "
                         "statvers=1.1\n"
                         "\topts:\tro,vers=3,proto=udp\n"
                         "\tage:\t99\n"
                         "\tRPC iostats version: 1.0  p/v: 100003/3 (nfs)\n"
                         "\txprt:\tudp 900 1 40 40 0 80 3\n"
                         "\tper-op statistics\n"
                         "\t     GETATTR: 40 41 0 4000 3000 2 30 35\n"
                         "\n";

static ms_config_t cfg;
static recorder_t rec;
static ms_collector_t *col;

static void setup(void) {
  memset(&cfg, 0, sizeof(cfg));
  ms_config_defaults(&cfg);
  cfg.file = strdup("/test/mountstats");
  reset(&rec);
  col = ms_collector_new(&cfg, record, logline, &rec);
  ck_assert_ptr_nonnull(col);
}

static void teardown(void) {
  ms_collector_free(col);
  ms_config_free(&cfg);
}

static int run_text(ms_collector_t *c, const char *text, double now) {
  ms_input_t in = {.buf = text, .len = strlen(text), .now = now};
  return ms_collector_run(c, &in);
}

/* ---- records ---- */

START_TEST(test_records_of_sample) {
  ck_assert_int_eq(run_text(col, sample, 100), 0);
  /* The bind mount shows the same superblock: reported once, logged once. */
  ck_assert_ptr_null(find(&rec, "mnt-bind", "nfs_bytes", NULL));
  ck_assert_uint_eq(logs_with(&rec, MS_LOG_INFO, "2 mount points show one"), 1);
  const rec_t *age = find(&rec, "home", "uptime", "age");
  ck_assert_ptr_nonnull(age);
  ck_assert(age->values[0].gauge == 1234.0);
  const rec_t *read = find(&rec, "home", "nfs_op", "READ");
  ck_assert_ptr_nonnull(read);
  ck_assert_uint_eq(read->values_len, 8);
  ck_assert_int_eq(read->values[0].derive, 10);
  ck_assert_int_eq(read->values[5].derive, -1); /* 2^64 - 1 */
  const rec_t *errors = find(&rec, "home", "nfs_op_errors", "READ");
  ck_assert_ptr_nonnull(errors);
  ck_assert_int_eq(errors->values[0].derive, 2);
  /* Zero ops are left out by default; 1.0 ops have no error count. */
  ck_assert_ptr_null(find(&rec, "home", "nfs_op", "WRITE"));
  ck_assert_ptr_nonnull(find(&rec, "root", "nfs_op", "GETATTR"));
  ck_assert_ptr_null(find(&rec, "root", "nfs_op_errors", "GETATTR"));
  /* Two tcp connections summed under the word, and counted. */
  const rec_t *xprt = find(&rec, "home", "nfs_xprt", "tcp");
  ck_assert_ptr_nonnull(xprt);
  ck_assert_int_eq(xprt->values[1].derive, 150); /* sends */
  const rec_t *n = find(&rec, "home", "count", "transports");
  ck_assert_ptr_nonnull(n);
  ck_assert(n->values[0].gauge == 2.0);
  const rec_t *udp = find(&rec, "root", "nfs_xprt", "udp");
  ck_assert_ptr_nonnull(udp);
  ck_assert_int_eq(udp->values[0].derive, 1); /* bind_count */
  ck_assert_ptr_null(find(&rec, "root", "nfs_xprt_conn", NULL));
  /* Value kinds follow the contract. */
  const rec_t *conn = find(&rec, "home", "nfs_xprt_conn", "tcp");
  ck_assert_ptr_nonnull(conn);
  ck_assert(ms_metric_is_gauge(conn->type, 2));
  ck_assert(conn->values[2].gauge == 10.0); /* the smaller idle_time */
}
END_TEST

START_TEST(test_options_apply_from_next_run) {
  ck_assert_int_eq(run_text(col, sample, 100), 0);
  ck_assert_ptr_null(find(&rec, "home", "nfs_op", "WRITE"));
  cfg.report_zero_ops = true;
  cfg.report_per_transport = true;
  reset(&rec);
  ck_assert_int_eq(run_text(col, sample, 110), 0);
  ck_assert_ptr_nonnull(find(&rec, "home", "nfs_op", "WRITE"));
  ck_assert_ptr_nonnull(find(&rec, "home", "nfs_xprt", "tcp-0"));
  ck_assert_ptr_nonnull(find(&rec, "home", "nfs_xprt", "tcp-1"));
  ck_assert_ptr_null(find(&rec, "home", "count", "transports"));
}
END_TEST

/* ReportStall (src/stall.h, worked in tests/check_stall.c). Without a
 * sysfs: the estimate, one nfs_xprt_stall per reported mount, type instance
 * "estimate", also for udp and with ReportPerTransport; the state follows
 * the mount from read to read. */
#define STALL_RECORD(sends)                                                    \
  "device 127.0.0.5:/export/home mounted on /home with fstype nfs4 "           \
  "statvers=1.1\n"                                                             \
  "\topts:\trw,vers=4.2,proto=tcp,timeo=600,retrans=2\n"                       \
  "\tage:\t1234\n"                                                             \
  "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"                          \
  "\txprt:\ttcp 0 0 1 0 10 " sends " 100 0 500 0 2 0 5\n"                      \
  "\txprt:\ttcp 0 0 1 0 20 50 50 0 250 0 3 0 7\n"                              \
  "\tper-op statistics\n"                                                      \
  "\t        READ: 10 11 1 1600 41000 0 100 110 2\n"                           \
  "\n"

START_TEST(test_stall_estimate_records) {
  cfg.report_stall = true;
  cfg.report_per_transport = true;
  /* sends 100 + 50, recvs 100 + 50, READ trans - ops 1, timeouts 1:
   * X = 150 - 150 - 1 - 1 = -2, the level; nothing waits */
  ck_assert_int_eq(run_text(col, STALL_RECORD("100"), 100), 0);
  const rec_t *st = find(&rec, "home", "nfs_xprt_stall", "estimate");
  ck_assert_ptr_nonnull(st);
  ck_assert_uint_eq(st->values_len, 3);
  ck_assert(st->values[0].gauge == 0.0 && st->values[1].gauge == 0.0 &&
            st->values[2].gauge == 0.0);
  ck_assert_ptr_null(find(&rec, "home", "nfs_xprt_queue", NULL));
  ck_assert_uint_eq(logs_with(&rec, MS_LOG_INFO,
                              "mount \"/home\": ReportStall "
                              "estimates from mountstats"),
                    1);
  /* three more requests sent, no reply, 5 s later: X = 153 - 150 - 2 = 1,
   * 3 above the level, waiting from this read on: stalled 0 */
  reset(&rec);
  ck_assert_int_eq(run_text(col, STALL_RECORD("103"), 105), 0);
  st = find(&rec, "home", "nfs_xprt_stall", "estimate");
  ck_assert_ptr_nonnull(st);
  ck_assert(st->values[0].gauge == 3.0 && st->values[1].gauge == 5.0 &&
            st->values[2].gauge == 0.0);
  ck_assert_uint_eq(logs_with(&rec, MS_LOG_INFO, "ReportStall"), 0);
  reset(&rec);
  ck_assert_int_eq(run_text(col, STALL_RECORD("103"), 107), 0);
  st = find(&rec, "home", "nfs_xprt_stall", "estimate");
  /* since_reply 7 (from 100), waiting for 2 s: stalled min(2, 7) */
  ck_assert(st->values[1].gauge == 7.0 && st->values[2].gauge == 2.0);
  /* udp prints sends and recvs too: a record for it */
  reset(&rec);
  ck_assert_int_eq(run_text(col, sample, 110), 0);
  ck_assert_ptr_nonnull(find(&rec, "root", "nfs_xprt", "udp-0"));
  ck_assert_ptr_nonnull(find(&rec, "root", "nfs_xprt_stall", "estimate"));
  /* off by default: see test_records_of_sample's run */
  cfg.report_stall = false;
  reset(&rec);
  ck_assert_int_eq(run_text(col, sample, 120), 0);
  ck_assert_ptr_null(find(&rec, "home", "nfs_xprt_stall", NULL));
}
END_TEST

/* With the kernel's queues: the v4.2 mount prints port 0, has no mountinfo
 * here, so it is mapped by its server address (its device's) and port 2049
 * onto switch-3; one transport waits for a reply, the other is closed and
 * the switch counts no task beyond the connected one's: waiting 1. */
START_TEST(test_stall_sysfs_records) {
  cfg.report_stall = true;
  memfs_switch3();
  ms_input_t in = {.buf = STALL_RECORD("100"),
                   .len = strlen(STALL_RECORD("100")),
                   .now = 100,
                   .sysfs = &memfs};
  ck_assert_int_eq(ms_collector_run(col, &in), 0);
  const rec_t *st = find(&rec, "home", "nfs_xprt_stall", "sysfs");
  ck_assert_ptr_nonnull(st);
  ck_assert(st->values[0].gauge == 1.0 && st->values[1].gauge == 0.0 &&
            st->values[2].gauge == 0.0);
  const rec_t *q = find(&rec, "home", "nfs_xprt_queue", "tcp");
  ck_assert_ptr_nonnull(q);
  /* queued 1 (the switch), pending 1, 1 transport connected */
  ck_assert(q->values[0].gauge == 1.0 && q->values[1].gauge == 1.0 &&
            q->values[2].gauge == 1.0);
  ck_assert_uint_eq(
      logs_with(&rec, MS_LOG_INFO,
                "mount \"/home\": ReportStall reads the kernel's RPC queues "
                "(route: server address; switch-3)."),
      1);
  /* 3 s later, no reply: stalled min(3, 3) */
  reset(&rec);
  in.now = 103;
  ck_assert_int_eq(ms_collector_run(col, &in), 0);
  st = find(&rec, "home", "nfs_xprt_stall", "sysfs");
  ck_assert(st->values[0].gauge == 1.0 && st->values[1].gauge == 3.0 &&
            st->values[2].gauge == 3.0);
  ck_assert_uint_eq(logs_with(&rec, MS_LOG_INFO, "ReportStall"), 0);
  /* the switch went away: the tree is read again, nothing matches, the
   * estimate takes over and says so */
  memfs_n = 1;
  memfs_tree[0] =
      (memfs_entry_t){"kernel/sunrpc/xprt-switches/switch-9/x", "", NULL};
  reset(&rec);
  in.now = 104;
  ck_assert_int_eq(ms_collector_run(col, &in), 0);
  ck_assert_ptr_nonnull(find(&rec, "home", "nfs_xprt_stall", "estimate"));
  ck_assert_ptr_null(find(&rec, "home", "nfs_xprt_queue", NULL));
  ck_assert_uint_eq(logs_with(&rec, MS_LOG_INFO,
                              "ReportStall estimates from mountstats (no "
                              "transport in the sunrpc sysfs tree matches it)"),
                    1);
  cfg.report_stall = false;
}
END_TEST

START_TEST(test_two_collectors_independent) {
  ms_config_t other = {0};
  ms_config_defaults(&other);
  other.file = strdup("/other");
  other.report_all_mountpoints = true;
  other.naming = MS_NAMING_DEVICE;
  recorder_t *orec = calloc(1, sizeof(*orec));
  ck_assert_ptr_nonnull(orec);
  ms_collector_t *c2 = ms_collector_new(&other, record, logline, orec);
  ck_assert_ptr_nonnull(c2);
  ck_assert_int_eq(run_text(col, sample, 100), 0);
  ck_assert_int_eq(run_text(c2, sample, 100), 0);
  ck_assert_ptr_nonnull(find(&rec, "home", "nfs_bytes", NULL));
  ck_assert_ptr_null(find(&rec, "filer1:-export-home", "nfs_bytes", NULL));
  /* Device naming, every mount point: the two names of one device clash;
   * no mount point maps back to "filer1:-export-home", so each gets the
   * FNV-1a-32 of its own mount point (NamingScheme auto) */
  char home[64], bind[64];
  snprintf(home, sizeof(home), "filer1:-export-home~%08x",
           (unsigned)ms_fnv1a32("/home", 5));
  snprintf(bind, sizeof(bind), "filer1:-export-home~%08x",
           (unsigned)ms_fnv1a32("/mnt/bind", 9));
  ck_assert_ptr_nonnull(find(orec, home, "nfs_bytes", NULL));
  ck_assert_ptr_nonnull(find(orec, bind, "nfs_bytes", NULL));
  ck_assert_uint_eq(logs_with(orec, MS_LOG_INFO, "show one"), 0);
  /* NamingScheme path: the names before 0.2, the first in file order keeps
   * the name (names are made when the mount set changes: a new collector) */
  other.naming_scheme = MS_SCHEME_PATH;
  reset(orec);
  ms_collector_t *c3 = ms_collector_new(&other, record, logline, orec);
  ck_assert_int_eq(run_text(c3, sample, 110), 0);
  ck_assert_ptr_nonnull(find(orec, "filer1:-export-home", "nfs_bytes", NULL));
  ck_assert_ptr_nonnull(find(orec, "filer1:-export-home~2", "nfs_bytes", NULL));
  ms_collector_free(c3);
  ms_collector_free(c2);
  ms_config_free(&other);
  free(orec);
}
END_TEST

START_TEST(test_records_have_stable_pointers) {
  /* The plugin instance and type of a record are the same pointers for the
   * records of one mount (the plugin keeps its value list by them). */
  ck_assert_int_eq(run_text(col, sample, 100), 0);
  ck_assert_uint_gt(rec.nrecs, 4);
  for (size_t i = 0; i < rec.nrecs; i++) {
    ptrdiff_t t = rec.recs[i].type - ms_metric_types;
    ck_assert(t >= 0 && t < MS_TYPES_NUM);
  }
}
END_TEST

/* ---- log lines ---- */

START_TEST(test_file_error_once_a_minute) {
  ms_input_t in = {.err = ENOENT, .now = 1000};
  ck_assert_int_eq(ms_collector_run(col, &in), 0);
  ck_assert_uint_eq(rec.nrecs, 0);
  ck_assert_uint_eq(
      logs_with(&rec, MS_LOG_ERR,
                "mountstats plugin: reading \"/test/mountstats\" failed: No "
                "such file or directory (errno 2); nothing reported until it "
                "is readable."),
      1);
  in.now = 1059;
  ms_collector_run(col, &in);
  ck_assert_uint_eq(rec.nlogs, 1);
  in.err = MS_ENOTREG; /* another kind: its own minute */
  ms_collector_run(col, &in);
  ck_assert_uint_eq(logs_with(&rec, MS_LOG_ERR, "is not a regular file"), 1);
  in.err = ENOENT;
  in.now = 1060;
  ms_collector_run(col, &in);
  ck_assert_uint_eq(logs_with(&rec, MS_LOG_ERR, "errno 2"), 2);
  ck_assert_int_eq(run_text(col, sample, 1061), 0);
  ck_assert_uint_eq(logs_with(&rec, MS_LOG_INFO,
                              "mountstats plugin: \"/test/mountstats\" is "
                              "readable again."),
                    1);
  in.err = EFBIG;
  in.now = 1062;
  ms_collector_run(col, &in);
  ck_assert_uint_eq(logs_with(&rec, MS_LOG_ERR,
                              "is larger than MaxFileSize (268435456 bytes)"),
                    1);
}
END_TEST

START_TEST(test_mountinfo_error_once) {
  free(cfg.mountinfo_file);
  cfg.mountinfo_file = strdup("/test/mountinfo");
  ms_input_t in = {
      .buf = sample, .len = strlen(sample), .mi_err = EACCES, .now = 5};
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(ms_collector_run(col, &in), 0);
  ck_assert_uint_eq(logs_with(&rec, MS_LOG_WARNING,
                              "reading \"/test/mountinfo\" failed: "
                              "Permission denied; superblocks are recognised "
                              "by identical counters instead."),
                    1);
  in.mi_err = 0;
  in.mi_buf = "";
  in.mi_len = 0;
  ck_assert_int_eq(ms_collector_run(col, &in), 0);
  ck_assert_uint_eq(
      logs_with(&rec, MS_LOG_INFO, "\"/test/mountinfo\" is readable again."),
      1);
}
END_TEST

START_TEST(test_malformed_line_logged_once) {
  static const char bad[] =
      "device s:/x mounted on /x with fstype nfs statvers=1.1\n"
      "\tage:\tnot-a-number\n"
      "\n";
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(run_text(col, bad, i), 0);
  ck_assert_uint_eq(logs_with(&rec, MS_LOG_WARNING,
                              "mountstats plugin: /test/mountstats line 2 "
                              "(mount \"/x\"): not a decimal number; line "
                              "skipped: \"\\011age:\\011not-a-number\""),
                    1);
  ck_assert_uint_eq(rec.nlogs, 1);
}
END_TEST

START_TEST(test_unknown_transport_noticed_once) {
  static const char text[] =
      "device s:/x mounted on /x with fstype nfs statvers=1.1\n"
      "\txprt:\tquic 1 2 3\n"
      "\n";
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(run_text(col, text, i), 0);
  ck_assert_uint_eq(logs_with(&rec, MS_LOG_NOTICE,
                              "line 2 (mount \"/x\"): unknown transport "
                              "\"quic\" is not reported."),
                    1);
}
END_TEST

/* ---- out of memory ---- */

/* The recording sink and logger without Check's assertions, which
 * allocate: for the reads whose allocations fail on purpose. */
static void record_quietly(void *ctx, const ms_record_t *r) {
  recorder_t *rc = ctx;
  if (rc->nrecs < MAX_RECORDS)
    rc->recs[rc->nrecs].type = r->type;
  rc->nrecs++;
}

static void log_quietly(void *ctx, int level, const char *msg) {
  recorder_t *rc = ctx;
  if (rc->nlogs < MAX_LOGS) {
    rc->logs[rc->nlogs].level = level;
    snprintf(rc->logs[rc->nlogs].text, MS_LOG_LINE_MAX, "%s", msg);
  }
  rc->nlogs++;
}

/* One read of the out-of-memory tests: the mountstats text and the
 * mountinfo text (NULL: none), at 100 + 10 s per read before it. */
typedef struct {
  const char *text;
  const char *mountinfo;
} oom_read_t;

static int run_oom_read(ms_collector_t *c, const oom_read_t *r, int i) {
  ms_input_t in = {.buf = r->text,
                   .len = strlen(r->text),
                   .mi_buf = r->mountinfo,
                   .mi_len = r->mountinfo ? strlen(r->mountinfo) : 0,
                   .now = 100.0 + 10 * i};
  return ms_collector_run(c, &in);
}

/* The reads under cfg, failing each allocation of theirs in turn, once: a
 * read either returns -ENOMEM and logs it (collector.h), or returns 0
 * having emitted every record and logged every line a read without
 * failures does (a failure it recovers from, such as the mount set's copy,
 * which is only a cache). A read after a reported failure may lack what
 * the failure cost (an iostat baseline, a log-once memory), so only reads
 * after clean ones are compared (with oom_want[], what the reads without
 * failures emitted and logged). Returns how many allocations the reads
 * made. */
#define OOM_READS_MAX 4
static recorder_t oom_want[OOM_READS_MAX];
static long check_each_allocation_failing(const oom_read_t *reads, int n) {
  static recorder_t got;
  ck_assert_int_le(n, OOM_READS_MAX);
  for (int r = 0; r < n; r++) {
    reset(&rec);
    ck_assert_int_eq(run_oom_read(col, &reads[r], r), 0);
    oom_want[r] = rec;
  }
  long k = 0;
  for (bool injected = true; injected; k++) {
    ms_collector_t *c =
        ms_collector_new(&cfg, record_quietly, log_quietly, &got);
    ck_assert_ptr_nonnull(c);
    bool clean_before = true;
    long left = k;
    alloc_fail_arm(-1);
    for (int r = 0; r < n; r++) {
      reset(&got);
      bool failed_before = alloc_failed();
      alloc_fail_resume(left);
      int rc = run_oom_read(c, &reads[r], r);
      left = alloc_fail_pause();
      if (rc != 0) {
        ck_assert_int_eq(rc, -ENOMEM);
        ck_assert_msg(alloc_failed() && !failed_before, "k=%ld read %d", k, r);
        ck_assert_uint_eq(logs_with(&got, MS_LOG_ERR, "out of memory"), 1);
        clean_before = false;
        continue;
      }
      if (!clean_before)
        continue;
      ck_assert_msg(got.nrecs == oom_want[r].nrecs,
                    "allocation %ld failed, read %d: %zu records, not %zu, "
                    "and no error",
                    k, r, got.nrecs, oom_want[r].nrecs);
      for (size_t i = 0; i < got.nrecs; i++)
        ck_assert_ptr_eq(got.recs[i].type, oom_want[r].recs[i].type);
      ck_assert_msg(got.nlogs == oom_want[r].nlogs,
                    "allocation %ld failed, read %d: %zu log lines, not %zu, "
                    "and no error",
                    k, r, got.nlogs, oom_want[r].nlogs);
      for (size_t i = 0; i < got.nlogs; i++) {
        ck_assert_int_eq(got.logs[i].level, oom_want[r].logs[i].level);
        ck_assert_str_eq(got.logs[i].text, oom_want[r].logs[i].text);
      }
    }
    injected = alloc_failed();
    ms_collector_free(c);
  }
  return k;
}

/* Two reads of one mount with ReportIostat. */
START_TEST(test_out_of_memory_is_reported) {
  static const char text[] = HOME_RECORD("/home");
  static const oom_read_t reads[] = {{text, NULL}, {text, NULL}};
  cfg.report_iostat = true;
  /* the reads made that many allocations */
  ck_assert_int_gt(check_each_allocation_failing(reads, 2), 10);
  ck_assert(find(&oom_want[1], "home", "nfs_iostat", NULL) != NULL);
}
END_TEST

/* Two reads of one mount with ReportStall (the estimate): a mount whose
 * stall state could not be kept is an out-of-memory to report too. */
START_TEST(test_out_of_memory_in_stall_is_reported) {
  static const oom_read_t reads[] = {{STALL_RECORD("100"), NULL},
                                     {STALL_RECORD("103"), NULL}};
  cfg.report_stall = true;
  ck_assert_int_gt(check_each_allocation_failing(reads, 2), 0);
  ck_assert(find(&oom_want[1], "home", "nfs_xprt_stall", "estimate") != NULL);
}
END_TEST

/* Two reads of a mount and its bind mount, whose counters differ but
 * whose mountinfo lines give one superblock: mountinfo that could not be
 * parsed is an out-of-memory to report, not a file without device
 * numbers (which would report each mount, and keep doing so while the
 * mount set stays). */
START_TEST(test_out_of_memory_in_mountinfo_is_reported) {
  static const char text[] =
      HOME_RECORD("/home") "device filer1:/export/home mounted on /mnt/bind "
                           "with fstype nfs4 statvers=1.1\n"
                           "\topts:\trw,vers=4.2,proto=tcp\n"
                           "\tage:\t99\n"
                           "\n";
  static const char mountinfo[] =
      "30 1 0:52 / /home rw - nfs4 filer1:/export/home rw,addr=10.0.0.1\n"
      "31 1 0:52 /sub /mnt/bind rw - nfs4 filer1:/export/home "
      "rw,addr=10.0.0.1\n";
  static const oom_read_t reads[] = {{text, mountinfo}, {text, mountinfo}};
  free(cfg.mountinfo_file);
  cfg.mountinfo_file = strdup("/test/mountinfo");
  ck_assert_int_gt(check_each_allocation_failing(reads, 2), 0);
  ck_assert(find(&oom_want[0], "home", "uptime", "age") != NULL);
  ck_assert(find(&oom_want[0], "mnt-bind", "uptime", "age") == NULL);
  ck_assert_uint_eq(logs_with(&oom_want[0], MS_LOG_INFO,
                              "2 mount points show one NFS superblock"),
                    1);
}
END_TEST

/* Three reads of a malformed line: a problem whose having been logged
 * could not be kept is an out-of-memory to report (it is logged again). */
START_TEST(test_out_of_memory_in_diag_log_is_reported) {
  static const char bad[] =
      "device s:/x mounted on /x with fstype nfs statvers=1.1\n"
      "\tage:\tnot-a-number\n"
      "\n";
  static const oom_read_t reads[] = {{bad, NULL}, {bad, NULL}, {bad, NULL}};
  ck_assert_int_gt(check_each_allocation_failing(reads, 3), 0);
  ck_assert_uint_eq(oom_want[0].nlogs, 1);
}
END_TEST

/* Three reads of an unknown transport: the same for its notice. */
START_TEST(test_out_of_memory_in_transport_note_is_reported) {
  static const char text[] =
      "device s:/x mounted on /x with fstype nfs statvers=1.1\n"
      "\txprt:\tquic 1 2 3\n"
      "\n";
  static const oom_read_t reads[] = {{text, NULL}, {text, NULL}, {text, NULL}};
  ck_assert_int_gt(check_each_allocation_failing(reads, 3), 0);
  ck_assert_uint_eq(oom_want[0].nlogs, 1);
}
END_TEST

/* A mount and its bind mount, then another mount too, then the two
 * again: the same for the shared superblock's line (the mount set changes,
 * the group stays). */
#define SRV_RECORD                                                             \
  "device filer2:/srv mounted on /srv with fstype nfs4 statvers=1.1\n"         \
  "\tage:\t5\n"                                                                \
  "\n"

START_TEST(test_out_of_memory_in_group_log_is_reported) {
  static const char two[] = HOME_RECORD("/home") HOME_RECORD("/mnt/bind");
  static const char three[] =
      HOME_RECORD("/home") HOME_RECORD("/mnt/bind") SRV_RECORD;
  static const oom_read_t reads[] = {{two, NULL}, {three, NULL}, {two, NULL}};
  ck_assert_int_gt(check_each_allocation_failing(reads, 3), 0);
  ck_assert_uint_eq(oom_want[0].nlogs, 1);
  ck_assert_uint_eq(oom_want[1].nlogs + oom_want[2].nlogs, 0);
}
END_TEST

/* ---- helpers ---- */

START_TEST(test_xprt_layouts) {
  unsigned min = 99;
  ck_assert_int_eq(ms_xprt_kind_of("rdma", 4, &min), MS_XPRT_RDMA);
  ck_assert_uint_eq(min, 20);
  ck_assert_int_eq(ms_xprt_kind_of("tcp6", 4, &min), MS_XPRT_OTHER);
  ck_assert_uint_eq(min, 0);
  ms_xprt_t x = {
      .kind = MS_XPRT_UDP, .nfields = 7, .v = {900, 1, 40, 40, 0, 80, 3}};
  ck_assert_uint_eq(ms_xprt_port(&x), 900);
  uint64_t sends = 0;
  ck_assert(ms_xprt_sends(&x, &sends));
  ck_assert_uint_eq(sends, 40);
  ms_xprt_values_t v;
  ck_assert_int_eq(ms_xprt_normalise(&x, &v), 0);
  ck_assert(!v.have_conn && !v.have_slots && !v.have_rdma);
  ck_assert_uint_eq(v.common[0], 1);
  x.kind = MS_XPRT_OTHER;
  ck_assert_int_eq(ms_xprt_normalise(&x, &v), -EINVAL);
  ck_assert(!ms_xprt_sends(&x, &sends));
}
END_TEST

MS_CHECK_MAIN("collector", setup, teardown, test_records_of_sample,
              test_options_apply_from_next_run, test_two_collectors_independent,
              test_records_have_stable_pointers, test_file_error_once_a_minute,
              test_mountinfo_error_once, test_stall_estimate_records,
              test_stall_sysfs_records, test_malformed_line_logged_once,
              test_unknown_transport_noticed_once,
              test_out_of_memory_is_reported,
              test_out_of_memory_in_stall_is_reported,
              test_out_of_memory_in_mountinfo_is_reported,
              test_out_of_memory_in_diag_log_is_reported,
              test_out_of_memory_in_transport_note_is_reported,
              test_out_of_memory_in_group_log_is_reported, test_xprt_layouts)
