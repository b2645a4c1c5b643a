/* SPDX-License-Identifier: MIT
 *
 * check_mountinfo.c: unit tests of src/mountinfo.c (the /proc/<pid>/mountinfo
 * reader and its match to mountstats records).
 */
#include "check_run.h"
#include "mountinfo.h"
#include "mountstats.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEV(maj, min) (((uint64_t)(maj) << 32) | (uint64_t)(min))

static int span_is(ms_span_t s, const char *lit) {
  return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

#define ck_assert_span_eq(span, lit)                                           \
  ck_assert_msg(span_is((span), (lit)), "span \"%.*s\" != \"%s\"",             \
                (int)(span).len, (span).ptr, (lit))

/* A small NFS record of /proc/self/mountstats. */
#define NFS_REC(dev, mnt, fstype)                                              \
  "device " dev " mounted on " mnt " with fstype " fstype " statvers=1.1\n"    \
  "\topts:\trw,vers=4.2,rsize=1048576,wsize=1048576,proto=tcp\n"               \
  "\tage:\t100\n"                                                              \
  "\tevents:\t1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 "    \
  "24 25 26 27 \n"                                                             \
  "\tbytes:\t1 2 3 4 5 6 7 8 \n"                                               \
  "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"                          \
  "\txprt:\ttcp 875 1 1 0 0 10 10 0 20 0 2 0 0\n"                              \
  "\tper-op statistics\n"                                                      \
  "\t        NULL: 1 1 0 44 24 0 0 1 0\n"                                      \
  "\t        READ: 5 5 0 700 4000 1 10 12 0\n"                                 \
  "\n"

#define OTHER_REC(dev, mnt, fstype)                                            \
  "device " dev " mounted on " mnt " with fstype " fstype "\n"

/* The state of every test, freed by the checked teardown even when an
 * assertion fails (CK_FORK=no under Valgrind). */
typedef struct {
  ms_snapshot_t snap;
  ms_mountinfo_t t;
  uint64_t dev[16];
  size_t matched;
} match_fx;

static ms_mountinfo_t T;
static match_fx M;
static char *Big;

static void teardown(void) {
  ms_mountinfo_free(&T);
  ms_snapshot_free(&M.snap);
  ms_mountinfo_free(&M.t);
  free(Big);
  Big = NULL;
}

/* ---- ms_mountinfo_parse
 * -------------------------------------------------------------
 */

static const char realistic[] =
    "22 1 259:3 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p3 rw\n"
    "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc "
    "proc rw\n"
    "24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs "
    "sysfs rw\n"
    "25 22 0:5 / /dev rw,nosuid shared:8 - devtmpfs udev "
    "rw,size=8000000k,nr_inodes=2000000,mode=755\n"
    "36 22 0:52 / /mnt/a rw,relatime shared:101 master:2 - nfs4 "
    "srv:/export/a rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,"
    "proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.0.0.2,"
    "local_lock=none,addr=10.0.0.1\n"
    "37 22 0:53 /sub /mnt/b rw,relatime - nfs old:/vol "
    "rw,vers=3,proto=tcp,mountaddr=10.0.0.3\n"
    "this is not a mountinfo line\n"
    "38 22 0:54 / /mnt/with\\040space rw,relatime shared:7 - nfs4 "
    "srv:/export/s\\040p rw,vers=4.1\n"
    "39 22 0:40 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,mode=755\n"
    "40 22 259:3 /home /home rw,relatime shared:1 - ext4 /dev/nvme0n1p3 rw\n"
    "41 22 0:55 / /mnt/c rw,relatime shared:9 master:3 propagate_from:3 "
    "unbindable - nfs srv:/c rw\n"
    "42 22 0:56 / /mnt/nl rw,relatime - nfs4 srv:/nl rw";

START_TEST(test_parse_realistic) {
  ck_assert_int_eq(ms_mountinfo_parse(&T, realistic, strlen(realistic)), 0);
  ck_assert_uint_eq(T.count, 4);
  ck_assert_uint_eq(T.bad_lines, 1);

  ck_assert_span_eq(T.entries[0].mountpoint, "/mnt/a");
  ck_assert_span_eq(T.entries[0].fstype, "nfs4");
  ck_assert_uint_eq(T.entries[0].dev, DEV(0, 52));
  ck_assert_uint_eq(T.entries[0].dev, 52);

  ck_assert_span_eq(T.entries[1].mountpoint, "/mnt/b");
  ck_assert_span_eq(T.entries[1].fstype, "nfs");
  ck_assert_uint_eq(T.entries[1].dev, 53);

  /* still escaped, as in mountstats */
  ck_assert_span_eq(T.entries[2].mountpoint, "/mnt/with\\040space");
  ck_assert_span_eq(T.entries[2].fstype, "nfs4");
  ck_assert_uint_eq(T.entries[2].dev, 54);

  ck_assert_span_eq(T.entries[3].mountpoint, "/mnt/c");
  ck_assert_span_eq(T.entries[3].fstype, "nfs");
  ck_assert_uint_eq(T.entries[3].dev, 55);

  /* The last line had no newline: "/mnt/nl" is not there. */
  for (size_t i = 0; i < T.count; i++)
    ck_assert(!span_is(T.entries[i].mountpoint, "/mnt/nl"));
  ms_mountinfo_free(&T);
  ck_assert_ptr_null(T.entries);
  ck_assert_uint_eq(T.count, 0);
}
END_TEST

/* Device numbers: "major:minor" -> (major << 32) | minor. */
static const struct {
  const char *dev;
  uint64_t want;
} dev_cases[] = {
    {"0:52", 52},
    {"259:3", 0x0000010300000003ull},
    {"0:1048575", 0xfffffull},
    {"8:1", 0x0000000800000001ull},
    {"4095:0", 0x00000fff00000000ull},
    {"4294967295:4294967295", 0xffffffffffffffffull},
};

START_TEST(test_parse_dev) {
  char line[256];
  snprintf(line, sizeof(line),
           "36 22 %s / /mnt/a rw,relatime - nfs srv:/a rw,vers=3\n",
           dev_cases[_i].dev);
  ck_assert_int_eq(ms_mountinfo_parse(&T, line, strlen(line)), 0);
  ck_assert_uint_eq(T.bad_lines, 0);
  ck_assert_uint_eq(T.count, 1);
  ck_assert_uint_eq(T.entries[0].dev, dev_cases[_i].want);
  ms_mountinfo_free(&T);
}
END_TEST

/* Lines that are not mountinfo lines. */
static const char *const bad_cases[] = {
    "garbage\n",
    "36 22 0:52 / /mnt/a\n",                                   /* too short */
    "36 22 0:52 / /mnt/a rw,relatime nfs srv:/a rw\n",         /* no "-" */
    "36 22 x:52 / /mnt/a rw,relatime - nfs srv:/a rw\n",       /* bad major */
    "36 22 0:5x / /mnt/a rw,relatime - nfs srv:/a rw\n",       /* bad minor */
    "36 22 052 / /mnt/a rw,relatime - nfs srv:/a rw\n",        /* no ":" */
    "36 22 :52 / /mnt/a rw,relatime - nfs srv:/a rw\n",        /* no major */
    "36 22 0: / /mnt/a rw,relatime - nfs srv:/a rw\n",         /* no minor */
    "36 22 4294967296:0 / /mnt/a rw,relatime - nfs s:/a rw\n", /* > 32 bit */
    "36 22 0:52 / /mnt/a rw,relatime shared:1 -\n", /* nothing after "-" */
};

START_TEST(test_parse_bad_line) {
  /* one bad line between two good ones */
  char buf[512];
  snprintf(buf, sizeof(buf),
           "30 22 0:50 / /mnt/x rw - nfs s:/x rw\n%s"
           "31 22 0:51 / /mnt/y rw - nfs4 s:/y rw\n",
           bad_cases[_i]);
  ck_assert_int_eq(ms_mountinfo_parse(&T, buf, strlen(buf)), 0);
  ck_assert_uint_eq(T.bad_lines, 1);
  ck_assert_uint_eq(T.count, 2);
  ck_assert_span_eq(T.entries[0].mountpoint, "/mnt/x");
  ck_assert_uint_eq(T.entries[0].dev, 50);
  ck_assert_span_eq(T.entries[1].mountpoint, "/mnt/y");
  ck_assert_uint_eq(T.entries[1].dev, 51);
  ms_mountinfo_free(&T);
}
END_TEST

START_TEST(test_parse_fstype_filter) {
  /* only exactly "nfs" and "nfs4" are kept */
  static const char buf[] = "30 22 0:50 / /a rw - nfsd nfsd rw\n"
                            "31 22 0:51 / /b rw - nfs4x s:/b rw\n"
                            "32 22 0:52 / /c rw - fuse.sshfs u@h:/c rw\n"
                            "33 22 0:53 / /d rw - NFS s:/d rw\n"
                            "34 22 0:54 / /e rw - nfs s:/e rw\n";
  ck_assert_int_eq(ms_mountinfo_parse(&T, buf, strlen(buf)), 0);
  ck_assert_uint_eq(T.count, 1);
  ck_assert_uint_eq(T.bad_lines, 0);
  ck_assert_span_eq(T.entries[0].mountpoint, "/e");
  ms_mountinfo_free(&T);
}
END_TEST

START_TEST(test_parse_reuse_and_empty) {
  /* Grow past the first capacity, then reuse for a small text. */
  char *big = Big = malloc(40 * 64);
  ck_assert_ptr_nonnull(big);
  size_t len = 0;
  for (int i = 0; i < 40; i++)
    len +=
        (size_t)snprintf(big + len, 64, "%d 1 0:%d / /m/%d rw - nfs s:/ rw\n",
                         100 + i, 100 + i, i);
  ck_assert_int_eq(ms_mountinfo_parse(&T, big, len), 0);
  ck_assert_uint_eq(T.count, 40);
  ck_assert_span_eq(T.entries[39].mountpoint, "/m/39");
  ck_assert_uint_eq(T.entries[39].dev, 139);

  static const char small[] = "1 0 0:7 / /z rw - nfs4 s:/z rw\nbad\n";
  ck_assert_int_eq(ms_mountinfo_parse(&T, small, strlen(small)), 0);
  ck_assert_uint_eq(T.count, 1);
  ck_assert_uint_eq(T.bad_lines, 1);
  ck_assert_span_eq(T.entries[0].mountpoint, "/z");

  ck_assert_int_eq(ms_mountinfo_parse(&T, "", 0), 0);
  ck_assert_uint_eq(T.count, 0);
  ck_assert_uint_eq(T.bad_lines, 0);

  /* a text that is only an incomplete line */
  static const char partial[] = "1 0 0:7 / /z rw - nfs4 s:/z rw";
  ck_assert_int_eq(ms_mountinfo_parse(&T, partial, strlen(partial)), 0);
  ck_assert_uint_eq(T.count, 0);
  ms_mountinfo_free(&T);
  ms_mountinfo_free(&T); /* twice is fine */
}
END_TEST

/* ---- ms_mountinfo_match
 * -------------------------------------------------------------
 */

static void do_match(match_fx *f, const char *mountstats, const char *info) {
  memset(f, 0, sizeof(*f));
  ck_assert_int_eq(ms_parse(&f->snap, mountstats, strlen(mountstats)), 0);
  ck_assert_int_eq(ms_mountinfo_parse(&f->t, info, strlen(info)), 0);
  ck_assert_uint_le(f->snap.nmounts, 16);
  for (size_t i = 0; i < 16; i++)
    f->dev[i] = 0xdeadbeefull; /* must be overwritten */
  f->matched = ms_mountinfo_match(&f->t, &f->snap, f->dev);
}

static void undo_match(match_fx *f) {
  ms_snapshot_free(&f->snap);
  ms_mountinfo_free(&f->t);
}

START_TEST(test_match_in_order) {
  static const char ms[] = OTHER_REC("/dev/nvme0n1p3", "/", "ext4")
      OTHER_REC("proc", "/proc", "proc")
          NFS_REC("srv:/export/a", "/mnt/a", "nfs4")
              NFS_REC("old:/vol/sub", "/mnt/b", "nfs")
                  NFS_REC("srv:/export/s\\040p", "/mnt/with\\040space", "nfs4")
                      OTHER_REC("tmpfs", "/run", "tmpfs")
                          NFS_REC("srv:/c", "/mnt/c", "nfs");
  do_match(&M, ms, realistic);
  ck_assert_uint_eq(M.snap.nmounts, 4);
  ck_assert_uint_eq(M.matched, 4);
  ck_assert_uint_eq(M.dev[0], 52);
  ck_assert_uint_eq(M.dev[1], 53);
  ck_assert_uint_eq(M.dev[2], 54); /* escaped mount point */
  ck_assert_uint_eq(M.dev[3], 55);
  undo_match(&M);
}
END_TEST

START_TEST(test_match_missing_in_mountinfo) {
  /* /mnt/gone is in mountstats only: 0, and the later ones still match. */
  static const char ms[] =
      NFS_REC("s:/a", "/mnt/a", "nfs4") NFS_REC("s:/g", "/mnt/gone", "nfs4")
          NFS_REC("s:/b", "/mnt/b", "nfs4") NFS_REC("s:/c", "/mnt/c", "nfs");
  static const char info[] = "30 1 0:60 / /mnt/a rw - nfs4 s:/a rw\n"
                             "31 1 0:61 / /mnt/b rw - nfs4 s:/b rw\n"
                             "32 1 0:62 / /mnt/c rw - nfs s:/c rw\n";
  do_match(&M, ms, info);
  ck_assert_uint_eq(M.snap.nmounts, 4);
  ck_assert_uint_eq(M.matched, 3);
  ck_assert_uint_eq(M.dev[0], 60);
  ck_assert_uint_eq(M.dev[1], 0);
  ck_assert_uint_eq(M.dev[2], 61);
  ck_assert_uint_eq(M.dev[3], 62);
  undo_match(&M);
}
END_TEST

START_TEST(test_match_first_missing) {
  static const char ms[] =
      NFS_REC("s:/g", "/mnt/gone", "nfs4") NFS_REC("s:/a", "/mnt/a", "nfs4");
  static const char info[] = "31 1 0:61 / /mnt/a rw - nfs4 s:/a rw\n";
  do_match(&M, ms, info);
  ck_assert_uint_eq(M.matched, 1);
  ck_assert_uint_eq(M.dev[0], 0);
  ck_assert_uint_eq(M.dev[1], 61);
  undo_match(&M);
}
END_TEST

START_TEST(test_match_extra_in_mountinfo) {
  /* /mnt/new is in mountinfo only: skipped. */
  static const char ms[] =
      NFS_REC("s:/a", "/mnt/a", "nfs4") NFS_REC("s:/b", "/mnt/b", "nfs4");
  static const char info[] = "30 1 0:60 / /mnt/a rw - nfs4 s:/a rw\n"
                             "33 1 0:63 / /mnt/new rw - nfs4 s:/n rw\n"
                             "31 1 0:61 / /mnt/b rw - nfs4 s:/b rw\n"
                             "34 1 0:64 / /mnt/new2 rw - nfs s:/n rw\n";
  do_match(&M, ms, info);
  ck_assert_uint_eq(M.matched, 2);
  ck_assert_uint_eq(M.dev[0], 60);
  ck_assert_uint_eq(M.dev[1], 61);
  undo_match(&M);
}
END_TEST

START_TEST(test_match_overmount) {
  /* /mnt/a mounted twice (the second on top of the first), matched in
   * order; a bind mount of the first elsewhere shows the same dev. */
  static const char ms[] = NFS_REC("s:/a", "/mnt/a", "nfs4")
      NFS_REC("s:/b", "/mnt/a", "nfs4") NFS_REC("s:/a", "/mnt/bind", "nfs4")
          NFS_REC("s:/c", "/mnt/a", "nfs4");
  static const char info[] = "30 1 0:60 / /mnt/a rw - nfs4 s:/a rw\n"
                             "31 30 0:61 / /mnt/a rw - nfs4 s:/b rw\n"
                             "32 1 0:60 / /mnt/bind rw - nfs4 s:/a rw\n"
                             "33 31 0:62 / /mnt/a rw - nfs4 s:/c rw\n";
  do_match(&M, ms, info);
  ck_assert_uint_eq(M.matched, 4);
  ck_assert_uint_eq(M.dev[0], 60);
  ck_assert_uint_eq(M.dev[1], 61);
  ck_assert_uint_eq(M.dev[2], 60);
  ck_assert_uint_eq(M.dev[3], 62);
  undo_match(&M);
}
END_TEST

START_TEST(test_match_overmount_first_gone) {
  /* The lower of two mounts on /mnt/a went away between the reads: the
   * upper one still matches its line. */
  static const char ms[] = NFS_REC("s:/a", "/mnt/a", "nfs4")
      NFS_REC("s:/b", "/mnt/a", "nfs4") NFS_REC("s:/x", "/mnt/x", "nfs");
  static const char info[] = "31 1 0:61 / /mnt/a rw - nfs4 s:/b rw\n"
                             "35 1 0:65 / /mnt/x rw - nfs s:/x rw\n";
  do_match(&M, ms, info);
  /* Record 0 takes the only /mnt/a line (in order); record 1 finds none. */
  ck_assert_uint_eq(M.matched, 2);
  ck_assert_uint_eq(M.dev[0], 61);
  ck_assert_uint_eq(M.dev[1], 0);
  ck_assert_uint_eq(M.dev[2], 65);
  undo_match(&M);
}
END_TEST

START_TEST(test_match_fstype_and_escape) {
  /* Same mount point, other fstype: no match. The escape is compared as
   * printed: "/mnt/x\040y" is not "/mnt/x y" nor "/mnt/x\\040y" decoded. */
  static const char ms[] =
      NFS_REC("s:/a", "/mnt/a", "nfs4") NFS_REC("s:/t", "/mnt/t\\011ab", "nfs")
          NFS_REC("s:/b", "/mnt/back\\134slash", "nfs4");
  static const char info[] = "30 1 0:60 / /mnt/a rw - nfs s:/a rw\n"
                             "31 1 0:61 / /mnt/t\\011ab rw - nfs s:/t rw\n"
                             "32 1 0:62 / /mnt/back\\134slash rw - nfs4 s:/b "
                             "rw\n";
  do_match(&M, ms, info);
  ck_assert_uint_eq(M.matched, 2);
  ck_assert_uint_eq(M.dev[0], 0);
  ck_assert_uint_eq(M.dev[1], 61);
  ck_assert_uint_eq(M.dev[2], 62);
  undo_match(&M);
}
END_TEST

START_TEST(test_match_empty) {
  static const char ms[] = NFS_REC("s:/a", "/mnt/a", "nfs4");
  do_match(&M, ms, "");
  ck_assert_uint_eq(M.matched, 0);
  ck_assert_uint_eq(M.dev[0], 0);
  ck_assert_uint_eq(M.dev[1], 0xdeadbeefull); /* only nmounts entries */
  undo_match(&M);

  do_match(&M, "", "30 1 0:60 / /mnt/a rw - nfs s:/a rw\n");
  ck_assert_uint_eq(M.snap.nmounts, 0);
  ck_assert_uint_eq(M.matched, 0);
  ck_assert_uint_eq(M.dev[0], 0xdeadbeefull);
  undo_match(&M);
}
END_TEST

static Suite *mountinfo_suite(void) {
  Suite *s = suite_create("mountinfo");

  TCase *tc =
      MS_CHECK_CASE(s, "parse", NULL, teardown, test_parse_realistic,
                    test_parse_fstype_filter, test_parse_reuse_and_empty);
  tcase_add_loop_test(tc, test_parse_dev, 0,
                      (int)(sizeof(dev_cases) / sizeof(dev_cases[0])));
  tcase_add_loop_test(tc, test_parse_bad_line, 0,
                      (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));

  MS_CHECK_CASE(s, "match", NULL, teardown, test_match_in_order,
                test_match_missing_in_mountinfo, test_match_first_missing,
                test_match_extra_in_mountinfo, test_match_overmount,
                test_match_overmount_first_gone, test_match_fstype_and_escape,
                test_match_empty);
  return s;
}

int main(void) { return ms_check_main(mountinfo_suite()); }
