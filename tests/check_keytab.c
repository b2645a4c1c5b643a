/* SPDX-License-Identifier: MIT
 *
 * check_keytab.c: the keyed table (src/keytab.c) that the log-once sets,
 * ReportStall's state and ReportIostat's samples are made of: appending,
 * the two parts a search looks in, sorting, filtering.
 */
#include "check_run.h"
#include "keytab.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

/* A caller's record: its key first. */
typedef struct {
  uint64_t key;
  int value;
  int *owned; /* released when the record is dropped */
} rec_t;

#define SIZE sizeof(rec_t)

static ms_keytab_t T;

static void teardown(void) { ms_keytab_free(&T); }

static rec_t *add(uint64_t key, int value) {
  rec_t *r = ms_keytab_append(&T, SIZE, key);
  ck_assert_ptr_nonnull(r);
  r->value = value;
  return r;
}

static rec_t *at(size_t i) { return ms_keytab_at(&T, SIZE, i); }

START_TEST(test_append_zeroes_and_keys) {
  rec_t *r = ms_keytab_append(&T, SIZE, 42);
  ck_assert_ptr_nonnull(r);
  ck_assert_uint_eq(r->key, 42);
  ck_assert_int_eq(r->value, 0);
  ck_assert_ptr_null(r->owned);
  ck_assert_uint_eq(T.count, 1);
  ck_assert(!ms_keytab_is_sorted(&T)); /* appended since the last sort */
}
END_TEST

/* Appended records are found only among the new ones until a sort, then
 * only in the sorted part. */
START_TEST(test_two_parts) {
  add(30, 3);
  add(10, 1);
  add(20, 2);
  ck_assert_ptr_null(ms_keytab_find_sorted(&T, SIZE, 10));
  rec_t *r = ms_keytab_find_new(&T, SIZE, 10);
  ck_assert_ptr_nonnull(r);
  ck_assert_int_eq(r->value, 1);
  ck_assert_ptr_eq(ms_keytab_find(&T, SIZE, 10), r);

  ms_keytab_sort(&T, SIZE);
  ck_assert(ms_keytab_is_sorted(&T));
  ck_assert_uint_eq(at(0)->key, 10);
  ck_assert_uint_eq(at(1)->key, 20);
  ck_assert_uint_eq(at(2)->key, 30);
  ck_assert_ptr_null(ms_keytab_find_new(&T, SIZE, 20));
  ck_assert_int_eq(((rec_t *)ms_keytab_find_sorted(&T, SIZE, 20))->value, 2);

  add(5, 9); /* after the sorted part */
  ck_assert_ptr_eq(ms_keytab_find(&T, SIZE, 5), at(3));
  ck_assert_ptr_null(ms_keytab_find_sorted(&T, SIZE, 5));
  ck_assert_ptr_null(ms_keytab_find(&T, SIZE, 7));
  ck_assert_ptr_null(ms_keytab_find(&T, SIZE, UINT64_MAX));
}
END_TEST

/* Past the first 64 records the array grows; every key is still found. */
START_TEST(test_growth) {
  for (uint64_t k = 0; k < 1000; k++)
    add(k * 7919 % 1009, (int)k);
  ck_assert_uint_eq(T.count, 1000);
  ms_keytab_sort(&T, SIZE);
  for (size_t i = 1; i < T.count; i++)
    ck_assert_uint_lt(at(i - 1)->key, at(i)->key);
  for (uint64_t k = 0; k < 1000; k++) {
    rec_t *r = ms_keytab_find(&T, SIZE, k * 7919 % 1009);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->value, (int)k);
  }
}
END_TEST

static bool keep_even(void *record, void *ctx) {
  rec_t *r = record;
  int *dropped = ctx;
  if (r->value % 2 == 0)
    return true;
  free(r->owned);
  (*dropped)++;
  return false;
}

/* Filtering keeps the order of what stays and sorts only when records
 * were appended since the last sort. */
START_TEST(test_filter) {
  add(40, 0)->owned = NULL;
  add(10, 1)->owned = malloc(sizeof(int));
  add(30, 2);
  add(20, 3)->owned = malloc(sizeof(int));
  int dropped = 0;
  ms_keytab_filter(&T, SIZE, keep_even, &dropped);
  ck_assert_int_eq(dropped, 2);
  ck_assert_uint_eq(T.count, 2);
  ck_assert(ms_keytab_is_sorted(&T));
  ck_assert_uint_eq(at(0)->key, 30); /* sorted: new records were there */
  ck_assert_uint_eq(at(1)->key, 40);

  /* Nothing new: the sorted order stays as it is, no sort needed. */
  at(0)->value = 4;
  ms_keytab_filter(&T, SIZE, keep_even, &dropped);
  ck_assert_uint_eq(T.count, 2);
  ck_assert_uint_eq(at(0)->key, 30);
  ck_assert_uint_eq(at(1)->key, 40);
  ck_assert(ms_keytab_find_sorted(&T, SIZE, 40) != NULL);
}
END_TEST

START_TEST(test_clear_and_swap) {
  add(1, 1);
  add(2, 2);
  ms_keytab_t other = {0};
  ck_assert_ptr_nonnull(ms_keytab_append(&other, SIZE, 3));
  ms_keytab_swap(&T, &other);
  ck_assert_uint_eq(T.count, 1);
  ck_assert_uint_eq(other.count, 2);
  ck_assert_ptr_nonnull(ms_keytab_find(&other, SIZE, 2));
  void *mem = other.items;
  ms_keytab_clear(&other);
  ck_assert_uint_eq(other.count, 0);
  ck_assert(ms_keytab_is_sorted(&other));
  ck_assert_ptr_null(ms_keytab_find(&other, SIZE, 2));
  ck_assert_ptr_nonnull(ms_keytab_append(&other, SIZE, 9));
  ck_assert_ptr_eq(other.items, mem); /* the memory is kept */
  ms_keytab_free(&other);
  ck_assert_ptr_null(other.items);
}
END_TEST

MS_CHECK_MAIN("keytab", NULL, teardown, test_append_zeroes_and_keys,
              test_two_parts, test_growth, test_filter, test_clear_and_swap)
