/* SPDX-License-Identifier: MIT
 *
 * check_text.c: the kernel's text conventions (src/text.c): ms_unescape,
 * ms_opt_get.
 */
#include "check_run.h"
#include "mountstats.h"
#include "parser_test_util.h"
#include "text.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- ms_unescape ----------------------------------------------------------
 */

static const struct unescape_case {
  const char *src;
  const char *want;
  size_t want_len;
} unescape_cases[] = {
    {"", "", 0},
    {"/plain/path", "/plain/path", 11},
    {"a\\040b", "a b", 3},
    {"\\134", "\\", 1},
    {"\\011\\012", "\t\n", 2},
    {"my\\040dir\\134x", "my dir\\x", 8},
    {"\\0401", " 1", 2},
    {"\\1345", "\\5", 2},
    {"\\9", "\\9", 2},     /* not an escape */
    {"\\09", "\\09", 3},   /* too short */
    {"\\0a1", "\\0a1", 4}, /* not octal */
    {"\\080", "\\080", 4}, /* 8 is not octal */
    {"x\\", "x\\", 2},     /* trailing backslash */
    {"\\\\040", "\\ ", 2}, /* first backslash copied, then \040 */
    {"\xc3\x9c\\040\xe6\x96\x87", "\xc3\x9c \xe6\x96\x87", 6},
};

START_TEST(test_unescape) {
  const struct unescape_case *c = &unescape_cases[_i];
  char dst[64];
  memset(dst, 'Z', sizeof(dst));
  size_t n = ms_unescape(dst, sizeof(dst), c->src, strlen(c->src));
  ck_assert_msg(n == c->want_len, "case %d: length %zu, expected %zu", _i, n,
                c->want_len);
  ck_assert_mem_eq(dst, c->want, c->want_len);
  ck_assert_int_eq(dst[c->want_len], '\0');
  /* The source need not be NUL-terminated: at the end of a guard page. */
  guard_t g;
  const char *src = guard_copy(&g, c->src, strlen(c->src));
  n = ms_unescape(dst, sizeof(dst), src, strlen(c->src));
  ck_assert_uint_eq(n, c->want_len);
  ck_assert_mem_eq(dst, c->want, c->want_len);
  guard_free(&g);
}
END_TEST

START_TEST(test_unescape_small_dst) {
  char dst[8];
  const char *src = "ab\\040cd\\134ef";
  memset(dst, 'Z', sizeof(dst));
  /* Decoded: "ab cd\ef", 8 bytes. */
  ck_assert_uint_eq(ms_unescape(dst, 4, src, strlen(src)), 8);
  ck_assert_str_eq(dst, "ab ");
  ck_assert_int_eq(dst[4], 'Z'); /* nothing written past dst_size */
  memset(dst, 'Z', sizeof(dst));
  ck_assert_uint_eq(ms_unescape(dst, 1, src, strlen(src)), 8);
  ck_assert_int_eq(dst[0], '\0');
  ck_assert_int_eq(dst[1], 'Z');
  memset(dst, 'Z', sizeof(dst));
  ck_assert_uint_eq(ms_unescape(dst, 8, src, strlen(src)), 8);
  ck_assert_str_eq(dst, "ab cd\\e"); /* 7 bytes + NUL */
  char big[9];
  ck_assert_uint_eq(ms_unescape(big, sizeof(big), src, strlen(src)), 8);
  ck_assert_str_eq(big, "ab cd\\ef");
}
END_TEST

/* ---- ms_opt_get ------------------------------------------------------------
 */

#define OPTS1                                                                  \
  "rw,vers=4.2,rsize=1048576,hard,proto=tcp,nconnect=16,mountport=20048,"      \
  "port=2049,timeo=600,sec=sys,mountaddr=192.0.2.1,local_lock=none,fsc"

static const struct opt_case {
  const char *opts;
  const char *key;
  int found;
  const char *value;
} opt_cases[] = {
    {OPTS1, "vers", 1, "4.2"},
    {OPTS1, "proto", 1, "tcp"},
    {OPTS1, "nconnect", 1, "16"},
    {OPTS1, "rsize", 1, "1048576"},
    {OPTS1, "hard", 1, ""},
    {OPTS1, "rw", 1, ""},
    {OPTS1, "fsc", 1, ""},
    {OPTS1, "local_lock", 1, "none"},
    {OPTS1, "port", 1, "2049"}, /* not mountport */
    {OPTS1, "mountport", 1, "20048"},
    {OPTS1, "ro", 0, NULL},
    {OPTS1, "soft", 0, NULL},
    {OPTS1, "mount", 0, NULL}, /* a prefix of mountport */
    {OPTS1, "local", 0, NULL}, /* a prefix of local_lock */
    {OPTS1, "addr", 0, NULL},  /* a suffix of mountaddr */
    {OPTS1, "nconn", 0, NULL},
    {OPTS1, "4.2", 0, NULL}, /* a value, not a key */
    {"port=2049,mountport=20048", "port", 1, "2049"},
    {"mountport=20048", "port", 0, NULL},
    {"rw, vers=4.0, proto=tcp", "vers", 1, "4.0"},
    {"vers=,x", "vers", 1, ""},
    {"vers=3,", "vers", 1, "3"},
    {"", "vers", 0, NULL},
    {"vers", "vers", 1, ""},
    {"a=b=c", "a", 1, "b=c"},
};

START_TEST(test_opt_get) {
  const struct opt_case *c = &opt_cases[_i];
  size_t len = strlen(c->opts);
  guard_t g; /* the opts span is not NUL-terminated */
  ms_span_t opts = {guard_copy(&g, c->opts, len), len};
  ms_span_t v = {NULL, 12345};
  int r = ms_opt_get(opts, c->key, &v);
  ck_assert_msg(r == c->found, "case %d (%s): returned %d", _i, c->key, r);
  if (c->found) {
    CHECK_SPAN(v, c->value);
    ck_assert(v.ptr >= opts.ptr && v.ptr + v.len <= opts.ptr + opts.len);
  }
  guard_free(&g);
}
END_TEST

/* ---- names -----------------------------------------------------------------
 */

/* ---- suite ------------------------------------------------------------------
 */

int main(void) {
  Suite *s = suite_create("text");
  TCase *tc = NULL;
  tc = MS_CHECK_CASE(s, "helpers", NULL, NULL, test_unescape_small_dst);
  tcase_add_loop_test(tc, test_unescape, 0, ARRAY_SIZE(unescape_cases));
  tcase_add_loop_test(tc, test_opt_get, 0, ARRAY_SIZE(opt_cases));

  return ms_check_main(s);
}
