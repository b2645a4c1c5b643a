/* SPDX-License-Identifier: MIT
 *
 * sort.c: see sort.h for the contract.
 */
#include "sort.h"

#include <string.h>

static void swap(unsigned char *a, unsigned char *b, size_t size) {
  unsigned char tmp[MS_SORT_MAX_ELEM];
  memcpy(tmp, a, size);
  memcpy(a, b, size);
  memcpy(b, tmp, size);
}

/* Restores the max-heap property below root, for a heap of n elements. */
static void sift_down(unsigned char *base, size_t root, size_t n, size_t size,
                      ms_cmp_fn cmp, void *ctx) {
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= n)
      return;
    if (child + 1 < n &&
        cmp(base + child * size, base + (child + 1) * size, ctx) < 0)
      child++;
    if (cmp(base + root * size, base + child * size, ctx) >= 0)
      return;
    swap(base + root * size, base + child * size, size);
    root = child;
  }
}

void ms_sort(void *base, size_t n, size_t size, ms_cmp_fn cmp, void *ctx) {
  unsigned char *b = base;
  if (n < 2 || size == 0 || size > MS_SORT_MAX_ELEM)
    return;
  for (size_t i = n / 2; i-- > 0;)
    sift_down(b, i, n, size, cmp, ctx);
  for (size_t end = n - 1; end > 0; end--) {
    swap(b, b + end * size, size);
    sift_down(b, 0, end, size, cmp, ctx);
  }
}
