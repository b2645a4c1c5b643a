/* SPDX-License-Identifier: MIT
 *
 * check_naming.c: unit tests of src/naming.c (instance names for mounts).
 *
 * Every expected value below was worked out by hand from the contract in
 * naming.h; the FNV-1a hash of the long-name suffix is computed by the test's
 * own implementation.
 */
#include "check_run.h"
#include "naming.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------ */

/* The test's own FNV-1a 32-bit, over a NUL-terminated string. */
static uint32_t my_fnv1a32(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s != '\0'; s++) {
    h ^= (uint32_t)(unsigned char)*s;
    h *= 16777619u;
  }
  return h;
}

/* The df rule plus control bytes, without any length limit (the test's own
 * version, for paths other than "/"). */
static void my_transform(char *dst, const char *src) {
  if (*src == '/')
    src++;
  for (; *src != '\0'; src++) {
    unsigned char c = (unsigned char)*src;
    *dst++ = c == '/' ? '-' : (c < 0x20 || c == 0x7f) ? '_' : (char)c;
  }
  *dst = '\0';
}

static int is_cont(unsigned char c) { return (c & 0xc0) == 0x80; }

/* Checks a name made from a too long source: length <= MS_NAME_MAX, the
 * suffix "~" + 8 lowercase hex digits of FNV-1a-32(src), a prefix of the
 * transformed string that does not end inside a UTF-8 character and is as
 * long as the room allows (less at most 3 bytes of a cut character).
 * Returns the prefix length. */
static size_t check_long_name(const char *out, size_t ret, const char *src) {
  size_t len = strlen(out);
  ck_assert_uint_eq(ret, len);
  ck_assert_uint_le(len, MS_NAME_MAX);
  ck_assert_uint_ge(len, 9);

  char want_suffix[16];
  snprintf(want_suffix, sizeof(want_suffix), "~%08x", my_fnv1a32(src));
  ck_assert_str_eq(out + len - 9, want_suffix);
  for (size_t i = len - 8; i < len; i++)
    ck_assert_msg((out[i] >= '0' && out[i] <= '9') ||
                      (out[i] >= 'a' && out[i] <= 'f'),
                  "suffix digit '%c' is not lowercase hex", out[i]);

  size_t keep = len - 9;
  static char full[8192];
  ck_assert_uint_lt(strlen(src), sizeof(full));
  my_transform(full, src);
  ck_assert_uint_gt(strlen(full), keep);
  ck_assert_msg(memcmp(out, full, keep) == 0, "prefix differs from the path");
  ck_assert_msg(!is_cont((unsigned char)full[keep]),
                "prefix of %zu bytes ends inside a UTF-8 character", keep);
  ck_assert_uint_ge(keep, MS_NAME_MAX - 9 - 3);
  return keep;
}

static void set_names(ms_name_t *names, const char *const *in, size_t n) {
  memset(names, 0, n * sizeof(*names));
  for (size_t i = 0; i < n; i++) {
    ck_assert_uint_le(strlen(in[i]), MS_NAME_MAX);
    strcpy(names[i].s, in[i]);
  }
}

static size_t make_unique(ms_name_t *names, size_t n) {
  size_t order[64];
  ck_assert_uint_le(n, 64);
  return ms_names_make_unique(names, n, order, MS_NAME_MAX);
}

/* write_graphite's view of a byte. */
static unsigned char gfold(unsigned char c) {
  return (c == '.' || c == ' ' || c == '\t' || (c >= 0x01 && c < 0x20) ||
          c == 0x7f)
             ? '_'
             : c;
}

static int same_graphite(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la != lb)
    return 0;
  for (size_t i = 0; i < la; i++)
    if (gfold((unsigned char)a[i]) != gfold((unsigned char)b[i]))
      return 0;
  return 1;
}

static void assert_all_distinct(ms_name_t *names, size_t n) {
  for (size_t i = 0; i < n; i++) {
    ck_assert_uint_le(strlen(names[i].s), MS_NAME_MAX);
    for (size_t j = i + 1; j < n; j++)
      ck_assert_msg(!same_graphite(names[i].s, names[j].s),
                    "names %zu \"%s\" and %zu \"%s\" still clash", i,
                    names[i].s, j, names[j].s);
  }
}

/* ---- ms_fnv1a32 -----------------------------------------------------------
 */

START_TEST(test_fnv_vectors) {
  /* Published FNV-1a 32-bit test vectors. */
  ck_assert_uint_eq(ms_fnv1a32("", 0), 0x811c9dc5u);
  ck_assert_uint_eq(ms_fnv1a32("a", 1), 0xe40c292cu);
  ck_assert_uint_eq(ms_fnv1a32("foobar", 6), 0xbf9cf968u);
  /* Only len bytes count. */
  ck_assert_uint_eq(ms_fnv1a32("foobarXYZ", 6), 0xbf9cf968u);
  ck_assert_uint_eq(my_fnv1a32("foobar"), 0xbf9cf968u);
  const char *s = "/mnt/\xc3\xa9t\xc3\xa9";
  ck_assert_uint_eq(ms_fnv1a32(s, strlen(s)), my_fnv1a32(s));
}
END_TEST

/* ---- ms_name_from_path: short names ------------------------------------- */

static const struct {
  const char *src;
  const char *want;
} short_cases[] = {
    {"/", "root"},
    {"/mnt/data", "mnt-data"},
    {"/a/b/c", "a-b-c"},
    {"/mnt", "mnt"},
    {"/mnt/data/", "mnt-data-"},
    {"/mnt/", "mnt-"},
    {"/a//b", "a--b"},
    {"/mnt/my data", "mnt-my data"}, /* space kept (only folded for clashes) */
    {"/mnt/v1.2", "mnt-v1.2"},       /* dot kept */
    {"/mnt/a\tb", "mnt-a_b"},        /* tab: control byte */
    {"/mnt/a\nb", "mnt-a_b"},        /* newline: control byte */
    {"/mnt/\x01x\x1f\x7f", "mnt-_x__"},
    {"/mnt/caf\xc3\xa9", "mnt-caf\xc3\xa9"}, /* raw UTF-8 kept */
    {"/data/\xe2\x82\xac/\xf0\x9f\x98\x80",
     "data-\xe2\x82\xac-\xf0\x9f\x98\x80"},
    {"srv:/export/x", "srv:-export-x"}, /* a device */
    {"[fe80::1]:/export", "[fe80::1]:-export"},
    {"mnt/rel", "mnt-rel"}, /* no leading "/": nothing dropped */
};

START_TEST(test_short_names) {
  ms_name_t out;
  memset(out.s, 'Z', sizeof(out.s));
  size_t len = ms_name_from_path(&out, short_cases[_i].src, MS_NAME_MAX);
  ck_assert_str_eq(out.s, short_cases[_i].want);
  ck_assert_uint_eq(len, strlen(short_cases[_i].want));
}
END_TEST

START_TEST(test_exactly_127_unchanged) {
  /* "/" + 127 bytes: the name is exactly MS_NAME_MAX bytes. */
  char src[1 + 127 + 1];
  src[0] = '/';
  memset(src + 1, 'a', 127);
  src[128] = '\0';
  src[60] = '/'; /* -> '-' at name index 59 */
  char want[128];
  memset(want, 'a', 127);
  want[59] = '-';
  want[127] = '\0';
  ms_name_t out;
  size_t len = ms_name_from_path(&out, src, MS_NAME_MAX);
  ck_assert_uint_eq(len, 127);
  ck_assert_str_eq(out.s, want);
  ck_assert_ptr_null(strchr(out.s, '~'));
}
END_TEST

START_TEST(test_128_bytes_hashed) {
  /* "/" + 128 bytes: one byte too many. */
  char src[1 + 128 + 1];
  src[0] = '/';
  memset(src + 1, 'b', 128);
  src[129] = '\0';
  ms_name_t out;
  size_t len = ms_name_from_path(&out, src, MS_NAME_MAX);
  size_t keep = check_long_name(out.s, len, src);
  /* ASCII only: nothing to back off for. 118 + 9 = 127. */
  ck_assert_uint_eq(keep, 118);
  ck_assert_uint_eq(len, 127);
}
END_TEST

START_TEST(test_5000_bytes_hashed) {
  size_t n = 5000;
  static char src[5000 + 1];
  src[0] = '/';
  for (size_t i = 1; i < n; i++)
    src[i] = "abc/"[i % 4];
  src[n] = '\0';
  ms_name_t out;
  size_t len = ms_name_from_path(&out, src, MS_NAME_MAX);
  check_long_name(out.s, len, src);
  ck_assert_uint_eq(len, 127);
  /* name = "bc-abc-abc-..." : first bytes by hand */
  ck_assert_int_eq(strncmp(out.s, "bc-abc-abc-", 11), 0);

  /* A change at the very end (beyond any buffer) changes the hash. */
  ms_name_t out2;
  src[n - 1] = src[n - 1] == 'a' ? 'z' : 'a';
  ms_name_from_path(&out2, src, MS_NAME_MAX);
  check_long_name(out2.s, strlen(out2.s), src);
  ck_assert_str_ne(out.s, out2.s);
}
END_TEST

START_TEST(test_long_two_byte_char_at_cut) {
  /* name = 117 x 'a', then U+00E9 (c3 a9) at bytes 117-118, then more.
   * The room for the prefix is 118 bytes; byte 118 is the second half of
   * the character, so the prefix is the 117 'a' only. */
  char src[400];
  char *p = src;
  *p++ = '/';
  memset(p, 'a', 117);
  p += 117;
  for (int i = 0; i < 40; i++) {
    *p++ = (char)0xc3;
    *p++ = (char)0xa9;
  }
  *p = '\0';
  ms_name_t out;
  size_t len = ms_name_from_path(&out, src, MS_NAME_MAX);
  size_t keep = check_long_name(out.s, len, src);
  ck_assert_uint_eq(keep, 117);
  char want[128];
  memset(want, 'a', 117);
  snprintf(want + 117, sizeof(want) - 117, "~%08x", my_fnv1a32(src));
  ck_assert_str_eq(out.s, want);
}
END_TEST

START_TEST(test_long_three_byte_chars) {
  /* name = 60 x U+20AC (e2 82 ac) = 180 bytes. Byte 118 is at offset
   * 118 % 3 = 1 inside a character: the prefix is 39 characters, 117
   * bytes. */
  char src[1 + 180 + 1];
  src[0] = '/';
  for (int i = 0; i < 60; i++)
    memcpy(src + 1 + 3 * i, "\xe2\x82\xac", 3);
  src[181] = '\0';
  ms_name_t out;
  size_t len = ms_name_from_path(&out, src, MS_NAME_MAX);
  size_t keep = check_long_name(out.s, len, src);
  ck_assert_uint_eq(keep, 117);
  ck_assert_uint_eq(len, 126);
}
END_TEST

/* 4-byte characters after 0..3 ASCII bytes: the cut falls on every position
 * of a character once. */
START_TEST(test_long_four_byte_chars) {
  char src[1 + 3 + 4 * 50 + 1];
  char *p = src;
  *p++ = '/';
  memset(p, 'x', (size_t)_i);
  p += _i;
  for (int i = 0; i < 50; i++) {
    memcpy(p, "\xf0\x9f\x98\x80", 4);
    p += 4;
  }
  *p = '\0';
  ms_name_t out;
  size_t len = ms_name_from_path(&out, src, MS_NAME_MAX);
  size_t keep = check_long_name(out.s, len, src);
  /* by hand: the largest _i + 4k <= 118 */
  size_t want_keep = (size_t)_i + 4 * ((118 - (size_t)_i) / 4);
  ck_assert_uint_eq(keep, want_keep);
}
END_TEST

START_TEST(test_long_shared_prefix_differ) {
  char a[300], b[300];
  char common[201];
  memset(common, 'q', 200);
  common[200] = '\0';
  snprintf(a, sizeof(a), "/%s/one", common);
  snprintf(b, sizeof(b), "/%s/two", common);
  ms_name_t na, nb;
  size_t la = ms_name_from_path(&na, a, MS_NAME_MAX);
  size_t lb = ms_name_from_path(&nb, b, MS_NAME_MAX);
  check_long_name(na.s, la, a);
  check_long_name(nb.s, lb, b);
  ck_assert_uint_eq(my_fnv1a32(a) != my_fnv1a32(b), 1);
  ck_assert_str_ne(na.s, nb.s);
  ck_assert_int_eq(memcmp(na.s, nb.s, la - 9), 0); /* only the suffix differs */
}
END_TEST

START_TEST(test_long_control_bytes_replaced) {
  /* Control bytes are replaced in the prefix; the hash is of the input. */
  char src[1 + 150 + 1];
  src[0] = '/';
  for (int i = 0; i < 150; i++)
    src[1 + i] = (i % 10 == 9) ? '\t' : 'k';
  src[151] = '\0';
  ms_name_t out;
  size_t len = ms_name_from_path(&out, src, MS_NAME_MAX);
  check_long_name(out.s, len, src);
  ck_assert_ptr_null(strchr(out.s, '\t'));
  ck_assert_int_eq(out.s[9], '_');
}
END_TEST

START_TEST(test_name_deterministic) {
  char src[1 + 300 + 1];
  src[0] = '/';
  for (int i = 0; i < 300; i++)
    src[1 + i] = (char)('a' + i % 26);
  src[301] = '\0';
  ms_name_t a, b;
  size_t la = ms_name_from_path(&a, src, MS_NAME_MAX);
  size_t lb = ms_name_from_path(&b, src, MS_NAME_MAX);
  ck_assert_uint_eq(la, lb);
  ck_assert_str_eq(a.s, b.s);
}
END_TEST

/* ---- ms_names_make_unique ----------------------------------------------- */

START_TEST(test_unique_df_clash) {
  /* "/mnt/a-b" and "/mnt/a/b" both give "mnt-a-b". */
  ms_name_t names[2];
  memset(names, 0, sizeof(names));
  ms_name_from_path(&names[0], "/mnt/a-b", MS_NAME_MAX);
  ms_name_from_path(&names[1], "/mnt/a/b", MS_NAME_MAX);
  ck_assert_str_eq(names[0].s, "mnt-a-b");
  ck_assert_str_eq(names[1].s, "mnt-a-b");
  ck_assert_uint_eq(make_unique(names, 2), 1);
  ck_assert_str_eq(names[0].s, "mnt-a-b");
  ck_assert_str_eq(names[1].s, "mnt-a-b~2");
}
END_TEST

START_TEST(test_unique_three_equal_file_order) {
  const char *in[] = {"x", "data", "y", "data", "data"};
  ms_name_t names[5];
  set_names(names, in, 5);
  ck_assert_uint_eq(make_unique(names, 5), 2);
  ck_assert_str_eq(names[0].s, "x");
  ck_assert_str_eq(names[1].s, "data");
  ck_assert_str_eq(names[2].s, "y");
  ck_assert_str_eq(names[3].s, "data~2");
  ck_assert_str_eq(names[4].s, "data~3");
}
END_TEST

START_TEST(test_unique_graphite_folding) {
  const char *in[] = {"mnt-a.b", "mnt-a_b"};
  ms_name_t names[2];
  set_names(names, in, 2);
  ck_assert_uint_eq(make_unique(names, 2), 1);
  ck_assert_str_eq(names[0].s, "mnt-a.b");
  ck_assert_str_eq(names[1].s, "mnt-a_b~2");
}
END_TEST

START_TEST(test_unique_folding_keeps_file_order) {
  /* '_' sorts after '.' and ' ' in byte order; file order still decides. */
  const char *in[] = {"v_1", "v 1", "v.1", "v\t1"};
  ms_name_t names[4];
  set_names(names, in, 4);
  ck_assert_uint_eq(make_unique(names, 4), 3);
  ck_assert_str_eq(names[0].s, "v_1");
  ck_assert_str_eq(names[1].s, "v 1~2");
  ck_assert_str_eq(names[2].s, "v.1~3");
  ck_assert_str_eq(names[3].s, "v\t1~4");
}
END_TEST

START_TEST(test_unique_literal_suffix_first) {
  const char *in[] = {"x~2", "x", "x"};
  ms_name_t names[3];
  set_names(names, in, 3);
  size_t changed = make_unique(names, 3);
  ck_assert_uint_ge(changed, 1);
  assert_all_distinct(names, 3);
  ck_assert_str_eq(names[0].s, "x~2"); /* first.s in file order keeps */
  ck_assert_str_eq(names[1].s, "x");
}
END_TEST

START_TEST(test_unique_literal_suffix_last) {
  const char *in[] = {"x", "x", "x~2"};
  ms_name_t names[3];
  set_names(names, in, 3);
  size_t changed = make_unique(names, 3);
  ck_assert_uint_ge(changed, 1);
  assert_all_distinct(names, 3);
  ck_assert_str_eq(names[0].s, "x");
}
END_TEST

START_TEST(test_unique_long_127) {
  /* Two equal 127-byte names: the second loses 2 bytes for "~2". */
  char n127[128];
  memset(n127, 'n', 127);
  n127[127] = '\0';
  const char *in[] = {n127, n127};
  ms_name_t names[2];
  set_names(names, in, 2);
  ck_assert_uint_eq(make_unique(names, 2), 1);
  ck_assert_str_eq(names[0].s, n127);
  char want[128];
  memset(want, 'n', 125);
  strcpy(want + 125, "~2");
  ck_assert_str_eq(names[1].s, want);
  ck_assert_uint_eq(strlen(names[1].s), 127);
}
END_TEST

START_TEST(test_unique_long_eleven) {
  /* Eleven equal 127-byte names: "~2".."~9" take 2 bytes, "~10", "~11" 3. */
  char n127[128];
  memset(n127, 'n', 127);
  n127[127] = '\0';
  const char *in[11];
  for (int i = 0; i < 11; i++)
    in[i] = n127;
  ms_name_t names[11];
  set_names(names, in, 11);
  ck_assert_uint_eq(make_unique(names, 11), 10);
  ck_assert_str_eq(names[0].s, n127);
  for (int k = 2; k <= 11; k++) {
    char want[128];
    size_t keep = k < 10 ? 125 : 124;
    memset(want, 'n', keep);
    snprintf(want + keep, sizeof(want) - keep, "~%d", k);
    ck_assert_str_eq(names[k - 1].s, want);
    ck_assert_uint_eq(strlen(names[k - 1].s), 127);
  }
  assert_all_distinct(names, 11);
}
END_TEST

START_TEST(test_unique_long_utf8_suffix) {
  /* 42 x U+20AC = 126 bytes. "~2" needs 128 bytes: cut to a character
   * boundary at or below 125, i.e. 41 characters (123 bytes). */
  char n126[127];
  for (int i = 0; i < 42; i++)
    memcpy(n126 + 3 * i, "\xe2\x82\xac", 3);
  n126[126] = '\0';
  const char *in[] = {n126, n126};
  ms_name_t names[2];
  set_names(names, in, 2);
  ck_assert_uint_eq(make_unique(names, 2), 1);
  ck_assert_str_eq(names[0].s, n126);
  char want[128];
  memcpy(want, n126, 123);
  strcpy(want + 123, "~2");
  ck_assert_str_eq(names[1].s, want);
}
END_TEST

START_TEST(test_unique_long_hashed_names) {
  /* Names made from long paths, clashing after the suffix was added. */
  char a[300];
  memset(a, 0, sizeof(a));
  a[0] = '/';
  memset(a + 1, 'L', 250);
  ms_name_t names[3];
  memset(names, 0, sizeof(names));
  ms_name_from_path(&names[0], a, MS_NAME_MAX);
  ms_name_from_path(&names[1], a, MS_NAME_MAX);
  ms_name_from_path(&names[2], "/short", MS_NAME_MAX);
  ck_assert_uint_eq(make_unique(names, 3), 1);
  ms_name_t first;
  ms_name_from_path(&first, a, MS_NAME_MAX);
  ck_assert_str_eq(names[0].s, first.s);
  ck_assert_str_eq(names[2].s, "short");
  ck_assert_uint_le(strlen(names[1].s), MS_NAME_MAX);
  size_t l1 = strlen(names[1].s);
  ck_assert_str_eq(names[1].s + l1 - 2, "~2");
  assert_all_distinct(names, 3);
}
END_TEST

START_TEST(test_unique_deterministic) {
  const char *paths[] = {"/mnt/a-b", "/mnt/a/b", "/x.y",    "/x y",
                         "/x_y",     "/",        "/mnt/a-b"};
  ms_name_t a[7], b[7];
  memset(a, 0, sizeof(a));
  memset(b, 0, sizeof(b));
  for (int i = 0; i < 7; i++) {
    ms_name_from_path(&a[i], paths[i], MS_NAME_MAX);
    ms_name_from_path(&b[i], paths[i], MS_NAME_MAX);
  }
  size_t ca = make_unique(a, 7);
  size_t cb = make_unique(b, 7);
  ck_assert_uint_eq(ca, cb);
  for (int i = 0; i < 7; i++)
    ck_assert_str_eq(a[i].s, b[i].s);
  /* by hand */
  ck_assert_uint_eq(ca, 4);
  ck_assert_str_eq(a[0].s, "mnt-a-b");
  ck_assert_str_eq(a[1].s, "mnt-a-b~2");
  ck_assert_str_eq(a[2].s, "x.y");
  ck_assert_str_eq(a[3].s, "x y~2");
  ck_assert_str_eq(a[4].s, "x_y~3");
  ck_assert_str_eq(a[5].s, "root");
  ck_assert_str_eq(a[6].s, "mnt-a-b~3");
  /* running it again on unique names changes nothing */
  ck_assert_uint_eq(make_unique(a, 7), 0);
}
END_TEST

START_TEST(test_unique_no_clash_untouched) {
  const char *in[] = {"root", "mnt-a", "mnt-b",  "mnt-a-b",
                      "Data", "data",  "mnt-a~1"};
  ms_name_t names[7];
  set_names(names, in, 7);
  ck_assert_uint_eq(make_unique(names, 7), 0);
  for (int i = 0; i < 7; i++)
    ck_assert_str_eq(names[i].s, in[i]);
}
END_TEST

START_TEST(test_unique_prefix_not_clash) {
  /* "mnt-a" and "mnt-a_" (or "mnt-a.") are different after write_graphite's
   * escaping ("mnt-a" vs "mnt-a_"): neither may be renamed. */
  const char *in[] = {"mnt-a", "mnt-a_", "mnt-a."};
  ms_name_t names[3];
  set_names(names, in, 2);
  ck_assert_uint_eq(make_unique(names, 2), 0);
  ck_assert_str_eq(names[0].s, "mnt-a");
  ck_assert_str_eq(names[1].s, "mnt-a_");

  set_names(names, in, 3);
  /* "mnt-a_" and "mnt-a." do clash with each other, not with "mnt-a". */
  ck_assert_uint_eq(make_unique(names, 3), 1);
  ck_assert_str_eq(names[0].s, "mnt-a");
  ck_assert_str_eq(names[1].s, "mnt-a_");
  ck_assert_str_eq(names[2].s, "mnt-a.~2");
}
END_TEST

START_TEST(test_unique_realistic_prefixes) {
  /* Everyday mount points where one name is the start of another followed
   * by '_', '.' or ' ': no two are equal for write_graphite. */
  const char *paths[] = {"/home",     "/home_backup", "/data",
                         "/data.old", "/srv/x",       "/srv/x y"};
  const char *want[] = {"home",     "home_backup", "data",
                        "data.old", "srv-x",       "srv-x y"};
  ms_name_t names[6];
  memset(names, 0, sizeof(names));
  for (int i = 0; i < 6; i++)
    ms_name_from_path(&names[i], paths[i], MS_NAME_MAX);
  ck_assert_uint_eq(make_unique(names, 6), 0);
  for (int i = 0; i < 6; i++)
    ck_assert_str_eq(names[i].s, want[i]);
}
END_TEST

START_TEST(test_unique_empty_and_single) {
  ms_name_t names[1];
  memset(names, 0, sizeof(names));
  ck_assert_uint_eq(make_unique(names, 0), 0);
  strcpy(names[0].s, "only");
  ck_assert_uint_eq(make_unique(names, 1), 0);
  ck_assert_str_eq(names[0].s, "only");
}
END_TEST

/* ---- max_len below MS_NAME_MAX (MaxNameLength) --------------------------- */

/* A 64-byte cap: names up to 64 bytes are kept, longer ones become 55 bytes
 * of prefix + "~" + 8 hex digits of the whole path's hash. */
START_TEST(test_max_len_64) {
  ms_name_t out;
  char src[200];
  memset(src, 'a', sizeof(src));
  src[0] = '/';
  src[65] = '\0'; /* "/" + 64 bytes -> name of exactly 64 */
  ck_assert_uint_eq(ms_name_from_path(&out, src, 64), 64);
  ck_assert_str_eq(out.s, src + 1);
  src[65] = 'a';
  src[66] = '\0'; /* 65 bytes -> cut */
  ck_assert_uint_eq(ms_name_from_path(&out, src, 64), 64);
  char want[80];
  memcpy(want, src + 1, 55);
  snprintf(want + 55, sizeof(want) - 55, "~%08x", my_fnv1a32(src));
  ck_assert_str_eq(out.s, want);
}
END_TEST

/* Out-of-range caps are clamped to MS_NAME_MIN..MS_NAME_MAX. */
START_TEST(test_max_len_clamped) {
  ms_name_t out;
  char src[300];
  memset(src, 'b', sizeof(src) - 1);
  src[0] = '/';
  src[sizeof(src) - 1] = '\0';
  ck_assert_uint_eq(ms_name_from_path(&out, src, 0), MS_NAME_MIN);
  ck_assert_uint_eq(ms_name_from_path(&out, src, 4), MS_NAME_MIN);
  ck_assert_uint_eq(ms_name_from_path(&out, src, 1000), MS_NAME_MAX);
}
END_TEST

/* Clash suffixes respect the cap too. */
START_TEST(test_unique_with_cap) {
  ms_name_t names[3];
  size_t order[3];
  char src[100];
  memset(src, 'c', sizeof(src));
  src[0] = '/';
  src[64] = '\0'; /* 63-byte name */
  for (int i = 0; i < 3; i++)
    ms_name_from_path(&names[i], src, 64);
  ck_assert_uint_eq(ms_names_make_unique(names, 3, order, 64), 2);
  ck_assert_str_eq(names[0].s, src + 1);
  ck_assert_uint_eq(strlen(names[1].s), 64); /* 62 + "~2" */
  ck_assert_str_eq(names[1].s + 62, "~2");
  ck_assert_str_eq(names[2].s + 62, "~3");
  ck_assert_int_eq(strncmp(names[1].s, src + 1, 62), 0);
}
END_TEST

/* ---- NamingScheme auto: container layouts ------------------------------ */

static const char *auto_name(const char *mp, enum ms_name_rule want) {
  static ms_name_t n;
  strcpy(n.s, "untouched");
  enum ms_name_rule got = ms_name_container(&n, mp, 64);
  ck_assert_msg(got == want, "%s: rule %s, expected %s", mp,
                ms_name_rule_str(got), ms_name_rule_str(want));
  return n.s;
}

#define SHA "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"

/* The four kubelet mount points: the volume's name, no pod UID. */
START_TEST(test_auto_kubelet_layouts) {
  ck_assert_str_eq(
      auto_name("/var/lib/kubelet/pods/8f14e45f-ceea-467f-a0e6-3c2e7a1b5d9c/"
                "volumes/kubernetes.io~nfs/pvc-data-postgres-0",
                MS_RULE_K8S_NFS),
      "k8s-pvc-data-postgres-0");
  ck_assert_str_eq(
      auto_name("/var/lib/kubelet/pods/c9f0f895-fb98-4b9b-99cf-0e0c2f4a1d11/"
                "volumes/kubernetes.io~nfs/pvc-shared-media",
                MS_RULE_K8S_NFS),
      "k8s-pvc-shared-media");
  /* new kubelets stage CSI volumes under sha256(volume handle): the first 12
   * hex digits with the driver name */
  ck_assert_str_eq(auto_name("/var/lib/kubelet/plugins/kubernetes.io/csi/"
                             "nfs.csi.k8s.io/" SHA "/globalmount",
                             MS_RULE_K8S_CSI_GLOBAL),
                   "k8s-csi-nfs.csi.k8s.io-0a1b2c3d4e5f");
  ck_assert_str_eq(
      auto_name("/var/lib/kubelet/pods/45c48cce-2e2d-4fbd-8a1b-7c9e1f3a5b7d/"
                "volumes/kubernetes.io~csi/"
                "pvc-3f2e1d0c-b9a8-4765-8321-0fedcba98765/mount",
                MS_RULE_K8S_CSI),
      "k8s-pvc-3f2e1d0c-b9a8-4765-8321-0fedcba98765");
  /* kubelets before 1.24 staged under the PV's name */
  ck_assert_str_eq(auto_name("/var/lib/kubelet/plugins/kubernetes.io/csi/pv/"
                             "pvc-abc/globalmount",
                             MS_RULE_K8S_CSI_PV),
                   "k8s-pvc-abc");
  /* another kubelet --root-dir: the layout below it decides */
  ck_assert_str_eq(auto_name("/data/kubelet/pods/u1/volumes/kubernetes.io~nfs/"
                             "media",
                             MS_RULE_K8S_NFS),
                   "k8s-media");
}
END_TEST

/* A pod restart: new UID, same volume, same name. */
START_TEST(test_auto_pod_restart_same_name) {
  char a[MS_NAME_SIZE], b[MS_NAME_SIZE];
  strcpy(a, auto_name("/var/lib/kubelet/pods/1111/volumes/kubernetes.io~csi/"
                      "pvc-x/mount",
                      MS_RULE_K8S_CSI));
  strcpy(b, auto_name("/var/lib/kubelet/pods/2222/volumes/kubernetes.io~csi/"
                      "pvc-x/mount",
                      MS_RULE_K8S_CSI));
  ck_assert_str_eq(a, b);
  ck_assert_str_eq(a, "k8s-pvc-x");
}
END_TEST

START_TEST(test_auto_docker_podman) {
  ck_assert_str_eq(
      auto_name("/var/lib/docker/volumes/media/_data", MS_RULE_DOCKER),
      "docker-media");
  ck_assert_str_eq(
      auto_name("/var/lib/containers/storage/volumes/db/_data", MS_RULE_PODMAN),
      "podman-db");
  /* rootless podman */
  ck_assert_str_eq(auto_name("/home/u/.local/share/containers/storage/volumes/"
                             "db/_data",
                             MS_RULE_PODMAN),
                   "podman-db");
}
END_TEST

/* Near misses keep the path rule, and out is not touched. */
START_TEST(test_auto_near_misses) {
  static const char *const paths[] = {
      "/",
      "/mnt/data",
      "/kubernetes.io~nfs/x",
      "/pods/u/volumes/kubernetes.io~nfs", /* no volume name */
      "/var/lib/kubelet/pods/u/volumes/kubernetes.io~csi/pv/notmount",
      "/var/lib/kubelet/plugins/kubernetes.io/csi/drv/nothex/globalmount",
      "/var/lib/kubelet/plugins/kubernetes.io/csi/drv/" SHA "/other",
      "/var/lib/docker/volumes/x/data",
      "/var/lib/docker/volumes/_data",
      "/srv/volumes/x/_data"};
  for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
    ck_assert_str_eq(auto_name(paths[i], MS_RULE_PATH), "untouched");
}
END_TEST

/* A volume name longer than the limit is cut like any name, with the hash
 * of the name made (which has no pod UID): stable too. */
START_TEST(test_auto_long_volume_name) {
  char mp[512], made[300];
  char vol[201];
  memset(vol, 'v', 200);
  vol[200] = '\0';
  snprintf(mp, sizeof(mp),
           "/var/lib/kubelet/pods/u/volumes/kubernetes.io~nfs/%s", vol);
  snprintf(made, sizeof(made), "k8s-%s", vol);
  const char *n = auto_name(mp, MS_RULE_K8S_NFS);
  char want[80];
  snprintf(want, sizeof(want), "k8s-%.51s~%08x", vol,
           (unsigned)my_fnv1a32(made));
  ck_assert_str_eq(n, want);
  ck_assert_uint_eq(strlen(n), 64);
}
END_TEST

/* ---- NamingScheme auto: stable suffixes ------------------------------- */

static void stable_names(const char *const *paths, size_t n, ms_name_t *out) {
  size_t order[16];
  for (size_t i = 0; i < n; i++)
    ms_name_from_path(&out[i], paths[i], 64);
  ms_names_make_unique_stable(out, n, order, 64, paths);
}

/* "/a-b" and "/a/b" both make "a-b": "/a/b" maps back to it and keeps it,
 * "/a-b" gets its own path's hash, in either file order. */
START_TEST(test_stable_df_clash_either_order) {
  const char *p1[] = {"/a-b", "/a/b"}, *p2[] = {"/a/b", "/a-b"};
  ms_name_t n1[2], n2[2];
  stable_names(p1, 2, n1);
  stable_names(p2, 2, n2);
  char want[32];
  snprintf(want, sizeof(want), "a-b~%08x", (unsigned)my_fnv1a32("/a-b"));
  ck_assert_str_eq(n1[0].s, want);
  ck_assert_str_eq(n1[1].s, "a-b");
  ck_assert_str_eq(n2[0].s, "a-b");
  ck_assert_str_eq(n2[1].s, want);
}
END_TEST

/* After write_graphite's folding: "x.y" and "x_y" are one Graphite name;
 * "x_y" is "/x_y"'s. */
START_TEST(test_stable_folding) {
  const char *p[] = {"/x.y", "/x_y", "/x y"};
  ms_name_t n[3];
  stable_names(p, 3, n);
  char w0[32], w2[32];
  snprintf(w0, sizeof(w0), "x.y~%08x", (unsigned)my_fnv1a32("/x.y"));
  snprintf(w2, sizeof(w2), "x y~%08x", (unsigned)my_fnv1a32("/x y"));
  ck_assert_str_eq(n[0].s, w0);
  ck_assert_str_eq(n[1].s, "x_y");
  ck_assert_str_eq(n[2].s, w2);
}
END_TEST

/* Names no path maps back to (container rules): every mount of the clash
 * gets its own hash; the order does not matter. */
START_TEST(test_stable_no_keeper) {
  const char *p[] = {"/pods/1/volumes/kubernetes.io~nfs/v",
                     "/pods/2/volumes/kubernetes.io~nfs/v"};
  ms_name_t n[2], m[2];
  size_t order[2];
  for (int i = 0; i < 2; i++)
    ck_assert(ms_name_container(&n[i], p[i], 64) == MS_RULE_K8S_NFS);
  ck_assert_uint_eq(ms_names_make_unique_stable(n, 2, order, 64, p), 2);
  const char *q[] = {p[1], p[0]};
  for (int i = 0; i < 2; i++)
    ms_name_container(&m[i], q[i], 64);
  ms_names_make_unique_stable(m, 2, order, 64, q);
  ck_assert_str_eq(n[0].s, m[1].s);
  ck_assert_str_eq(n[1].s, m[0].s);
  char want[32];
  snprintf(want, sizeof(want), "k8s-v~%08x", (unsigned)my_fnv1a32(p[0]));
  ck_assert_str_eq(n[0].s, want);
}
END_TEST

/* Two mounts on one path (an overmount): the hashes cannot tell them
 * apart, so file order does, as before. */
START_TEST(test_stable_overmount_falls_back) {
  const char *p[] = {"/m", "/m"};
  ms_name_t n[2];
  stable_names(p, 2, n);
  ck_assert_str_ne(n[0].s, n[1].s);
}
END_TEST

static Suite *naming_suite(void) {
  Suite *s = suite_create("naming");

  MS_CHECK_CASE(s, "fnv", NULL, NULL, test_fnv_vectors);

  TCase *tc =
      MS_CHECK_CASE(s, "name_from_path", NULL, NULL, test_exactly_127_unchanged,
                    test_128_bytes_hashed, test_5000_bytes_hashed,
                    test_long_two_byte_char_at_cut, test_long_three_byte_chars,
                    test_long_shared_prefix_differ,
                    test_long_control_bytes_replaced, test_name_deterministic);
  tcase_add_loop_test(tc, test_short_names, 0,
                      (int)(sizeof(short_cases) / sizeof(short_cases[0])));
  tcase_add_loop_test(tc, test_long_four_byte_chars, 0, 4);

  MS_CHECK_CASE(s, "max_len", NULL, NULL, test_max_len_64, test_max_len_clamped,
                test_unique_with_cap);

  MS_CHECK_CASE(
      s, "make_unique", NULL, NULL, test_unique_df_clash,
      test_unique_three_equal_file_order, test_unique_graphite_folding,
      test_unique_folding_keeps_file_order, test_unique_literal_suffix_first,
      test_unique_literal_suffix_last, test_unique_long_127,
      test_unique_long_eleven, test_unique_long_utf8_suffix,
      test_unique_long_hashed_names, test_unique_deterministic,
      test_unique_no_clash_untouched, test_unique_prefix_not_clash,
      test_unique_realistic_prefixes, test_unique_empty_and_single);

  MS_CHECK_CASE(s, "auto", NULL, NULL, test_auto_kubelet_layouts,
                test_auto_pod_restart_same_name, test_auto_docker_podman,
                test_auto_near_misses, test_auto_long_volume_name,
                test_stable_df_clash_either_order, test_stable_folding,
                test_stable_no_keeper, test_stable_overmount_falls_back);
  return s;
}

int main(void) { return ms_check_main(naming_suite()); }
