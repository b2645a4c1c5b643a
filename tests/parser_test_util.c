/* SPDX-License-Identifier: MIT
 *
 * parser_test_util.c: see parser_test_util.h.
 */
#include "parser_test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

char *read_whole_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  while (buf != NULL) {
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (n < cap)
      break;
    char *nb = realloc(buf, cap * 2);
    if (nb == NULL) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = nb;
    cap *= 2;
  }
  fclose(f);
  *len = n;
  return buf;
}

char *load_fixture(const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, name);
  char *buf = read_whole_file(path, len);
  ck_assert_msg(buf != NULL, "cannot read fixture %s", path);
  return buf;
}

void check_span_(ms_span_t s, const char *want, size_t want_len,
                 const char *what, int line) {
  if (s.len != want_len) {
    ck_abort_msg("line %d: %s has length %zu, expected %zu (\"%.*s\")", line,
                 what, s.len, want_len, (int)want_len, want);
  }
  ck_assert_msg(want_len == 0 || memcmp(s.ptr, want, want_len) == 0,
                "line %d: %s is \"%.*s\", expected \"%.*s\"", line, what,
                (int)s.len, s.ptr, (int)want_len, want);
}

const char *guard_copy(guard_t *g, const char *src, size_t len) {
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);
  size_t pages = len / pg + 1; /* at least one readable page */
  g->maplen = (pages + 1) * pg;
  g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ck_assert_msg(g->map != MAP_FAILED, "mmap failed");
  char *base = g->map;
  ck_assert_int_eq(mprotect(base + pages * pg, pg, PROT_NONE), 0);
  char *data = base + pages * pg - len;
  memcpy(data, src, len);
  /* Read-only as well: the parser must not write into its input. */
  ck_assert_int_eq(mprotect(base, pages * pg, PROT_READ), 0);
  g->data = data;
  return data;
}

void guard_free(guard_t *g) { munmap(g->map, g->maplen); }
