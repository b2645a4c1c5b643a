/* SPDX-License-Identifier: MIT
 *
 * alloc_count.h: counts every heap allocation of the process. alloc_count.c
 * defines malloc, calloc, realloc, free and the aligned variants on top of
 * glibc's __libc_* functions; glibc routes its own internal allocations
 * (qsort's merge buffer, strdup, ...) through them too, so nothing is
 * missed. Single-threaded use only.
 */
#ifndef BENCH_ALLOC_COUNT_H
#define BENCH_ALLOC_COUNT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t mallocs;   /* malloc, calloc, aligned: new blocks */
  uint64_t reallocs;  /* realloc of an existing block */
  uint64_t frees;     /* free of a non-NULL block */
  int64_t live_bytes; /* usable bytes of the blocks now allocated */
} alloc_counts_t;

extern alloc_counts_t alloc_counts;

/* When set, every allocation prints a backtrace to stderr (to find which
 * call allocates). */
void alloc_trace(int on);

/* Allocations (new blocks and reallocs) between two snapshots. */
static inline uint64_t alloc_events(const alloc_counts_t *a,
                                    const alloc_counts_t *b) {
  return (b->mallocs - a->mallocs) + (b->reallocs - a->reallocs);
}

#endif
