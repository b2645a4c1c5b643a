/* SPDX-License-Identifier: MIT
 *
 * check_collector_badinput.c: the collector's log policy for malformed
 * lines over several intervals, through the plugin's read path: at most 10
 * problems and one summary per interval, each problem named once, those
 * left out for lack of room named later (badinput.h).
 */
#include "badinput.h"

#include <string.h>

/* ---- rate limiting over several intervals ---------------------------------
 */

/* 100 distinct problems (distinct op names, so distinct labels), of which
 * the parser keeps MS_MAX_DIAGS = 64. A problem not logged for lack of room
 * is not remembered, so each interval names the next 10 kept ones (in line
 * order) and a summary counts the lines left out (the suppressed kept ones
 * plus the 36 not kept): 90, 80, 70, 60, 50, 40; the 7th names the last 4
 * and says "36 more" (unkept ones exist and a line was logged); then quiet
 * while they persist. Each kept problem is named exactly once, the unkept
 * ones never. (Was a bug: the 54 kept problems left out of the first
 * interval were marked as logged and never named.) */
START_TEST(test_rate_limit_suppressed_named_later) {
  bad_case_t c = {.name = "hundred-bad-lines.mountstats",
                  .gen = gen_hundred_bad};
  const char *path = case_path(&c);
  plugin_start(path);
  size_t named[MS_MAX_DIAGS] = {0};
  for (int r = 1; r <= 9; r++) {
    size_t from = stub_logs_n;
    stub_now += TIME_T_TO_CDTIME_T(10);
    ck_assert_int_eq(mountstats_read(), 0);
    size_t done = (size_t)(r - 1) * 10; /* named before this read */
    size_t remaining = done < MS_MAX_DIAGS ? MS_MAX_DIAGS - done : 0;
    size_t want_lines = remaining < 10 ? remaining : 10;
    size_t left = remaining - want_lines; /* kept, left out for lack of room */
    size_t unkept = 100 - MS_MAX_DIAGS;
    /* The summary's count; 0: no summary. */
    size_t want_summary =
        left > 0 || (unkept > 0 && want_lines > 0) ? left + unkept : 0;
    size_t lines = 0, summaries = 0;
    for (size_t k = from; k < stub_logs_n; k++) {
      const char *t = stub_logs[k].text;
      if (stub_logs[k].severity != LOG_WARNING)
        continue;
      if (is_summary(t)) {
        summaries++;
        char needle[64];
        snprintf(needle, sizeof(needle), ": %zu more malformed lines",
                 want_summary);
        if (want_summary == 0 || strstr(t, needle) == NULL)
          note_fail("read %d: summary \"%s\", want %zu more", r, show(t),
                    want_summary);
        continue;
      }
      lines++;
      size_t n = logged_line(t, path);
      if (n < 4 || n >= 4 + MS_MAX_DIAGS) {
        note_fail("read %d: WARNING names line %zu (not a kept problem): %s", r,
                  n, show(t));
        continue;
      }
      named[n - 4]++;
      if (n - 4 < done || n - 4 >= done + want_lines)
        note_fail("read %d: names line %zu, want lines %zu-%zu", r, n, 4 + done,
                  3 + done + want_lines);
      if (!strstr(t, "(mount \"/hb\")") ||
          !strstr(t, reason_text(MS_DIAG_TOO_FEW_FIELDS)))
        note_fail("read %d: WARNING without mount \"/hb\" or reason: %s", r,
                  show(t));
    }
    if (lines != want_lines || summaries != (want_summary > 0))
      note_fail("read %d: %zu WARNING lines + %zu summaries, want %zu + %d", r,
                lines, summaries, want_lines, want_summary > 0);
  }
  size_t never = 0, twice = 0, first_never = 0;
  for (size_t i = 0; i < MS_MAX_DIAGS; i++) {
    if (named[i] == 0 && never++ == 0)
      first_never = 4 + i;
    twice += named[i] > 1;
  }
  if (never)
    note_fail(
        "%zu of the %d kept problems never named in 9 intervals (first: line "
        "%zu)",
        never, MS_MAX_DIAGS, first_never);
  if (twice)
    note_fail("%zu problems named more than once", twice);
  if (count_sev(LOG_ERR, 0) || count_sev(LOG_NOTICE, 0))
    note_fail("ERROR or NOTICE logged");
  check_log_hygiene("rate limit");
  ASSERT_NO_FAILS("rate limit");
}
END_TEST

int main(void) {
  TCase *tc = badinput_tcase("intervals");
  tcase_add_test(tc, test_rate_limit_suppressed_named_later);
  return badinput_run("collector_badinput", tc);
}
