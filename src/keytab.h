/* SPDX-License-Identifier: MIT
 *
 * keytab.h: a table of records keyed by a 64-bit key, kept across
 * intervals: the log-once sets (keyset.h), ReportStall's per-mount state
 * (stall.h) and ReportIostat's previous samples (iostat.h) are made of it.
 *
 * A record is the caller's struct whose first member is its uint64_t key;
 * every call gets the record's size, at most MS_KEYTAB_RECORD_MAX bytes in
 * a table that is ever sorted (ms_keytab_sort, ms_keytab_filter). The
 * records are in two parts: items[0..sorted_) in ascending key order, searched
 * by bisection, and those appended since the last sort, searched one by one.
 * The array grows by doubling from 64 records and never shrinks, so a
 * table that has reached its size allocates nothing. No I/O, no collectd
 * header.
 */
#ifndef MOUNTSTATS_KEYTAB_H
#define MOUNTSTATS_KEYTAB_H

#include "sort.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest record of a table that is sorted: ms_sort() swaps records through
 * a buffer of this size. */
#define MS_KEYTAB_RECORD_MAX MS_SORT_MAX_ELEM

/* Zero-initialise; free with ms_keytab_free(). */
typedef struct {
  void *items;    /* count records */
  size_t count;   /* records in the table */
  size_t sorted_; /* items[0..sorted_) are in key order */
  size_t cap_;
} ms_keytab_t;

/* Appends a zeroed record with key. Returns it, or NULL when out of memory
 * (the table is then unchanged). */
void *ms_keytab_append(ms_keytab_t *t, size_t size, uint64_t key);

/* The record i (< count). */
static inline void *ms_keytab_at(const ms_keytab_t *t, size_t size, size_t i) {
  return (char *)t->items + i * size;
}

/* The record with key in the sorted part, or NULL. */
void *ms_keytab_find_sorted(const ms_keytab_t *t, size_t size, uint64_t key);

/* The record with key in the part appended since the last sort, or NULL. */
void *ms_keytab_find_new(const ms_keytab_t *t, size_t size, uint64_t key);

/* The record with key in either part, or NULL. */
void *ms_keytab_find(const ms_keytab_t *t, size_t size, uint64_t key);

/* True when every record is in the sorted part. */
static inline bool ms_keytab_is_sorted(const ms_keytab_t *t) {
  return t->sorted_ == t->count;
}

/* Sorts every record by key (without allocating): all in the sorted part. */
void ms_keytab_sort(ms_keytab_t *t, size_t size);

/* Keeps the records for which keep(record, ctx) is true, in their order
 * (keep may release what a dropped record owns), then sorts the table when
 * records had been appended since the last sort. */
void ms_keytab_filter(ms_keytab_t *t, size_t size,
                      bool (*keep)(void *record, void *ctx), void *ctx);

/* Empties the table; keeps its memory. */
static inline void ms_keytab_clear(ms_keytab_t *t) {
  t->count = t->sorted_ = 0;
}

/* Exchanges the records (and memory) of a and b. */
void ms_keytab_swap(ms_keytab_t *a, ms_keytab_t *b);

/* Frees the array (not what the records point to) and zeroes t. */
void ms_keytab_free(ms_keytab_t *t);

#endif
