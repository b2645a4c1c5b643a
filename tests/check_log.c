/* SPDX-License-Identifier: MIT
 *
 * check_log.c: the collector's log lines (src/log.c): one line with the
 * prefix, cut to its size; a failure of each kind at most once per period,
 * for the last MS_LOG_KINDS kinds; bytes of the input made printable.
 */
#include "check_run.h"
#include "log.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char last[MS_LOG_LINE_MAX + 1];
static int last_level, lines;

static void logger(void *ctx, int level, const char *msg) {
  ck_assert_ptr_eq(ctx, &lines);
  snprintf(last, sizeof(last), "%s", msg);
  last_level = level;
  lines++;
}

START_TEST(test_line) {
  ms_log_t l = {.fn = logger, .ctx = &lines};
  ms_log(&l, MS_LOG_WARNING, MS_LOG_PREFIX "%s line %zu", "/proc/x", (size_t)7);
  ck_assert_str_eq(last, "mountstats plugin: /proc/x line 7");
  ck_assert_int_eq(last_level, MS_LOG_WARNING);
  /* a line longer than collectd's is cut, never overrun */
  char big[2 * MS_LOG_LINE_MAX];
  memset(big, 'y', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  ms_log(&l, MS_LOG_ERR, MS_LOG_PREFIX "%s", big);
  ck_assert_uint_eq(strlen(last), MS_LOG_LINE_MAX - 1);
  ck_assert_int_eq(lines, 2);
}
END_TEST

/* Each kind at most once a minute; kinds apart; a clock that went back
 * counts as the minute gone by. */
START_TEST(test_due_per_kind) {
  ms_log_t l = {.fn = logger};
  ck_assert(ms_log_due(&l, 2, 1000, 60));
  ck_assert(!ms_log_due(&l, 2, 1000, 60));
  ck_assert(!ms_log_due(&l, 2, 1059.9, 60));
  ck_assert(ms_log_due(&l, 5, 1059.9, 60)); /* another kind */
  ck_assert(ms_log_due(&l, 2, 1060, 60));   /* a minute after 1000 */
  ck_assert(!ms_log_due(&l, 2, 1119, 60));  /* counted from 1060 */
  ck_assert(ms_log_due(&l, 2, 900, 60));    /* the clock went back */
  ck_assert(!ms_log_due(&l, 2, 901, 60));
}
END_TEST

/* The last MS_LOG_KINDS kinds are remembered; one more takes the place of
 * the kind logged longest ago, which is then due again. */
START_TEST(test_due_kinds_kept) {
  ms_log_t l = {.fn = logger};
  for (int k = 0; k < MS_LOG_KINDS; k++)
    ck_assert(ms_log_due(&l, 100 + k, 1000 + k, 60));
  for (int k = 0; k < MS_LOG_KINDS; k++)
    ck_assert(!ms_log_due(&l, 100 + k, 1010, 60));
  ck_assert(ms_log_due(&l, 999, 1010, 60)); /* replaces kind 100 */
  ck_assert(!ms_log_due(&l, 101, 1010, 60));
  ck_assert(ms_log_due(&l, 100, 1010, 60)); /* forgotten: due */
}
END_TEST

/* Log lines are bounded, printable, and say when they were cut. */
START_TEST(test_printable) {
  char out[16];
  ms_printable(out, sizeof(out), "ab\tc\\d", 6);
  ck_assert_str_eq(out, "ab\\011c\\134d");
  char line[200];
  memset(line, 'x', sizeof(line));
  line[5] = '\001';
  ms_printable(out, sizeof(out), line, sizeof(line));
  ck_assert_str_eq(out, "xxxxx\\001xxx...");
  ck_assert_uint_eq(strlen(out), 15); /* the whole buffer less the NUL */
  ms_printable(out, sizeof(out), "", 0);
  ck_assert_str_eq(out, "");
  ms_printable(out, sizeof(out), "a\\b", 3);
  ck_assert_str_eq(out, "a\\134b");
}
END_TEST

/* A path of the file: decoded first (\040 is a blank), then printable. */
START_TEST(test_path) {
  char out[64];
  static const char mp[] = "/mnt/my\\040dir\\011x";
  ms_log_path(out, sizeof(out), (ms_span_t){mp, strlen(mp)});
  ck_assert_str_eq(out, "/mnt/my dir\\011x");
  char small[8];
  ms_log_path(small, sizeof(small), (ms_span_t){mp, strlen(mp)});
  ck_assert_str_eq(small, "/mnt..."); /* 4 + "..." + NUL: 8 bytes */
}
END_TEST

MS_CHECK_MAIN("log", NULL, NULL, test_line, test_due_per_kind,
              test_due_kinds_kept, test_printable, test_path)
