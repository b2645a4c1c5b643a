/* SPDX-License-Identifier: MIT
 *
 * check_fastpath.c: the parser's fast path for op lines (src/fastpath.c,
 * SSE2 builds) against values known by construction and against the same
 * parser built without it (tests/parser_reference.h).
 */
#define _GNU_SOURCE
#include "check_run.h"
#include "mountstats.h"
#include "parser_reference.h"
#include "parser_test_util.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the fast path for op lines ------------------------------------------
 * Most op lines are read by a fast path (SSE2 builds); every line it does not
 * take is read by the general path. Three checks: random op lines against
 * values known by construction, every fixture and cut of it against the
 * parser built without the fast path (tests/parser_reference.h), and random
 * mutations of the fixtures against the same reference. */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) { /* xorshift64*: reproducible, seeded above */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ull;
}
static unsigned rng_below(unsigned n) { return (unsigned)(rng() % n); }

/* Parses buf both ways; fails the test with the first difference. */
static void check_same_both_ways(const char *buf, size_t len,
                                 const char *what) {
  static ms_snapshot_t fast, ref; /* reused, as the plugin does */
  ck_assert_int_eq(ms_parse(&fast, buf, len), 0);
  ck_assert_int_eq(ms_parse_reference(&ref, buf, len), 0);
  const char *d = ms_snapshot_diff(&fast, &ref);
  ck_assert_msg(d == NULL, "%s (%zu bytes): fast and general paths differ: %s",
                what, len, d);
}

/* A random decimal token of 1..21 digits; *overflow when 2^64 or more. */
static size_t random_token(char *out, uint64_t *value, int *overflow) {
  static const char max[] = "18446744073709551615";
  unsigned len = 1 + rng_below(rng_below(4) == 0 ? 21 : 12);
  for (unsigned i = 0; i < len; i++)
    out[i] = (char)('0' + rng_below(10));
  if (len > 1 && rng_below(3) != 0 && out[0] == '0')
    out[0] = '1';
  if (rng_below(50) == 0 && len == 20) /* near the limit */
    memcpy(out, max, 20), out[19] = (char)('4' + rng_below(3));
  out[len] = '\0';
  /* Independent of the parser: strip leading zeros, compare as strings. */
  const char *s = out;
  while (s[0] == '0' && s[1] != '\0')
    s++;
  size_t sl = strlen(s);
  *overflow = sl > 20 || (sl == 20 && strcmp(s, max) > 0);
  *value = *overflow ? 0 : strtoull(s, NULL, 10);
  return len;
}

#define RANDOM_LINES 40
#define TRAILER_BYTES 400 /* keeps every random line far from the end */

START_TEST(test_fast_path_random_lines) {
  rng_state ^= (uint64_t)_i * 0x100000001b3ull;
  static char buf[RANDOM_LINES * 512 + TRAILER_BYTES + 512];
  struct {
    unsigned n;
    uint64_t v[12];
    int overflow;
    int fast; /* what the fast path's rules accept (see parse_op_fast) */
  } want[RANDOM_LINES];
  size_t fast_wanted = 0;
  size_t len = (size_t)snprintf(buf, sizeof(buf),
                                "device s:/x mounted on /x with fstype nfs4\n"
                                "\tper-op statistics\n");
  for (int l = 0; l < RANDOM_LINES; l++) {
    unsigned pad = rng_below(16);
    size_t start = len;
    len += (size_t)snprintf(buf + len, sizeof(buf) - len,
                            "%s%*sOP%d_%.*s:", rng_below(2) ? "\t" : " ",
                            (int)pad, "", l, (int)rng_below(30),
                            "abcdefghijklmnopqrstuvwxyz_0123456789");
    size_t name_len = len - start - 2 - pad;
    size_t after_colon = len;
    unsigned longest = 0;
    want[l].n = 7 + rng_below(5); /* 7..11 fields */
    want[l].overflow = 0;
    for (unsigned f = 0; f < want[l].n; f++) {
      unsigned blanks = 1 + (rng_below(8) == 0 ? rng_below(3) : 0);
      for (unsigned b = 0; b < blanks; b++)
        buf[len++] = rng_below(6) == 0 ? '\t' : ' ';
      char tok[32];
      uint64_t v;
      int of;
      size_t tl = random_token(tok, &v, &of);
      if (tl > longest)
        longest = (unsigned)tl;
      memcpy(buf + len, tok, tl);
      len += tl;
      if (f < 12)
        want[l].v[f] = v;
      want[l].overflow |= of;
    }
    if (rng_below(10) == 0)
      buf[len++] = ' '; /* a trailing blank */
    /* Up to 15 blanks, a name of up to 31 bytes, 8 or 9 numbers of up to
     * 19 digits ending within 128 bytes of the ':'. */
    want[l].fast = pad + 1 < 16 && name_len < 32 && want[l].n >= 8 &&
                   want[l].n <= 9 && longest <= 19 && len - after_colon < 128;
    fast_wanted += (size_t)want[l].fast;
    if (rng_below(10) == 0)
      buf[len++] = '\r';
    buf[len++] = '\n';
  }
  len += (size_t)snprintf(
      buf + len, sizeof(buf) - len,
      "device a mounted on /trailer with fstype proc %0*d\n", TRAILER_BYTES, 0);

  ms_snapshot_t s = {0};
  ck_assert_int_eq(ms_parse(&s, buf, len), 0);
  ck_assert_uint_eq(s.nmounts, 1);
  size_t op = 0, diag = 0;
  for (int l = 0; l < RANDOM_LINES; l++) {
    if (want[l].overflow || want[l].n < MS_OP_MIN_FIELDS) {
      ck_assert_msg(diag < s.ndiags, "line %d: no diagnostic", l);
      ck_assert_int_eq(s.diags[diag].reason, want[l].overflow
                                                 ? MS_DIAG_OVERFLOW
                                                 : MS_DIAG_TOO_FEW_FIELDS);
      ck_assert_uint_eq(s.diags[diag].line, (size_t)l + 3);
      diag++;
      continue;
    }
    ck_assert_msg(op < s.nops, "line %d: not recorded", l);
    const ms_op_t *o = &s.ops[op++];
    unsigned kept = want[l].n < MS_OP_FIELDS ? want[l].n : MS_OP_FIELDS;
    ck_assert_uint_eq(o->nfields, kept);
    for (unsigned f = 0; f < MS_OP_FIELDS; f++)
      ck_assert_msg(o->v[f] == (f < kept ? want[l].v[f] : 0),
                    "line %d field %u: %llu, expected %llu", l, f,
                    (unsigned long long)o->v[f],
                    (unsigned long long)(f < kept ? want[l].v[f] : 0));
  }
  ck_assert_uint_eq(op, s.nops);
  ck_assert_uint_eq(diag, s.ndiags);
#if defined(__x86_64__)
  ck_assert_msg(s.fast_lines == fast_wanted, "%zu lines fast, expected %zu",
                s.fast_lines, fast_wanted);
#endif
  check_same_both_ways(buf, len, "random op lines");
  ms_snapshot_free(&s);
}
END_TEST

/* Op lines at the fast path's edges, each followed by enough text that the
 * fast path may take it; values checked by hand, then both paths compared. */
static const struct edge_case {
  const char *line;
  int recorded;
  uint64_t v0, v_last; /* first and last kept field */
  int fast;            /* taken by the fast path (x86-64 builds) */
} edge_cases[] = {
    /* a 12-digit number across the 64th byte after ':' */
    {"\t        READ: 1111111 2222222 3333333 4444444 5555555 6666666 777777 "
     "123456789012 9\n",
     1, 1111111, 9, 1},
    /* 9 numbers over the 128-byte window: the general path */
    {"\t        READ: 1111111111111111 2222222222222222 3333333333333333 "
     "4444444444444444 5555555555555555 6666666666666666 7777777777777777 "
     "8888888888888888 9999999999999999\n",
     1, 1111111111111111ull, 9999999999999999ull, 0},
    /* the largest 19-digit and the largest 20-digit (general path) values */
    {"\t        READ: 9999999999999999999 0 0 0 0 0 0 18446744073709551615 "
     "1\n",
     1, 9999999999999999999ull, 1, 0},
    {"\t        READ: 18446744073709551616 0 0 0 0 0 0 0 0\n", 0, 0, 0, 0},
    {"\t        READ: 00000000000000000000000001 0 0 0 0 0 0 0 2\n", 1, 1, 2,
     0},
    /* 17, 16, 9 and 8 digits */
    {"\t        READ: 12345678901234567 1234567890123456 123456789 12345678 "
     "0 0 0 0\n",
     1, 12345678901234567ull, 0, 1},
    {"\t        READ: 1 2 3 4 5 6 7\n", 0, 0, 0, 0},
    {"\t        READ: 1 2 3 4 5 6 7 8 9 10 11\n", 1, 1, 9, 0},
    {"\t        READ:\t1\t2\t3\t4\t5\t6\t7\t8\n", 1, 1, 8, 1},
    {"\t        READ: 1 2 3 4 5 6 7 8 9\r\n", 1, 1, 9, 1},
    {"\t        READ: 1 2 3 4 5 6 7 8 9\rx\n", 0, 0, 0, 0},
    {"\t        READ: 1 2 3 4 5 6 7 8 9\r\r\n", 0, 0, 0, 0},
    {"\t        READ: 1 2 3 4 5 6 7 8 9x\n", 0, 0, 0, 0},
    {"\t        READ: 1 2 3 4 5 6 7 8 \xff\n", 0, 0, 0, 0},
    {"\t        READ: 1 2 3 4 5 6 7 8 \xb9\n", 0, 0, 0, 0},
    {"\t        READ: 1 2 3 4 5 6 7 8 9 \x00\n", 0, 0, 0, 0},
    {"\t        RE-D: 1 2 3 4 5 6 7 8 9\n", 0, 0, 0, 0},
    {"\t        RE\xc4\x81: 1 2 3 4 5 6 7 8 9\n", 0, 0, 0, 0},
    {"\t         : 1 2 3 4 5 6 7 8 9\n", 0, 0, 0, 0},
    {"\t                : 1 2 3 4 5 6 7 8 9\n", 0, 0, 0, 0},
    /* 15 blanks before the name (fast), 21 (general) */
    {"\t              READ: 1 2 3 4 5 6 7 8 9\n", 1, 1, 9, 1},
    {"\t                    READ: 1 2 3 4 5 6 7 8 9\n", 1, 1, 9, 0},
    /* names of 31 (fast), 32 and 63 bytes (the longest accepted), and 64 */
    {"\tA234567890123456789012345678901: 1 2 3 4 5 6 7 8 9\n", 1, 1, 9, 1},
    {"\tA2345678901234567890123456789012: 1 2 3 4 5 6 7 8 9\n", 1, 1, 9, 0},
    {"\tA23456789012345678901234567890123456789012345678901234567890123: 1 2 "
     "3 4 5 6 7 8 9\n",
     1, 1, 9, 0},
    {"\tA234567890123456789012345678901234567890123456789012345678901234: 1 "
     "2 3 4 5 6 7 8 9\n",
     0, 0, 0, 0},
    {"\t        READ 1 2 3 4 5 6 7 8 9\n", 0, 0, 0, 0},
    {"\t        READ: 1 2 3 4 5 6 7 8 9: 1\n", 0, 0, 0, 0},
    {"\t                \n", 0, 0, 0, 0},
};

START_TEST(test_fast_path_edges) {
  const struct edge_case *c = &edge_cases[_i];
  static char buf[4096];
  size_t line_len = strlen(c->line);
  if (c->line[line_len - 1] != '\n') /* the NUL case: up to its "\n" */
    line_len = strlen(c->line) + 2;
  size_t head = (size_t)snprintf(buf, sizeof(buf),
                                 "device s:/x mounted on /x with fstype nfs\n"
                                 "\tper-op statistics\n");
  memcpy(buf + head, c->line, line_len);
  size_t len = head + line_len;
  len +=
      (size_t)snprintf(buf + len, sizeof(buf) - len,
                       "\t       WRITE: 1 1 0 0 0 0 0 0 0\n"
                       "device a mounted on /trailer with fstype proc %0*d\n",
                       300, 0);
  ms_snapshot_t s = {0};
  ck_assert_int_eq(ms_parse(&s, buf, len), 0);
  ck_assert_uint_eq(s.nmounts, 1);
  const ms_mount_t *m = &s.mounts[0];
  ck_assert_msg(m->op_count == (size_t)(c->recorded + 1),
                "case %d: %zu ops recorded", _i, m->op_count);
#if defined(__x86_64__)
  /* The next line (WRITE) is always the fast path's. */
  ck_assert_msg(s.fast_lines == (size_t)c->fast + 1,
                "case %d: %zu lines by the fast path", _i, s.fast_lines);
#endif
  if (c->recorded) {
    const ms_op_t *o = &s.ops[0];
    ck_assert_msg(o->v[0] == c->v0, "case %d: first field %llu", _i,
                  (unsigned long long)o->v[0]);
    ck_assert_msg(o->v[o->nfields - 1] == c->v_last, "case %d: last field %llu",
                  _i, (unsigned long long)o->v[o->nfields - 1]);
  }
  check_same_both_ways(buf, len, c->line);
  ms_snapshot_free(&s);
}
END_TEST

static const char *const all_fixtures[] = {
    "nfs2-udp.mountstats",
    "nfs3-tcp-udp.mountstats",
    "nfs4-minor-versions.mountstats",
    "nfs3-nconnect16.mountstats",
    "nfs3-rdma-nconnect2.mountstats",
    "old-headers.mountstats",
    "escapes-bind.mountstats",
    "huge-values.mountstats",
    "truncated.mountstats",
    "crlf.mountstats",
    "malformed.mountstats",
    "bad/dup-op.mountstats",
    "bad/digits-25.mountstats",
    "bad/leading-zeros.mountstats",
    "bad/cr-in-number.mountstats",
    "bad/crlf-mixed.mountstats",
    "bad/nul-in-number.mountstats",
    "bad/bad-opname.mountstats",
};

/* Every fixture whole and cut at every 7th byte: the cut moves which lines
 * are close enough to the end for the general path. */
START_TEST(test_fast_path_fixture_cuts) {
  size_t len;
  char *buf = load_fixture(all_fixtures[_i], &len);
  check_same_both_ways(buf, len, all_fixtures[_i]);
  for (size_t cut = 0; cut < len; cut += 7) {
    char *copy = malloc(cut + 1); /* exact size: ASan sees any overread */
    memcpy(copy, buf, cut);
    check_same_both_ways(copy, cut, all_fixtures[_i]);
    free(copy);
  }
  free(buf);
}
END_TEST

/* Random small edits of every fixture: bytes the fast path decides on,
 * long digit runs, deleted and doubled bytes. */
START_TEST(test_fast_path_mutations) {
  static const char interesting[] = " \t\n\r:0912_aZ-\xff\x80";
  size_t len;
  char *orig = load_fixture(all_fixtures[_i], &len);
  rng_state ^= (uint64_t)(_i + 1) * 0x9E3779B97F4A7C15ull;
  for (int round = 0; round < 1500; round++) {
    char *m = malloc(len + 64);
    memcpy(m, orig, len);
    size_t mlen = len;
    for (int edits = 1 + (int)rng_below(3); edits > 0 && mlen > 0; edits--) {
      size_t at = rng_below((unsigned)mlen);
      switch (rng_below(4)) {
      case 0:
        m[at] = interesting[rng_below(sizeof(interesting))]; /* may be NUL */
        break;
      case 1: /* a run of digits, making tokens long or lines longer */
        if (mlen + 24 <= len + 64) {
          unsigned n = 1 + rng_below(24);
          memmove(m + at + n, m + at, mlen - at);
          for (unsigned k = 0; k < n; k++)
            m[at + k] = (char)('0' + rng_below(10));
          mlen += n;
        }
        break;
      case 2:
        memmove(m + at, m + at + 1, mlen - at - 1);
        mlen--;
        break;
      default:
        if (mlen < len + 64) {
          memmove(m + at + 1, m + at, mlen - at);
          mlen++;
        }
      }
    }
    char *exact = malloc(mlen ? mlen : 1);
    memcpy(exact, m, mlen);
    check_same_both_ways(exact, mlen, all_fixtures[_i]);
    free(exact);
    free(m);
  }
  free(orig);
}
END_TEST

/* ---- suite ------------------------------------------------------------------
 */

int main(void) {
  Suite *s = suite_create("fastpath");
  TCase *tc = NULL;
  tc = tcase_create("fast_path");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_fast_path_random_lines, 0, 200);
  tcase_add_loop_test(tc, test_fast_path_edges, 0, ARRAY_SIZE(edge_cases));
  tcase_add_loop_test(tc, test_fast_path_fixture_cuts, 0,
                      ARRAY_SIZE(all_fixtures));
  tcase_add_loop_test(tc, test_fast_path_mutations, 0,
                      ARRAY_SIZE(all_fixtures));
  suite_add_tcase(s, tc);

  return ms_check_main(s);
}
