/* SPDX-License-Identifier: MIT
 *
 * alloc_count.c: see alloc_count.h.
 */
#define _GNU_SOURCE
#include "alloc_count.h"

#include <errno.h>
#include <execinfo.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t size);

alloc_counts_t alloc_counts;
static int tracing, in_trace;

void alloc_trace(int on) {
  if (on) {
    void *frames[4];
    backtrace(frames, 4); /* loads libgcc now, not inside an allocation */
  }
  tracing = on;
}

static void trace(const char *what) {
  if (!tracing || in_trace)
    return;
  in_trace = 1;
  void *frames[16];
  int n = backtrace(frames, 16);
  (void)!write(2, what, 8);
  (void)!write(2, "\n", 1);
  backtrace_symbols_fd(frames, n, 2);
  in_trace = 0;
}

static void *noted(void *p) {
  if (p != NULL) {
    alloc_counts.mallocs++;
    alloc_counts.live_bytes += (int64_t)malloc_usable_size(p);
    trace("malloc  ");
  }
  return p;
}

void *malloc(size_t size) { return noted(__libc_malloc(size)); }

void *calloc(size_t n, size_t size) { return noted(__libc_calloc(n, size)); }

void *realloc(void *p, size_t size) {
  if (p == NULL)
    return noted(__libc_realloc(NULL, size));
  size_t old = malloc_usable_size(p);
  void *q = __libc_realloc(p, size);
  if (q == NULL) {
    if (size == 0) { /* glibc: realloc(p, 0) frees p */
      alloc_counts.frees++;
      alloc_counts.live_bytes -= (int64_t)old;
    }
    return NULL;
  }
  alloc_counts.reallocs++;
  alloc_counts.live_bytes += (int64_t)malloc_usable_size(q) - (int64_t)old;
  trace("realloc ");
  return q;
}

void free(void *p) {
  if (p == NULL)
    return;
  alloc_counts.frees++;
  alloc_counts.live_bytes -= (int64_t)malloc_usable_size(p);
  __libc_free(p);
}

void *memalign(size_t align, size_t size) {
  return noted(__libc_memalign(align, size));
}

void *aligned_alloc(size_t align, size_t size) {
  return noted(__libc_memalign(align, size));
}

int posix_memalign(void **out, size_t align, size_t size) {
  void *p = noted(__libc_memalign(align, size));
  if (p == NULL)
    return ENOMEM;
  *out = p;
  return 0;
}
