/* SPDX-License-Identifier: MIT
 *
 * check_run.h: runs a Check suite the way every tests/check_<unit>.c does
 * (CK_NORMAL: failures printed with file and line, forked per test, so a
 * crash fails one case, not the program). Header only.
 */
#ifndef MOUNTSTATS_CHECK_RUN_H
#define MOUNTSTATS_CHECK_RUN_H

#include <check.h>

/* Runs s (and frees it); returns the number of failed cases. */
static inline int ms_check_run(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed;
}

#endif
