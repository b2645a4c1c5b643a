/* SPDX-License-Identifier: MIT
 *
 * check_metrics.c: the metric contract as data (src/metrics.c): the
 * kernel's counter names against its enums, and the table of types against
 * plugin/mountstats.types.db.
 */
#include "check_run.h"
#include "metrics.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the kernel's counter names ---- */

START_TEST(test_event_names) {
  /* The kernel's enum nfs_stat_eventcounters (MOUNTSTATS-FORMAT.md 4.2),
   * without the NFSIOS_ prefix: each name, lower case and without '_', must
   * spell the enum name. */
  static const char *const kernel[MS_EVENTS_NAMED] = {
      "INODEREVALIDATE", "DENTRYREVALIDATE", "DATAINVALIDATE", "ATTRINVALIDATE",
      "VFSOPEN",         "VFSLOOKUP",        "VFSACCESS",      "VFSUPDATEPAGE",
      "VFSREADPAGE",     "VFSREADPAGES",     "VFSWRITEPAGE",   "VFSWRITEPAGES",
      "VFSGETDENTS",     "VFSSETATTR",       "VFSFLUSH",       "VFSFSYNC",
      "VFSLOCK",         "VFSRELEASE",       "CONGESTIONWAIT", "SETATTRTRUNC",
      "EXTENDWRITE",     "SILLYRENAME",      "SHORTREAD",      "SHORTWRITE",
      "DELAY",           "PNFS_READ",        "PNFS_WRITE"};
  for (unsigned i = 0; i < MS_EVENTS_NAMED; i++) {
    const char *n = ms_event_name(i);
    ck_assert_msg(n != NULL, "event %u has no name", i);
    char a[64] = "", b[64] = "";
    size_t k = 0;
    for (const char *p = n; *p && k < sizeof(a) - 1; p++) {
      ck_assert_msg((*p >= 'a' && *p <= 'z') || *p == '_',
                    "event name %s is not [a-z_]", n);
      if (*p != '_')
        a[k++] = *p;
    }
    k = 0;
    for (const char *p = kernel[i]; *p; p++)
      if (*p != '_')
        b[k++] = (char)(*p - 'A' + 'a');
    ck_assert_msg(strcmp(a, b) == 0, "event %u is %s, kernel NFSIOS_%s", i, n,
                  kernel[i]);
  }
  ck_assert_str_eq(ms_event_name(0), "inode_revalidate");
  ck_assert_ptr_null(ms_event_name(MS_EVENTS_NAMED));
  ck_assert_ptr_null(ms_event_name(1000));
}
END_TEST

START_TEST(test_bytes_names) {
  /* enum nfs_stat_bytecounters (MOUNTSTATS-FORMAT.md 4.1). */
  static const char *const words[MS_BYTES_COUNT][2] = {
      {"normal", "read"},  {"normal", "write"}, {"direct", "read"},
      {"direct", "write"}, {"server", "read"},  {"server", "write"},
      {"read", "pages"},   {"write", "pages"}};
  for (unsigned i = 0; i < MS_BYTES_COUNT; i++) {
    const char *n = ms_bytes_name(i);
    ck_assert_msg(n != NULL, "bytes %u has no name", i);
    ck_assert_msg(
        strstr(n, words[i][0]) != NULL && strstr(n, words[i][1]) != NULL,
        "bytes %u is %s, expected %s and %s", i, n, words[i][0], words[i][1]);
    for (unsigned k = 0; k < i; k++)
      ck_assert_str_ne(n, ms_bytes_name(k));
  }
  ck_assert_str_eq(ms_bytes_name(0), "normal_read");
  ck_assert_ptr_null(ms_bytes_name(MS_BYTES_COUNT));
}
END_TEST

/* ---- the contract ---- */

/* Every registered type of src/metrics.c is a line of
 * plugin/mountstats.types.db with the same data sources, and the other way
 * round. */
START_TEST(test_contract_equals_types_db) {
  FILE *f = fopen(TYPES_DB, "r");
  ck_assert_ptr_nonnull(f);
  char line[4096];
  size_t lines = 0;
  while (fgets(line, sizeof(line), f) != NULL) {
    if (line[0] == '#' || line[0] == '\n')
      continue;
    char *save = NULL;
    const char *name = strtok_r(line, " \t\n", &save);
    const ms_metric_type_t *t = ms_metric_find(name);
    ck_assert_msg(t != NULL && !t->stock, "%s", name);
    ck_assert_ptr_eq(t, &ms_metric_types[lines]); /* same order */
    size_t k = 0;
    for (char *tok = strtok_r(NULL, ", \t\n", &save); tok != NULL;
         tok = strtok_r(NULL, ", \t\n", &save), k++) {
      char ds[64], kind[16], min[32], max[32];
      ck_assert_int_eq(
          sscanf(tok, "%63[^:]:%15[^:]:%31[^:]:%31s", ds, kind, min, max), 4);
      ck_assert_uint_lt(k, t->ds_num);
      ck_assert_str_eq(t->ds_names[k], ds);
      ck_assert_str_eq(kind, ms_metric_is_gauge(t, k) ? "GAUGE" : "DERIVE");
      double m = ms_metric_min(t, k);
      if (strcmp(min, "U") == 0)
        ck_assert(isnan(m));
      else
        ck_assert(m == atof(min));
      ck_assert_str_eq(max, "U");
    }
    ck_assert_uint_eq(k, t->ds_num);
    lines++;
  }
  fclose(f);
  size_t registered = 0;
  for (size_t i = 0; i < MS_TYPES_NUM; i++)
    registered += !ms_metric_types[i].stock;
  ck_assert_uint_eq(lines, registered);
  for (size_t i = 0; i < MS_TYPES_NUM; i++)
    ck_assert_uint_le(ms_metric_types[i].ds_num, 8);
}
END_TEST

/* Types made of consecutive kernel counters cover their line in order:
 * the five event groups the 27 events, the three RDMA types the 17 RDMA
 * fields; the per-op types the 8 counters and the error count after. */
START_TEST(test_counter_ranges) {
  unsigned next = 0;
  for (int t = MS_TYPE_EVENTS_FIRST; t <= MS_TYPE_EVENTS_LAST; t++) {
    ck_assert_uint_eq(ms_metric_types[t].first, next);
    ck_assert_ptr_eq(ms_metric_types[t].ds_names, ms_event_names + next);
    next += (unsigned)ms_metric_types[t].ds_num;
  }
  ck_assert_uint_eq(next, MS_EVENTS_NAMED);
  static const enum ms_metric_type_id rdma[] = {MS_TYPE_NFS_XPRT_RDMA,
                                                MS_TYPE_NFS_XPRT_RDMA_COPY,
                                                MS_TYPE_NFS_XPRT_RDMA_MR};
  next = 0;
  for (size_t i = 0; i < 3; i++) {
    ck_assert_uint_eq(ms_metric_types[rdma[i]].first, next);
    next += (unsigned)ms_metric_types[rdma[i]].ds_num;
  }
  ck_assert_uint_eq(next, 17); /* rdma fields 11..27 */
  const ms_metric_type_t *op = &ms_metric_types[MS_TYPE_NFS_OP];
  const ms_metric_type_t *err = &ms_metric_types[MS_TYPE_NFS_OP_ERRORS];
  ck_assert_uint_eq(op->first, MS_OP_OPS);
  ck_assert_uint_eq(op->ds_num, MS_OP_MIN_FIELDS);
  ck_assert_uint_eq(err->first, MS_OP_ERRORS);
  ck_assert_uint_eq(err->first + err->ds_num, MS_OP_FIELDS);
  ck_assert_uint_eq(ms_metric_types[MS_TYPE_NFS_BYTES].ds_num, MS_BYTES_COUNT);
  ck_assert_uint_eq(ms_metric_types[MS_TYPE_NFS_FSCACHE].ds_num, MS_FSC_COUNT);
}
END_TEST

MS_CHECK_MAIN("metrics", NULL, NULL, test_event_names, test_bytes_names,
              test_contract_equals_types_db, test_counter_ranges)
