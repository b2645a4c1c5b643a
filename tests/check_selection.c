/* SPDX-License-Identifier: MIT
 *
 * check_selection.c: unit tests of src/matcher.c (exact and /regex/ lists,
 * their inversion, and df's selection rule ms_selected()).
 */
#include "check_run.h"
#include "matcher.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The lists of every test, freed by the checked teardown even when an
 * assertion fails (CK_FORK=no under Valgrind). */
static ms_matcher_t Ml, Mp, Mdev, Mfs;

static void teardown(void) {
  ms_matcher_free(&Ml);
  ms_matcher_free(&Mp);
  ms_matcher_free(&Mdev);
  ms_matcher_free(&Mfs);
}

/* Adds every pattern of a NULL-terminated list, asserting success. */
static void add_all(ms_matcher_t *m, const char *const *patterns) {
  for (; *patterns != NULL; patterns++) {
    char err[128] = "";
    int rc = ms_matcher_add(m, *patterns, err, sizeof(err));
    ck_assert_msg(rc == 0, "adding \"%s\" failed: %d %s", *patterns, rc, err);
  }
}

/* ---- ms_matcher_match -----------------------------------------------------
 */

static const struct {
  const char *pattern;
  const char *value;
  int want;
} match_cases[] = {
    /* exact strings: the whole string */
    {"/mnt/data", "/mnt/data", 1},
    {"/mnt/data", "/mnt/data2", 0},
    {"/mnt/data", "/mnt/dat", 0},
    {"/mnt/data", "x/mnt/data", 0},
    {"/mnt/data", "/MNT/DATA", 0},
    {"nfs4", "nfs4", 1},
    {"nfs4", "nfs", 0},
    {"", "", 1}, /* empty exact string matches only "" */
    {"", "a", 0},
    /* "/" alone is one character: an exact string */
    {"/", "/", 1},
    {"/", "/mnt", 0},
    {"/", "", 0},
    /* an exact string with regex characters is still exact */
    {"a.c", "a.c", 1},
    {"a.c", "abc", 0},
    {"^srv", "srv:/x", 0},
    /* unanchored regex: anywhere in the string */
    {"/data/", "/srv/data/x", 1},
    {"/data/", "/srv/dat/x", 0},
    {"/^/mnt/", "/mnt/a", 1},     /* regex "^/mnt" */
    {"/^/mnt/", "/srv/mnt/a", 0}, /* anchored at the start */
    {"/^/srv$/", "/srv", 1},
    {"/^/srv$/", "/srv/x", 0},
    {"/x$/", "/a/x", 1},
    {"/x$/", "/a/xy", 0},
    /* extended syntax: alternation, +, groups, classes */
    {"/^(nfs|nfs4)$/", "nfs4", 1},
    {"/^(nfs|nfs4)$/", "nfs", 1},
    {"/^(nfs|nfs4)$/", "nfsd", 0},
    {"/^srv[0-9]+:/", "srv12:/export", 1},
    {"/^srv[0-9]+:/", "srv:/export", 0},
    /* a pattern of 2+ chars starting and ending with '/' is a regex even if
     * it looks like a path: "/mnt/" is the regex "mnt" */
    {"/mnt/", "/var/mnt", 1},
    {"/mnt/", "/mnt/", 1},
    {"/mnt/", "/srv", 0},
    /* "//" is the empty regex: matches everything */
    {"//", "", 1},
    {"//", "/anything", 1},
};

START_TEST(test_match_table) {
  char err[128] = "";
  ck_assert_int_eq(
      ms_matcher_add(&Ml, match_cases[_i].pattern, err, sizeof(err)), 0);
  ck_assert_uint_eq(Ml.count, 1);
  ck_assert_msg(ms_matcher_match(&Ml, match_cases[_i].value) ==
                    match_cases[_i].want,
                "pattern \"%s\" on \"%s\": want %d", match_cases[_i].pattern,
                match_cases[_i].value, match_cases[_i].want);
  ms_matcher_free(&Ml);
  ck_assert_ptr_null(Ml.items);
  ck_assert_uint_eq(Ml.count, 0);
}
END_TEST

START_TEST(test_pattern_kind) {
  const char *p[] = {"/", "//", "/a/", "a", "/a", "a/", NULL};
  add_all(&Ml, p);
  ck_assert_uint_eq(Ml.count, 6);
  ck_assert_int_eq(Ml.items[0].is_regex, 0);
  ck_assert_str_eq(Ml.items[0].text, "/");
  ck_assert_int_eq(Ml.items[1].is_regex, 1);
  ck_assert_str_eq(Ml.items[1].text, "");
  ck_assert_int_eq(Ml.items[2].is_regex, 1);
  ck_assert_str_eq(Ml.items[2].text, "a");
  ck_assert_int_eq(Ml.items[3].is_regex, 0);
  ck_assert_int_eq(Ml.items[4].is_regex, 0);
  ck_assert_str_eq(Ml.items[4].text, "/a");
  ck_assert_int_eq(Ml.items[5].is_regex, 0);
  ck_assert_str_eq(Ml.items[5].text, "a/");
  ms_matcher_free(&Ml);
}
END_TEST

START_TEST(test_bad_regex) {
  const char *good[] = {"/mnt/a", NULL};
  add_all(&Ml, good);

  char err[128];
  memset(err, 0, sizeof(err));
  ck_assert_int_eq(ms_matcher_add(&Ml, "/a(/", err, sizeof(err)), -EINVAL);
  ck_assert_uint_gt(strlen(err), 0);
  ck_assert_uint_eq(Ml.count, 1); /* nothing was added */

  memset(err, 0, sizeof(err));
  ck_assert_int_eq(ms_matcher_add(&Ml, "/[z/", err, sizeof(err)), -EINVAL);
  ck_assert_uint_gt(strlen(err), 0);
  ck_assert_uint_eq(Ml.count, 1);

  /* err may be NULL or of size 0 */
  ck_assert_int_eq(ms_matcher_add(&Ml, "/(/", NULL, 0), -EINVAL);
  err[0] = 'Q';
  err[1] = '\0';
  ck_assert_int_eq(ms_matcher_add(&Ml, "/(/", err, 0), -EINVAL);
  ck_assert_str_eq(err, "Q");

  /* a tiny buffer is filled and NUL-terminated */
  char small[4];
  memset(small, 'Z', sizeof(small));
  ck_assert_int_eq(ms_matcher_add(&Ml, "/a(/", small, sizeof(small)), -EINVAL);
  ck_assert_uint_le(strnlen(small, sizeof(small)), 3);

  /* the list still works */
  ck_assert_uint_eq(Ml.count, 1);
  ck_assert_int_eq(ms_matcher_match(&Ml, "/mnt/a"), 1);
  ck_assert_int_eq(ms_matcher_match(&Ml, "a("), 0);

  /* the same text as an exact string is fine */
  ck_assert_int_eq(ms_matcher_add(&Ml, "a(", err, sizeof(err)), 0);
  ck_assert_int_eq(ms_matcher_match(&Ml, "a("), 1);
  ms_matcher_free(&Ml);
}
END_TEST

START_TEST(test_empty_list) {
  ck_assert_int_eq(ms_matcher_match(&Ml, ""), 0);
  ck_assert_int_eq(ms_matcher_match(&Ml, "/mnt/a"), 0);
  ck_assert_int_eq(ms_matcher_match(&Ml, NULL), 0);
  ms_matcher_free(&Ml); /* freeing an empty list is fine */
  ms_matcher_free(&Ml);
}
END_TEST

START_TEST(test_null_string) {
  const char *p[] = {"//", "", "/.*/", NULL};
  add_all(&Ml, p);
  ck_assert_int_eq(ms_matcher_match(&Ml, NULL), 0);
  ck_assert_int_eq(ms_matcher_match(&Ml, ""), 1);
  ms_matcher_free(&Ml);
}
END_TEST

START_TEST(test_several_patterns) {
  const char *p[] = {"/mnt/a", "/^/home//", "/scratch$/", "nfs4", NULL};
  add_all(&Ml, p);
  ck_assert_uint_eq(Ml.count, 4);
  ck_assert_int_eq(ms_matcher_match(&Ml, "/mnt/a"), 1);     /* 1st, exact */
  ck_assert_int_eq(ms_matcher_match(&Ml, "/home/u1"), 1);   /* 2nd */
  ck_assert_int_eq(ms_matcher_match(&Ml, "/x/scratch"), 1); /* 3rd */
  ck_assert_int_eq(ms_matcher_match(&Ml, "nfs4"), 1);       /* 4th */
  ck_assert_int_eq(ms_matcher_match(&Ml, "/mnt/a/b"), 0);
  ck_assert_int_eq(ms_matcher_match(&Ml, "/x/home/u1"), 0);
  ck_assert_int_eq(ms_matcher_match(&Ml, "/scratch/x"), 0);
  ck_assert_int_eq(ms_matcher_match(&Ml, "nfs"), 0);
  /* reuse after free */
  ms_matcher_free(&Ml);
  ck_assert_int_eq(ms_matcher_match(&Ml, "/mnt/a"), 0);
  const char *q[] = {"/b/", NULL};
  add_all(&Ml, q);
  ck_assert_int_eq(ms_matcher_match(&Ml, "abc"), 1);
  ck_assert_int_eq(ms_matcher_match(&Ml, "/mnt/a"), 0);
  ms_matcher_free(&Ml);
}
END_TEST

/* ---- ms_selected ------------------------------------------------------------
 */

/* Lists: mount point, device, fstype. NULL pattern lists are empty. */
static const struct {
  const char *mp[3];
  const char *dev[3];
  const char *fs[3];
  const char *values[3]; /* mount point, device, fstype */
  int want_select;       /* the lists as they are */
  int want_ignore;       /* every list inverted (IgnoreSelected) */
} sel_cases[] = {
    /* all lists empty: everything kept either way */
    {{NULL}, {NULL}, {NULL}, {"/mnt/a", "srv:/a", "nfs4"}, 1, 1},
    {{NULL}, {NULL}, {NULL}, {NULL, NULL, NULL}, 1, 1},
    /* one non-empty list */
    {{"/mnt/a", NULL}, {NULL}, {NULL}, {"/mnt/a", "srv:/a", "nfs4"}, 1, 0},
    {{"/mnt/a", NULL}, {NULL}, {NULL}, {"/mnt/b", "srv:/a", "nfs4"}, 0, 1},
    {{NULL}, {"/^srv:/", NULL}, {NULL}, {"/mnt/b", "srv:/b", "nfs"}, 1, 0},
    {{NULL}, {"/^srv:/", NULL}, {NULL}, {"/mnt/b", "other:/b", "nfs"}, 0, 1},
    {{NULL}, {NULL}, {"nfs", NULL}, {"/mnt/b", "srv:/b", "nfs4"}, 0, 1},
    /* two non-empty lists: select needs both, ignore needs neither */
    {{"/^/mnt//", NULL},
     {NULL},
     {"nfs4", NULL},
     {"/mnt/x", "s:/x", "nfs4"},
     1,
     0},
    {{"/^/mnt//", NULL},
     {NULL},
     {"nfs4", NULL},
     {"/mnt/x", "s:/x", "nfs"},
     0,
     0},
    {{"/^/mnt//", NULL},
     {NULL},
     {"nfs4", NULL},
     {"/srv/x", "s:/x", "nfs4"},
     0,
     0},
    {{"/^/mnt//", NULL},
     {NULL},
     {"nfs4", NULL},
     {"/srv/x", "s:/x", "nfs"},
     0,
     1},
    /* three lists, several patterns each */
    {{"/mnt/a", "/mnt/b", NULL},
     {"/^s1:/", "/^s2:/", NULL},
     {"nfs", "nfs4", NULL},
     {"/mnt/b", "s2:/e", "nfs"},
     1,
     0},
    {{"/mnt/a", "/mnt/b", NULL},
     {"/^s1:/", "/^s2:/", NULL},
     {"nfs", "nfs4", NULL},
     {"/mnt/b", "s3:/e", "nfs"},
     0,
     0},
    {{"/mnt/a", "/mnt/b", NULL},
     {"/^s1:/", "/^s2:/", NULL},
     {"nfs", "nfs4", NULL},
     {"/mnt/c", "s3:/e", "cifs"},
     0,
     1},
    /* a NULL value never matches */
    {{"//", NULL}, {NULL}, {NULL}, {NULL, "s:/x", "nfs"}, 0, 1},
    {{NULL}, {"//", NULL}, {NULL}, {"/mnt/a", NULL, "nfs"}, 0, 1},
    /* a NULL value under an empty list does not matter */
    {{NULL}, {"//", NULL}, {NULL}, {NULL, "s:/x", NULL}, 1, 0},
};

START_TEST(test_selected_table) {
  add_all(&Mp, sel_cases[_i].mp);
  add_all(&Mdev, sel_cases[_i].dev);
  add_all(&Mfs, sel_cases[_i].fs);
  const ms_matcher_t *const lists[3] = {&Mp, &Mdev, &Mfs};
  const char *const *values = sel_cases[_i].values;
  ck_assert_int_eq(ms_selected(lists, values, 3), sel_cases[_i].want_select);
  Mp.invert = Mdev.invert = Mfs.invert = true; /* IgnoreSelected */
  ck_assert_int_eq(ms_selected(lists, values, 3), sel_cases[_i].want_ignore);
  ms_matcher_free(&Mp);
  ms_matcher_free(&Mdev);
  ms_matcher_free(&Mfs);
}
END_TEST

START_TEST(test_selected_zero_lists) {
  ck_assert_int_eq(ms_selected(NULL, NULL, 0), 1);
  const ms_matcher_t *const none[1] = {NULL};
  const char *const value[1] = {"/mnt/a"};
  ck_assert_int_eq(ms_selected(none, value, 1), 1);
}
END_TEST

/* One list on its own, as operations are selected: its own inversion. */
START_TEST(test_selects_with_invert) {
  ck_assert(ms_matcher_selects(&Ml, "READ")); /* empty: everything */
  Ml.invert = true;
  ck_assert(ms_matcher_selects(&Ml, "READ")); /* empty, inverted: too */
  ck_assert_int_eq(ms_matcher_add(&Ml, "/^READ/", NULL, 0), 0);
  ck_assert(!ms_matcher_selects(&Ml, "READ_PLUS"));
  ck_assert(ms_matcher_selects(&Ml, "WRITE"));
  ck_assert(ms_matcher_selects(&Ml, NULL)); /* no value: no match */
  Ml.invert = false;
  ck_assert(ms_matcher_selects(&Ml, "READ_PLUS"));
  ck_assert(!ms_matcher_selects(&Ml, "WRITE"));
  ck_assert(!ms_matcher_selects(&Ml, NULL));
  ms_matcher_free(&Ml);
  ck_assert(!Ml.invert && Ml.count == 0);
}
END_TEST

static Suite *selection_suite(void) {
  Suite *s = suite_create("selection");

  TCase *tc = MS_CHECK_CASE(s, "matcher", NULL, teardown, test_pattern_kind,
                            test_bad_regex, test_empty_list, test_null_string,
                            test_several_patterns);
  tcase_add_loop_test(tc, test_match_table, 0,
                      (int)(sizeof(match_cases) / sizeof(match_cases[0])));

  tc = MS_CHECK_CASE(s, "selected", NULL, teardown, test_selected_zero_lists,
                     test_selects_with_invert);
  tcase_add_loop_test(tc, test_selected_table, 0,
                      (int)(sizeof(sel_cases) / sizeof(sel_cases[0])));
  return s;
}

int main(void) { return ms_check_main(selection_suite()); }
