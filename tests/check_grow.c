/* SPDX-License-Identifier: MIT
 *
 * check_grow.c: how the collector's arrays grow (src/grow.h): from 64
 * entries, doubling until the need fits, never shrinking.
 */
#include "check_run.h"
#include "grow.h"

#include <check.h>

START_TEST(test_grow_cap) {
  ck_assert_uint_eq(ms_grow_cap(0, 0), 64);
  ck_assert_uint_eq(ms_grow_cap(0, 1), 64);
  ck_assert_uint_eq(ms_grow_cap(0, 64), 64);
  ck_assert_uint_eq(ms_grow_cap(0, 65), 128);
  ck_assert_uint_eq(ms_grow_cap(0, 1000), 1024);
  ck_assert_uint_eq(ms_grow_cap(64, 65), 128);
  ck_assert_uint_eq(ms_grow_cap(128, 5000), 8192);
  ck_assert_uint_eq(ms_grow_cap(256, 10), 256); /* room enough: kept */
  ck_assert_uint_eq(ms_grow_cap(3, 4), 6);      /* any start doubles */
}
END_TEST

MS_CHECK_MAIN("grow", NULL, NULL, test_grow_cap)
