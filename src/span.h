/* SPDX-License-Identifier: MIT
 *
 * span.h: small helpers on ms_span_t (a piece of an input buffer, not
 * NUL-terminated) and the FNV-1a 64-bit hash every unit keys its tables
 * with. Header only; no I/O, no collectd header.
 */
#ifndef MOUNTSTATS_SPAN_H
#define MOUNTSTATS_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A piece of the input buffer. Not NUL-terminated. */
typedef struct {
  const char *ptr;
  size_t len;
} ms_span_t;

#define MS_FNV64_OFFSET 14695981039346656037ull
#define MS_FNV64_PRIME 1099511628211ull
/* FNV-1a 32-bit (naming.h's long-name suffix). */
#define MS_FNV32_OFFSET 2166136261u
#define MS_FNV32_PRIME 16777619u

/* FNV-1a 64-bit: folds len bytes at p into h (start with MS_FNV64_OFFSET). */
static inline uint64_t ms_fnv64(uint64_t h, const void *p, size_t len) {
  const unsigned char *b = p;
  for (size_t i = 0; i < len; i++)
    h = (h ^ b[i]) * MS_FNV64_PRIME;
  return h;
}

/* True when s holds exactly the NUL-terminated lit. */
static inline bool ms_span_is(ms_span_t s, const char *lit) {
  size_t n = strlen(lit);
  return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

/* True when a and b hold the same bytes. */
static inline bool ms_span_same(ms_span_t a, ms_span_t b) {
  return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

#endif
