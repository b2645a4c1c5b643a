/* SPDX-License-Identifier: MIT
 *
 * check_keyset.c: the log-once sets (src/keyset.c): a key seen this
 * interval is known the next one, and forgotten after an interval without
 * it.
 */
#include "check_run.h"
#include "keyset.h"

#include <check.h>
#include <stdlib.h>

START_TEST(test_keyset_rotation) {
  ms_keyset_t prev = {0}, cur = {0};
  ck_assert_int_eq(ms_keyset_add(&cur, 7), 0);
  ck_assert_int_eq(ms_keyset_add(&cur, 3), 0);
  ck_assert(ms_keyset_has_unsorted(&cur, 7));
  ck_assert(!ms_keyset_has_unsorted(&cur, 5));
  ck_assert(!ms_keyset_has(&prev, 7));
  ms_keyset_rotate(&prev, &cur); /* next interval */
  ck_assert(ms_keyset_has(&prev, 3));
  ck_assert(ms_keyset_has(&prev, 7));
  ck_assert(!ms_keyset_has_unsorted(&cur, 7)); /* cur starts empty */
  ck_assert_int_eq(ms_keyset_add(&cur, 7), 0);
  ms_keyset_rotate(&prev, &cur);
  ck_assert(ms_keyset_has(&prev, 7));
  ck_assert(!ms_keyset_has(&prev, 3)); /* not seen: forgotten */
  ms_keyset_free(&prev);
  ms_keyset_free(&cur);
}
END_TEST

MS_CHECK_MAIN("keyset", NULL, NULL, test_keyset_rotation)
