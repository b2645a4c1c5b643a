/* SPDX-License-Identifier: MIT
 *
 * check_iostat.c: nfsiostat's averages from two reads (src/iostat.c).
 *
 * The expected values are worked out by hand from fixtures/iostat/t0 and t1
 * (10 s apart) in the comments next to each assertion.
 */
#include "check_run.h"
#include "iostat.h"
#include "mountstats.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *text;
  size_t len;
  ms_snapshot_t snap;
} read_t;

static char *load(const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/iostat/%s", FIXTURES_DIR, name);
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  static char buf[65536];
  *len = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  char *copy = malloc(*len + 1);
  memcpy(copy, buf, *len);
  return copy;
}

static void read_fixture(read_t *r, const char *name) {
  r->text = load(name, &r->len);
  memset(&r->snap, 0, sizeof(r->snap));
  ck_assert_int_eq(ms_parse(&r->snap, r->text, r->len), 0);
  ck_assert_uint_eq(r->snap.nmounts, 1);
}

/* The same text with a substitution, for remount and backwards cases. */
static void read_edited(read_t *r, const char *name, const char *from,
                        const char *to) {
  size_t len;
  char *text = load(name, &len);
  char *at = strstr(text, from);
  ck_assert_ptr_nonnull(at);
  size_t fl = strlen(from), tl = strlen(to);
  r->text = malloc(len - fl + tl + 1);
  size_t pre = (size_t)(at - text);
  memcpy(r->text, text, pre);
  memcpy(r->text + pre, to, tl);
  memcpy(r->text + pre + tl, at + fl, len - pre - fl);
  r->len = len - fl + tl;
  free(text);
  memset(&r->snap, 0, sizeof(r->snap));
  ck_assert_int_eq(ms_parse(&r->snap, r->text, r->len), 0);
}

static void read_free(read_t *r) {
  ms_snapshot_free(&r->snap);
  free(r->text);
}

static ms_iostat_table_t table;
static ms_op_avg_t avg[16];
static unsigned char has[16];
static ms_mount_rate_t rate;

static int update(read_t *r, uint64_t key, double now) {
  return ms_iostat_update(&table, key, now, &r->snap, 0, avg, has, &rate);
}

static void teardown(void) { ms_iostat_free(&table); }

#define EQ(a, b)                                                               \
  ck_assert_msg(fabs((a) - (b)) < 1e-9, "%s = %.9g, want %.9g", #a,            \
                (double)(a), (double)(b))

/* Ops in fixture order: GETATTR, LOOKUP, READ, WRITE. */
enum { GETATTR, LOOKUP, READ, WRITE };

START_TEST(test_averages_by_hand) {
  read_t t0, t1;
  read_fixture(&t0, "t0.mountstats");
  read_fixture(&t1, "t1.mountstats");
  ms_iostat_begin(&table);
  ck_assert_int_eq(update(&t0, 7, 100.0), MS_IOSTAT_BASELINE);
  ms_iostat_end(&table);
  ms_iostat_begin(&table);
  ck_assert_int_eq(update(&t1, 7, 110.0), MS_IOSTAT_VALUES);
  ms_iostat_end(&table);

  /* GETATTR did not move: no value (not 0). */
  ck_assert_int_eq(has[GETATTR], 0);

  /* READ: ops 100 -> 140 (40), trans 100 -> 140, timeouts 0,
   * sent 12800 -> 17920 (5120), recv 409600 -> 573440 (163840),
   * queue 10 -> 14 (4), rtt 200 -> 300 (100), exec 220 -> 328 (108). */
  ck_assert_int_eq(has[READ], 1);
  EQ(avg[READ].queue_ms, 4.0 / 40);  /* 0.1 */
  EQ(avg[READ].rtt_ms, 100.0 / 40);  /* 2.5 */
  EQ(avg[READ].exec_ms, 108.0 / 40); /* 2.7 */
  EQ(avg[READ].kb_sent, 0.125);      /* 5120 / 1024 / 40 */
  EQ(avg[READ].kb_recv, 4.0);        /* 163840 / 1024 / 40 */
  EQ(avg[READ].retrans_pct, 0.0);
  EQ(avg[READ].timeouts, 0.0);

  /* WRITE: ops 50 -> 70 (20), trans 52 -> 76 (24), timeouts 1 -> 3 (2),
   * sent 204800 -> 307200 (102400), recv 6400 -> 8960 (2560),
   * queue 5 -> 9 (4), rtt 150 -> 250 (100), exec 180 -> 300 (120). */
  ck_assert_int_eq(has[WRITE], 1);
  EQ(avg[WRITE].queue_ms, 0.2);     /* 4 / 20 */
  EQ(avg[WRITE].rtt_ms, 5.0);       /* 100 / 20 */
  EQ(avg[WRITE].exec_ms, 6.0);      /* 120 / 20 */
  EQ(avg[WRITE].kb_sent, 5.0);      /* 102400 / 1024 / 20 */
  EQ(avg[WRITE].kb_recv, 0.125);    /* 2560 / 1024 / 20 */
  EQ(avg[WRITE].retrans_pct, 20.0); /* (24 - 20) / 20 */
  EQ(avg[WRITE].timeouts, 0.2);     /* 2 in 10 s */

  /* LOOKUP: first used in this interval: ops 0 -> 5, sent 600, recv 1000,
   * rtt 4, exec 5. */
  ck_assert_int_eq(has[LOOKUP], 1);
  EQ(avg[LOOKUP].rtt_ms, 0.8);
  EQ(avg[LOOKUP].exec_ms, 1.0);
  EQ(avg[LOOKUP].kb_sent, 600.0 / 1024 / 5);
  EQ(avg[LOOKUP].kb_recv, 1000.0 / 1024 / 5);

  /* Mount: READ 40 ops in 10 s; (5120 + 163840) / 1024 = 165 kB in 10 s.
   * WRITE 20 ops; (102400 + 2560) / 1024 = 102.5 kB. xprt sends
   * 500 + 300 -> 560 + 340: 100 in 10 s. */
  EQ(rate.read_ops, 4.0);
  EQ(rate.read_kb, 16.5);
  EQ(rate.write_ops, 2.0);
  EQ(rate.write_kb, 10.25);
  ck_assert_int_eq(rate.have_ops, 1);
  EQ(rate.ops, 10.0);
  read_free(&t0);
  read_free(&t1);
}
END_TEST

/* A remount: age drops and counters restart. No value that interval, and
 * the next interval compares with the remounted sample, never the old one. */
START_TEST(test_remount_age_drops) {
  read_t t0, re, t1;
  read_fixture(&t0, "t0.mountstats");
  read_edited(&re, "t0.mountstats", "\tage:\t1000\n", "\tage:\t3\n");
  read_fixture(&t1, "t1.mountstats");
  ms_iostat_begin(&table);
  update(&t0, 7, 100.0);
  ms_iostat_end(&table);
  ms_iostat_begin(&table);
  ck_assert_int_eq(update(&re, 7, 110.0), MS_IOSTAT_RESET);
  ms_iostat_end(&table);
  /* t1 (age 1010) 10 s after a mount aged 3: its age ran ahead of the
   * clock by 997 s, so it is another superblock: reset again. */
  ms_iostat_begin(&table);
  ck_assert_int_eq(update(&t1, 7, 120.0), MS_IOSTAT_RESET);
  ms_iostat_end(&table);
  read_free(&t0);
  read_free(&re);
  read_free(&t1);
}
END_TEST

/* A counter that goes backwards with a plausible age (a remount within the
 * same second, or a 32-bit counter wrap): no value, fresh baseline. */
START_TEST(test_counter_backwards) {
  read_t t0, back, t1;
  read_fixture(&t0, "t0.mountstats");
  read_edited(&back, "t1.mountstats", "READ: 140 140", "READ: 90 140");
  read_fixture(&t1, "t1.mountstats");
  ms_iostat_begin(&table);
  update(&t0, 7, 100.0);
  ms_iostat_end(&table);
  ms_iostat_begin(&table);
  ck_assert_int_eq(update(&back, 7, 110.0), MS_IOSTAT_RESET);
  ms_iostat_end(&table);
  /* Then t1 at 111 s, age 1010 vs 1010: READ 90 -> 140 (50 ops),
   * rtt 300 -> 300: 0 ms. The baseline is the backwards sample. */
  ms_iostat_begin(&table);
  ck_assert_int_eq(update(&t1, 7, 111.0), MS_IOSTAT_VALUES);
  ms_iostat_end(&table);
  ck_assert_int_eq(has[READ], 1);
  EQ(avg[READ].rtt_ms, 0.0);
  EQ(rate.read_ops, 50.0);
  read_free(&t0);
  read_free(&back);
  read_free(&t1);
}
END_TEST

/* Two reads at the same instant (or a clock step back): no division. */
START_TEST(test_no_time_passed) {
  read_t t0, t1;
  read_fixture(&t0, "t0.mountstats");
  read_fixture(&t1, "t1.mountstats");
  ms_iostat_begin(&table);
  update(&t0, 7, 100.0);
  ms_iostat_end(&table);
  ms_iostat_begin(&table);
  ck_assert_int_eq(update(&t1, 7, 100.0), MS_IOSTAT_RESET);
  ms_iostat_end(&table);
  read_free(&t0);
  read_free(&t1);
}
END_TEST

/* Another key (another name, device or superblock) never sees this one's
 * sample; a mount that goes away is forgotten and starts over. */
/* The sample table's record i. */
static const ms_iostat_entry_t *sample(size_t i) {
  return ms_keytab_at(&table.samples, sizeof(ms_iostat_entry_t), i);
}

START_TEST(test_keys_and_forgetting) {
  read_t t0, t1;
  read_fixture(&t0, "t0.mountstats");
  read_fixture(&t1, "t1.mountstats");
  ms_iostat_begin(&table);
  update(&t0, 7, 100.0);
  ms_iostat_end(&table);
  ck_assert_uint_eq(table.samples.count, 1);

  ms_iostat_begin(&table);
  ck_assert_int_eq(update(&t1, 8, 110.0), MS_IOSTAT_BASELINE);
  ms_iostat_end(&table);
  /* Key 7 was not seen in that interval: freed. */
  ck_assert_uint_eq(table.samples.count, 1);
  ck_assert_uint_eq(sample(0)->key, 8);

  ms_iostat_begin(&table);
  ck_assert_int_eq(update(&t1, 7, 120.0), MS_IOSTAT_BASELINE);
  ms_iostat_end(&table);
  read_free(&t0);
  read_free(&t1);
}
END_TEST

/* Many mounts in varying order across intervals: each key keeps its own
 * sample (the table stays sorted through appends and removals). */
START_TEST(test_many_keys) {
  read_t t0, t1;
  read_fixture(&t0, "t0.mountstats");
  read_fixture(&t1, "t1.mountstats");
  ms_iostat_begin(&table);
  for (uint64_t k = 1000; k > 0; k--) {
    ck_assert_int_eq(update(&t0, k * 7919, 100.0), MS_IOSTAT_BASELINE);
  }
  ms_iostat_end(&table);
  ck_assert_uint_eq(table.samples.count, 1000);
  ms_iostat_begin(&table);
  for (uint64_t k = 1; k <= 1000; k += 2) /* every other mount stays */
    ck_assert_int_eq(update(&t1, k * 7919, 110.0), MS_IOSTAT_VALUES);
  ms_iostat_end(&table);
  ck_assert_uint_eq(table.samples.count, 500);
  for (size_t i = 1; i < table.samples.count; i++)
    ck_assert_uint_lt(sample(i - 1)->key, sample(i)->key);
  read_free(&t0);
  read_free(&t1);
}
END_TEST

/* Without an xprt line there is no ops/s (NaN in the plugin), the rest is
 * computed. */
START_TEST(test_no_transport) {
  read_t t0, t1;
  read_edited(&t0, "t0.mountstats",
              "\txprt:\ttcp 0 0 1 0 2 500 500 0 0 0 4 0 0\n"
              "\txprt:\ttcp 0 0 1 0 2 300 300 0 0 0 4 0 0\n",
              "");
  read_edited(&t1, "t1.mountstats",
              "\txprt:\ttcp 0 0 1 0 2 560 560 0 0 0 4 0 0\n"
              "\txprt:\ttcp 0 0 1 0 2 340 340 0 0 0 4 0 0\n",
              "");
  ms_iostat_begin(&table);
  update(&t0, 7, 100.0);
  ms_iostat_end(&table);
  ms_iostat_begin(&table);
  ck_assert_int_eq(update(&t1, 7, 110.0), MS_IOSTAT_VALUES);
  ms_iostat_end(&table);
  ck_assert_int_eq(rate.have_ops, 0);
  EQ(rate.read_ops, 4.0);
  read_free(&t0);
  read_free(&t1);
}
END_TEST

MS_CHECK_MAIN("iostat", NULL, teardown, test_averages_by_hand,
              test_remount_age_drops, test_counter_backwards,
              test_no_time_passed, test_keys_and_forgetting, test_many_keys,
              test_no_transport)
