/* SPDX-License-Identifier: MIT
 *
 * check_emit.c: the records of the reported mounts (src/emit.c), made as
 * the metric contract's table says: as many values as each type has data
 * sources, each type from the counters it names (events by group, the
 * per-op fields, the RDMA fields), a group the kernel did not print left
 * out. Every expected value is read off the input next to it.
 */
#include "check_run.h"
#include "emit.h"
#include "mountstats.h"
#include "options.h"
#include "parser_test_util.h"
#include "plan.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORDS 128

typedef struct {
  const ms_metric_type_t *type;
  char pi[MS_NAME_SIZE], ti[MS_NAME_SIZE];
  size_t n;
  ms_value_t v[MS_METRIC_DS_MAX];
} rec_t;

static rec_t recs[MAX_RECORDS];
static size_t nrecs;

static void sink(void *ctx, const ms_record_t *r) {
  (void)ctx;
  ck_assert_uint_lt(nrecs, MAX_RECORDS);
  ck_assert_uint_eq(r->values_len, r->type->ds_num);
  rec_t *o = &recs[nrecs++];
  o->type = r->type;
  snprintf(o->pi, sizeof(o->pi), "%s", r->plugin_instance);
  snprintf(o->ti, sizeof(o->ti), "%.*s", (int)r->type_instance_len,
           r->type_instance);
  o->n = r->values_len;
  memcpy(o->v, r->values, r->values_len * sizeof(r->values[0]));
}

static void logger(void *ctx, int level, const char *msg) {
  (void)ctx;
  (void)level;
  (void)msg;
}

static const ms_log_t LOG = {.fn = logger};
static ms_config_t cfg;
static ms_snapshot_t snap;
static ms_plan_t plan;
static ms_emit_t em = {.sink = sink};
static char *text;

static void setup(void) {
  memset(&cfg, 0, sizeof(cfg));
  ms_config_defaults(&cfg);
  cfg.file = strdup("/test");
  nrecs = 0;
}

static void teardown(void) {
  ms_emit_free(&em);
  em.sink = sink;
  ms_plan_free(&plan);
  ms_snapshot_free(&snap);
  ms_config_free(&cfg);
  free(text);
  text = NULL;
}

/* The records of text (a literal, or a fixture when it names one). */
static void records_of(const char *literal, const char *fixture) {
  size_t len = 0;
  if (fixture != NULL) {
    text = load_fixture(fixture, &len);
  } else {
    len = strlen(literal);
    text = strdup(literal);
  }
  ck_assert_int_eq(ms_parse(&snap, text, len), 0);
  ck_assert_int_eq(ms_plan_make(&plan, &cfg, &snap, NULL, 0, false, &LOG), 0);
  nrecs = 0;
  ms_emit_input_t in = {
      .cfg = &cfg, .snap = &snap, .plan = &plan, .log = &LOG, .now = 100};
  ck_assert_int_eq(ms_emit_records(&em, &in), 0);
}

static const rec_t *find(const char *type, const char *ti) {
  for (size_t i = 0; i < nrecs; i++)
    if (strcmp(recs[i].type->name, type) == 0 && strcmp(recs[i].ti, ti) == 0)
      return &recs[i];
  return NULL;
}

static size_t count(const char *type) {
  size_t n = 0;
  for (size_t i = 0; i < nrecs; i++)
    n += strcmp(recs[i].type->name, type) == 0;
  return n;
}

#define HEADER(mp)                                                             \
  "device srv:/e mounted on " mp " with fstype nfs statvers=1.1\n"             \
  "\topts:\trw,vers=3\n"

/* The events by group: 27 printed, all five; 25 (before 2.6.39), no pNFS
 * group. Each group takes its own counters. */
START_TEST(test_event_groups) {
  records_of(HEADER("/a") "\tevents:\t1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 "
                          "17 18 19 20 21 22 23 24 25 26 27\n",
             NULL);
  const rec_t *cache = find("nfs_events_cache", "");
  ck_assert_ptr_nonnull(cache);
  ck_assert_uint_eq(cache->n, 4); /* 1..4 */
  ck_assert_int_eq(cache->v[0].derive, 1);
  ck_assert_int_eq(cache->v[3].derive, 4);
  const rec_t *vfs = find("nfs_events_vfs", "");
  ck_assert_uint_eq(vfs->n, 8); /* 5..12 */
  ck_assert_int_eq(vfs->v[0].derive, 5);
  ck_assert_int_eq(vfs->v[7].derive, 12);
  const rec_t *file = find("nfs_events_file", "");
  ck_assert_int_eq(file->v[0].derive, 13); /* 13..18 */
  ck_assert_int_eq(file->v[5].derive, 18);
  const rec_t *io = find("nfs_events_io", "");
  ck_assert_int_eq(io->v[0].derive, 19); /* 19..25 */
  ck_assert_int_eq(io->v[6].derive, 25);
  const rec_t *pnfs = find("nfs_events_pnfs", "");
  ck_assert_ptr_nonnull(pnfs);
  ck_assert_int_eq(pnfs->v[0].derive, 26);
  ck_assert_int_eq(pnfs->v[1].derive, 27);

  teardown();
  setup();
  records_of(HEADER("/a") "\tevents:\t1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 "
                          "17 18 19 20 21 22 23 24 25\n",
             NULL);
  ck_assert_ptr_nonnull(find("nfs_events_io", ""));
  ck_assert_ptr_null(find("nfs_events_pnfs", ""));
}
END_TEST

/* Operations: 8 counters each; the error count only where printed (9). */
START_TEST(test_ops) {
  records_of(HEADER("/a") "\tage:\t5\n"
                          "\tper-op statistics\n"
                          "\tGETATTR: 1 2 3 4 5 6 7 8\n"
                          "\t   READ: 9 10 11 12 13 14 15 16 17\n"
                          "\t  WRITE: 0 0 0 0 0 0 0 0 0\n",
             NULL);
  const rec_t *g = find("nfs_op", "GETATTR");
  ck_assert_uint_eq(g->n, 8);
  ck_assert_int_eq(g->v[0].derive, 1);
  ck_assert_int_eq(g->v[7].derive, 8);
  ck_assert_ptr_null(find("nfs_op_errors", "GETATTR"));
  const rec_t *e = find("nfs_op_errors", "READ");
  ck_assert_uint_eq(e->n, 1);
  ck_assert_int_eq(e->v[0].derive, 17);
  ck_assert_ptr_null(find("nfs_op", "WRITE")); /* never used */
  const rec_t *age = find("uptime", "age");
  ck_assert(age->v[0].gauge == 5.0);
  cfg.report_op_errors = false;
  cfg.report_zero_ops = true;
  nrecs = 0;
  ms_emit_input_t in = {
      .cfg = &cfg, .snap = &snap, .plan = &plan, .log = &LOG, .now = 110};
  ck_assert_int_eq(ms_emit_records(&em, &in), 0);
  ck_assert_uint_eq(count("nfs_op"), 3);
  ck_assert_uint_eq(count("nfs_op_errors"), 0);
}
END_TEST

/* fixtures/nfs3-rdma-nconnect2.mountstats, /scratch's second transport:
 * "rdma 0 0 4 2 1 6000 5997 1 12000 2 | 110 210 310 4100 3100 | 5 6 8 9 10 |
 * 11 12 13 129 3 14 0": fields 11-15, 16-20 and 21-27 in three types. */
START_TEST(test_rdma_fields) {
  cfg.report_per_transport = true;
  records_of(NULL, "nfs3-rdma-nconnect2.mountstats");
  const rec_t *r = find("nfs_xprt_rdma", "rdma-1");
  ck_assert_ptr_nonnull(r);
  ck_assert_uint_eq(r->n, 5);
  ck_assert_int_eq(r->v[0].derive, 110);
  ck_assert_int_eq(r->v[4].derive, 3100);
  const rec_t *c = find("nfs_xprt_rdma_copy", "rdma-1");
  ck_assert_uint_eq(c->n, 5);
  ck_assert_int_eq(c->v[0].derive, 5);
  ck_assert_int_eq(c->v[4].derive, 10);
  const rec_t *mr = find("nfs_xprt_rdma_mr", "rdma-1");
  ck_assert_uint_eq(mr->n, 7);
  ck_assert_int_eq(mr->v[0].derive, 11);
  ck_assert_int_eq(mr->v[3].derive, 129);
  ck_assert_int_eq(mr->v[6].derive, 0);
  ck_assert_ptr_null(find("count", "transports")); /* per transport */
}
END_TEST

/* Transports summed by default (with how many), and the type of each
 * value as the table says (nfs_xprt_conn: DERIVE, DERIVE, GAUGE). */
START_TEST(test_transports_summed) {
  records_of(HEADER("/a") "\txprt:\ttcp 700 0 2 0 30 100 100 0 500 0 2 0 5\n"
                          "\txprt:\ttcp 701 0 3 0 40 50 50 0 250 0 3 0 7\n",
             NULL);
  const rec_t *x = find("nfs_xprt", "tcp");
  ck_assert_ptr_nonnull(x);
  ck_assert_uint_eq(x->n, 6);
  ck_assert_int_eq(x->v[1].derive, 150); /* sends 100 + 50 */
  const rec_t *conn = find("nfs_xprt_conn", "tcp");
  ck_assert_int_eq(conn->v[0].derive, 5); /* connect_count 2 + 3 */
  const rec_t *n = find("count", "transports");
  ck_assert(n->v[0].gauge == 2.0);
}
END_TEST

START_TEST(test_derive_twos_complement) {
  ck_assert_int_eq(ms_derive(0), 0);
  ck_assert_int_eq(ms_derive(INT64_MAX), INT64_MAX);
  ck_assert_int_eq(ms_derive((uint64_t)INT64_MAX + 1), INT64_MIN);
  ck_assert_int_eq(ms_derive(UINT64_MAX), -1);
  ck_assert_int_eq(ms_derive(UINT64_MAX - 9), -10);
}
END_TEST

MS_CHECK_MAIN("emit", setup, teardown, test_event_groups, test_ops,
              test_rdma_fields, test_transports_summed,
              test_derive_twos_complement)
