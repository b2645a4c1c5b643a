/* SPDX-License-Identifier: MIT
 *
 * grow.h: how the collector's arrays grow: by doubling, from 64 entries,
 * so that a mount set that has been seen once allocates nothing again.
 * Header only; no I/O, no collectd header.
 */
#ifndef MOUNTSTATS_GROW_H
#define MOUNTSTATS_GROW_H

#include <stddef.h>

/* First capacity of an array. */
#define MS_GROW_FIRST 64

/* The capacity for need entries of an array of cap: cap (or MS_GROW_FIRST
 * for none yet) doubled until it holds them. need must be small enough
 * that the doubling does not overflow (entry counts of a parsed file). */
static inline size_t ms_grow_cap(size_t cap, size_t need) {
  size_t ncap = cap ? cap : MS_GROW_FIRST;
  while (ncap < need)
    ncap *= 2;
  return ncap;
}

#endif
