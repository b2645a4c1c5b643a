/* SPDX-License-Identifier: MIT
 *
 * keyset.c: see keyset.h for the contract.
 */
#include "keyset.h"

#include "sort.h"

#include <errno.h>
#include <stdlib.h>

int ms_keyset_add(ms_keyset_t *s, uint64_t key) {
  if (s->count_ == s->cap_) {
    size_t ncap = s->cap_ ? s->cap_ * 2 : 64;
    uint64_t *v = realloc(s->keys_, ncap * sizeof(*v));
    if (v == NULL)
      return -ENOMEM;
    s->keys_ = v;
    s->cap_ = ncap;
  }
  s->keys_[s->count_++] = key;
  return 0;
}

static int cmp_u64(const void *a, const void *b, void *ctx) {
  (void)ctx;
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

bool ms_keyset_has(const ms_keyset_t *s, uint64_t key) {
  size_t lo = 0, hi = s->count_;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->keys_[mid] == key)
      return true;
    if (s->keys_[mid] < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return false;
}

bool ms_keyset_has_unsorted(const ms_keyset_t *s, uint64_t key) {
  for (size_t k = 0; k < s->count_; k++)
    if (s->keys_[k] == key)
      return true;
  return false;
}

void ms_keyset_rotate(ms_keyset_t *prev, ms_keyset_t *cur) {
  ms_keyset_t t = *prev;
  *prev = *cur;
  *cur = t;
  cur->count_ = 0;
  ms_sort(prev->keys_, prev->count_, sizeof(*prev->keys_), cmp_u64, NULL);
}

void ms_keyset_free(ms_keyset_t *s) {
  free(s->keys_);
  s->keys_ = NULL;
  s->count_ = s->cap_ = 0;
}
