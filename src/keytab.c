/* SPDX-License-Identifier: MIT
 *
 * keytab.c: see keytab.h for the contract.
 */
#include "keytab.h"

#include "grow.h"

#include <stdlib.h>
#include <string.h>

static uint64_t key_of(const void *record) {
  uint64_t key;
  memcpy(&key, record, sizeof(key));
  return key;
}

void *ms_keytab_append(ms_keytab_t *t, size_t size, uint64_t key) {
  if (t->count == t->cap_) {
    size_t ncap = ms_grow_cap(t->cap_, t->count + 1);
    void *grown = realloc(t->items, ncap * size);
    if (grown == NULL)
      return NULL;
    t->items = grown;
    t->cap_ = ncap;
  }
  void *r = ms_keytab_at(t, size, t->count++);
  memset(r, 0, size);
  memcpy(r, &key, sizeof(key));
  return r;
}

void *ms_keytab_find_sorted(const ms_keytab_t *t, size_t size, uint64_t key) {
  size_t lo = 0, hi = t->sorted_;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    void *r = ms_keytab_at(t, size, mid);
    uint64_t k = key_of(r);
    if (k == key)
      return r;
    if (k < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

void *ms_keytab_find_new(const ms_keytab_t *t, size_t size, uint64_t key) {
  for (size_t i = t->sorted_; i < t->count; i++) {
    void *r = ms_keytab_at(t, size, i);
    if (key_of(r) == key)
      return r;
  }
  return NULL;
}

void *ms_keytab_find(const ms_keytab_t *t, size_t size, uint64_t key) {
  void *r = ms_keytab_find_sorted(t, size, key);
  return r != NULL ? r : ms_keytab_find_new(t, size, key);
}

static int cmp_key(const void *a, const void *b, void *ctx) {
  (void)ctx;
  uint64_t x = key_of(a), y = key_of(b);
  return x < y ? -1 : x > y;
}

void ms_keytab_sort(ms_keytab_t *t, size_t size) {
  ms_sort(t->items, t->count, size, cmp_key, NULL);
  t->sorted_ = t->count;
}

void ms_keytab_filter(ms_keytab_t *t, size_t size,
                      bool (*keep)(void *record, void *ctx), void *ctx) {
  bool has_new = !ms_keytab_is_sorted(t);
  size_t kept = 0;
  for (size_t i = 0; i < t->count; i++) {
    void *r = ms_keytab_at(t, size, i);
    if (!keep(r, ctx))
      continue;
    if (kept != i)
      memcpy(ms_keytab_at(t, size, kept), r, size);
    kept++;
  }
  /* Compaction keeps the order: a sorted table stays sorted. */
  t->count = t->sorted_ = kept;
  if (has_new)
    ms_keytab_sort(t, size);
}

void ms_keytab_swap(ms_keytab_t *a, ms_keytab_t *b) {
  ms_keytab_t t = *a;
  *a = *b;
  *b = t;
}

void ms_keytab_free(ms_keytab_t *t) {
  free(t->items);
  *t = (ms_keytab_t){0};
}
