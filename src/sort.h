/* SPDX-License-Identifier: MIT
 *
 * sort.h: an in-place sort that never allocates.
 *
 * Why: glibc's qsort() and qsort_r() allocate a merge buffer for arrays
 * larger than 1 KiB, which would be an allocation in every read interval.
 * Heapsort is O(n log n) in the worst case and needs no memory. It is not
 * stable: comparators that need file order break ties by index.
 */
#ifndef MOUNTSTATS_SORT_H
#define MOUNTSTATS_SORT_H

#include <stddef.h>

/* Largest element size ms_sort() accepts. */
#define MS_SORT_MAX_ELEM 64

typedef int (*ms_cmp_fn)(const void *a, const void *b, void *ctx);

/* Sorts n elements of size bytes (<= MS_SORT_MAX_ELEM) at base in ascending
 * order of cmp (which gets ctx as its third argument). */
void ms_sort(void *base, size_t n, size_t size, ms_cmp_fn cmp, void *ctx);

#endif
