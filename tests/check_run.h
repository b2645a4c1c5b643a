/* SPDX-License-Identifier: MIT
 *
 * check_run.h: runs a Check suite the way every tests/check_<unit>.c does
 * (CK_NORMAL: failures printed with file and line, forked per test, so a
 * crash fails one case, not the program), and builds its cases from lists
 * of tests. Header only.
 */
#ifndef MOUNTSTATS_CHECK_RUN_H
#define MOUNTSTATS_CHECK_RUN_H

#include <check.h>
#include <stddef.h>
#include <stdlib.h>

/* Runs s (and frees it); returns the number of failed cases. */
static inline int ms_check_run(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed;
}

/* Runs s: main's exit status. */
static inline int ms_check_main(Suite *s) {
  return ms_check_run(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Adds to s a case named name with the checked fixture setup and teardown
 * (NULL: none) and the n tests; returns it for loop tests and timeouts. */
static inline TCase *ms_check_case(Suite *s, const char *name, SFun setup,
                                   SFun teardown, const TTest *const *tests,
                                   size_t n) {
  TCase *tc = tcase_create(name);
  if (setup != NULL || teardown != NULL)
    tcase_add_checked_fixture(tc, setup, teardown);
  for (size_t i = 0; i < n; i++)
    tcase_add_test(tc, tests[i]);
  suite_add_tcase(s, tc);
  return tc;
}

/* ms_check_case() with the tests listed: MS_CHECK_CASE(s, "parse", NULL,
 * teardown, test_a, test_b). */
#define MS_CHECK_CASE(s, name, setup, teardown, ...)                           \
  ms_check_case(s, name, setup, teardown, (const TTest *const[]){__VA_ARGS__}, \
                sizeof((const TTest *const[]){__VA_ARGS__}) /                  \
                    sizeof(const TTest *))

/* main() of a program whose suite is one case of the listed tests. */
#define MS_CHECK_MAIN(name, setup, teardown, ...)                              \
  int main(void) {                                                             \
    Suite *s = suite_create(name);                                             \
    MS_CHECK_CASE(s, name, setup, teardown, __VA_ARGS__);                      \
    return ms_check_main(s);                                                   \
  }

#endif
