/* SPDX-License-Identifier: MIT
 *
 * parser_test_util.h: what the parser's test programs share: reading a
 * fixture, comparing a span, and an input that ends where an inaccessible
 * page begins.
 */
#ifndef MOUNTSTATS_PARSER_TEST_UTIL_H
#define MOUNTSTATS_PARSER_TEST_UTIL_H

#include "mountstats.h"

#include <stddef.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The whole file, malloc'ed (NULL when it cannot be read). */
char *read_whole_file(const char *path, size_t *len);

/* FIXTURES_DIR/name, malloc'ed; fails the test when it cannot be read. */
char *load_fixture(const char *name, size_t *len);

/* A span compared with a C string; a wrong length is reported without
 * printing the span (it may be garbage). */
void check_span_(ms_span_t s, const char *want, size_t want_len,
                 const char *what, int line);
#define CHECK_SPAN(S, LIT) check_span_((S), (LIT), strlen(LIT), #S, __LINE__)

/* A read-only copy of len bytes that ends where an inaccessible page
 * begins: a read past the end faults. */
typedef struct {
  void *map;
  size_t maplen;
  const char *data;
} guard_t;

const char *guard_copy(guard_t *g, const char *src, size_t len);
void guard_free(guard_t *g);

#endif
