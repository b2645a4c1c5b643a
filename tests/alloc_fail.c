/* SPDX-License-Identifier: MIT
 *
 * alloc_fail.c: see alloc_fail.h.
 */
#include "alloc_fail.h"

#include <stddef.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static long countdown = -1; /* allocations to let through; -1: all */
static bool failed;

void alloc_fail_arm(long n) {
  countdown = n;
  failed = false;
}

long alloc_fail_pause(void) {
  long left = countdown;
  countdown = -1;
  return left;
}

void alloc_fail_resume(long left) { countdown = left; }

bool alloc_failed(void) { return failed; }

static bool fail_now(void) {
  if (countdown < 0)
    return false;
  if (countdown-- > 0)
    return false;
  failed = true; /* countdown is -1 now: the others succeed */
  return true;
}

void *__wrap_malloc(size_t size) {
  return fail_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size) {
  return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size) {
  return fail_now() ? NULL : __real_realloc(p, size);
}
