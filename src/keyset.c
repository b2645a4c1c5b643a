/* SPDX-License-Identifier: MIT
 *
 * keyset.c: see keyset.h for the contract.
 */
#include "keyset.h"

#include "sort.h"

#include <errno.h>
#include <stdlib.h>

int ms_keyset_add(ms_keyset_t *s, uint64_t key) {
  if (s->n == s->cap) {
    size_t ncap = s->cap ? s->cap * 2 : 64;
    uint64_t *v = realloc(s->v, ncap * sizeof(*v));
    if (v == NULL)
      return -ENOMEM;
    s->v = v;
    s->cap = ncap;
  }
  s->v[s->n++] = key;
  return 0;
}

static int cmp_u64(const void *a, const void *b, void *ctx) {
  (void)ctx;
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

bool ms_keyset_has(const ms_keyset_t *s, uint64_t key) {
  size_t lo = 0, hi = s->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->v[mid] == key)
      return true;
    if (s->v[mid] < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return false;
}

bool ms_keyset_has_unsorted(const ms_keyset_t *s, uint64_t key) {
  for (size_t k = 0; k < s->n; k++)
    if (s->v[k] == key)
      return true;
  return false;
}

void ms_keyset_rotate(ms_keyset_t *prev, ms_keyset_t *cur) {
  ms_keyset_t t = *prev;
  *prev = *cur;
  *cur = t;
  cur->n = 0;
  ms_sort(prev->v, prev->n, sizeof(*prev->v), cmp_u64, NULL);
}

void ms_keyset_free(ms_keyset_t *s) {
  free(s->v);
  s->v = NULL;
  s->n = s->cap = 0;
}
