/* SPDX-License-Identifier: MIT
 *
 * alloc_fail.h: makes one heap allocation of the code under test fail, on
 * demand. A test program linked with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
 * sends every malloc, calloc and realloc of its own objects and of the
 * static libraries it links (the core's) through here; libc's internal
 * allocations are not affected. Unlike bench/alloc_count.c, which replaces
 * the allocator, this keeps it, so it works in sanitizer builds.
 *
 * Check's library is linked statically too and allocates in its
 * assertions: a test counts only around the calls under test (pause,
 * assert, resume). Single-threaded use only.
 */
#ifndef MOUNTSTATS_ALLOC_FAIL_H
#define MOUNTSTATS_ALLOC_FAIL_H

#include <stdbool.h>

/* From now on, the allocation after the next n ones fails, once (the
 * others succeed); n < 0: none fails. Clears alloc_failed(). */
void alloc_fail_arm(long n);

/* Stops counting: allocations succeed. Returns how many were still to
 * succeed before the failure, or -1 when it has happened or none is set. */
long alloc_fail_pause(void);

/* Counts on from where alloc_fail_pause() stopped (left < 0: nothing). */
void alloc_fail_resume(long left);

/* True when the failure set by alloc_fail_arm() has happened. */
bool alloc_failed(void);

#endif
