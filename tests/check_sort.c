/* SPDX-License-Identifier: MIT
 *
 * check_sort.c: the allocation-free heapsort.
 */
#include "check_run.h"
#include "sort.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b, void *ctx) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  (void)ctx;
  return x < y ? -1 : x > y;
}

/* Descending through ctx, to check ctx reaches the comparator. */
static int cmp_u64_dir(const void *a, const void *b, void *ctx) {
  return *(const int *)ctx * cmp_u64(a, b, NULL);
}

typedef struct {
  int key;
  size_t index;
  char pad[12];
} item_t; /* 24+ bytes, like the grouping items */

static int cmp_item(const void *a, const void *b, void *ctx) {
  const item_t *x = a, *y = b;
  (void)ctx;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* Sizes 0..(loop) with random, sorted, reversed and all-equal inputs. */
START_TEST(test_sorts_u64) {
  static const size_t sizes[] = {0, 1, 2, 3, 7, 64, 1000, 4097};
  size_t n = sizes[_i % 8];
  int shape = _i / 8;
  uint64_t *v = malloc((n + 1) * sizeof(*v));
  uint64_t *ref = malloc((n + 1) * sizeof(*ref));
  for (size_t i = 0; i < n; i++) {
    switch (shape) {
    case 0:
      v[i] = next_rand() % 100; /* many duplicates */
      break;
    case 1:
      v[i] = i;
      break;
    case 2:
      v[i] = n - i;
      break;
    default:
      v[i] = 42;
    }
    ref[i] = v[i];
  }
  ms_sort(v, n, sizeof(*v), cmp_u64, NULL);
  /* Sorted, and the same multiset: counting sort of the reference. */
  for (size_t i = 1; i < n; i++)
    ck_assert_uint_le(v[i - 1], v[i]);
  uint64_t sum_v = 0, sum_r = 0, xor_v = 0, xor_r = 0;
  for (size_t i = 0; i < n; i++) {
    sum_v += v[i] * 2654435761u;
    sum_r += ref[i] * 2654435761u;
    xor_v ^= v[i] * 0x9e3779b97f4a7c15ull;
    xor_r ^= ref[i] * 0x9e3779b97f4a7c15ull;
  }
  ck_assert_uint_eq(sum_v, sum_r);
  ck_assert_uint_eq(xor_v, xor_r);
  free(v);
  free(ref);
}
END_TEST

START_TEST(test_ctx_and_struct_elements) {
  uint64_t v[] = {5, 1, 4, 2, 3};
  int desc = -1;
  ms_sort(v, 5, sizeof(v[0]), cmp_u64_dir, &desc);
  for (int i = 0; i < 5; i++)
    ck_assert_uint_eq(v[i], (uint64_t)(5 - i));

  item_t items[200];
  for (size_t i = 0; i < 200; i++)
    items[i] = (item_t){.key = (int)(next_rand() % 7), .index = i};
  ms_sort(items, 200, sizeof(items[0]), cmp_item, NULL);
  for (size_t i = 1; i < 200; i++) {
    ck_assert_int_le(items[i - 1].key, items[i].key);
    if (items[i - 1].key == items[i].key)
      ck_assert_uint_lt(items[i - 1].index, items[i].index);
  }
}
END_TEST

START_TEST(test_oversized_elements_untouched) {
  unsigned char big[2][MS_SORT_MAX_ELEM + 1];
  memset(big[0], 9, sizeof(big[0]));
  memset(big[1], 1, sizeof(big[1]));
  ms_sort(big, 2, sizeof(big[0]), cmp_u64, NULL);
  ck_assert_uint_eq(big[0][0], 9); /* refused, not sorted */
}
END_TEST

int main(void) {
  Suite *s = suite_create("sort");
  TCase *tc = MS_CHECK_CASE(s, "sort", NULL, NULL, test_ctx_and_struct_elements,
                            test_oversized_elements_untouched);
  tcase_add_loop_test(tc, test_sorts_u64, 0, 32);
  return ms_check_main(s);
}
