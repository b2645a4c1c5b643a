/* SPDX-License-Identifier: MIT
 *
 * check_superblock.c: unit tests of src/superblock.c (records showing one
 * superblock, records sharing one server connection).
 */
#include "check_run.h"
#include "mountstats.h"
#include "superblock.h"

#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_MAX 8

/* ---- building mountstats texts ------------------------------------------ */

#define OPTS4(proto, vers)                                                     \
  "rw,vers=" vers ",rsize=1048576,wsize=1048576,namlen=255,acregmin=3,"        \
  "acregmax=60,acdirmin=30,acdirmax=60,hard,proto=" proto ",timeo=600,"        \
  "retrans=2,sec=sys,clientaddr=10.0.0.2,local_lock=none"
#define OPTS OPTS4("tcp", "4.2")

/* Which single counter is one higher than in the base record. */
enum bump {
  BUMP_NONE = 0,
  BUMP_AGE,
  BUMP_EVENT_FIRST,
  BUMP_EVENT_LAST,
  BUMP_BYTES,
  BUMP_FSC,
  BUMP_OP_OPS,
  BUMP_OP_SENT,
  BUMP_OP_ERRORS,
  BUMP_XPRT_SENDS,
  BUMP_XPRT_LAST,
  BUMP_COUNT
};

typedef struct {
  const char *dev, *mnt;
  const char *opts; /* NULL: OPTS */
  enum bump bump;
  const char *xprt; /* whole xprt lines; NULL: one default tcp line */
  int fsc;          /* print an fsc: line */
} rec_t;

typedef struct {
  char *buf;
  size_t len, cap;
} text_t;

__attribute__((format(printf, 2, 3))) static void put(text_t *t,
                                                      const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  ck_assert_int_ge(n, 0);
  if (t->len + (size_t)n + 1 > t->cap) {
    size_t cap = (t->len + (size_t)n + 1) * 2;
    char *p = realloc(t->buf, cap);
    ck_assert_ptr_nonnull(p);
    t->buf = p;
    t->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
  va_end(ap);
  t->len += (size_t)n;
}

static void put_record(text_t *t, const rec_t *r) {
  unsigned long b = 1000;
  put(t, "device %s mounted on %s with fstype nfs4 statvers=1.1\n", r->dev,
      r->mnt);
  put(t, "\topts:\t%s\n", r->opts ? r->opts : OPTS);
  put(t, "\tage:\t%lu\n", 86400ul + (r->bump == BUMP_AGE));
  put(t, "\timpl_id:\tname='',domain='',date='0,0'\n");
  put(t, "\tcaps:\tcaps=0x3ffdf,wtmult=512,dtsize=32768,bsize=0,namlen=255\n");
  put(t, "\tnfsv4:\tbm0=0xfdffbfff,bm1=0x40f9be3e,bm2=0x28803,acl=0x3,"
         "sessions,pnfs=not configured,lease_time=90,lease_expired=0\n");
  put(t, "\tsec:\tflavor=1,pseudoflavor=1\n");
  put(t, "\tevents:\t");
  for (unsigned i = 0; i < 27; i++)
    put(t, "%lu ",
        b + i + (i == 0 && r->bump == BUMP_EVENT_FIRST) +
            (i == 26 && r->bump == BUMP_EVENT_LAST));
  put(t, "\n\tbytes:\t");
  for (unsigned i = 0; i < 8; i++)
    put(t, "%lu ", 4096 * (b + i) + (i == 7 && r->bump == BUMP_BYTES));
  put(t, "\n");
  if (r->fsc) {
    put(t, "\tfsc:\t");
    for (unsigned i = 0; i < 5; i++)
      put(t, "%lu ", 7ul + i + (i == 4 && r->bump == BUMP_FSC));
    put(t, "\n");
  }
  put(t, "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n");
  if (r->xprt)
    put(t, "%s", r->xprt);
  else
    put(t, "\txprt:\ttcp 875 0 1 0 0 %lu 500 0 600 0 4 0 %lu\n",
        500ul + (r->bump == BUMP_XPRT_SENDS),
        3ul + (r->bump == BUMP_XPRT_LAST));
  put(t, "\tper-op statistics\n");
  put(t, "\t        NULL: 1 1 0 44 24 0 0 1 0\n");
  put(t, "\t        READ: %lu 300 0 %lu 1228800 2 150 160 0\n",
      300ul + (r->bump == BUMP_OP_OPS), 38400ul + (r->bump == BUMP_OP_SENT));
  put(t, "\t       WRITE: 200 200 0 819200 25600 1 90 95 %lu\n",
      0ul + (r->bump == BUMP_OP_ERRORS));
  put(t, "\t     GETATTR: 50 50 0 6400 12000 0 20 22 0\n");
  put(t, "\n");
}

typedef struct {
  text_t text;
  ms_snapshot_t snap;
  size_t leader[N_MAX];
} fx_t;

/* Parses the records (plus a non-NFS one in front) into f->snap. */
static void build(fx_t *f, const rec_t *recs, size_t n) {
  ck_assert_uint_le(n, N_MAX);
  f->text.len = 0;
  put(&f->text, "device sysfs mounted on /sys with fstype sysfs\n");
  for (size_t i = 0; i < n; i++)
    put_record(&f->text, &recs[i]);
  ck_assert_int_eq(ms_parse(&f->snap, f->text.buf, f->text.len), 0);
  ck_assert_uint_eq(f->snap.nmounts, n);
  ck_assert_uint_eq(f->snap.diags_total, 0);
  for (size_t i = 0; i < N_MAX; i++)
    f->leader[i] = 999;
}

static void fx_free(fx_t *f) {
  ms_snapshot_free(&f->snap);
  free(f->text.buf);
  memset(f, 0, sizeof(*f));
}

static void assert_leaders(const fx_t *f, const size_t *want, size_t n) {
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(f->leader[i] == want[i], "leader[%zu] = %zu, want %zu", i,
                  f->leader[i], want[i]);
}

/* The fixture of every test, freed by the checked teardown even when an
 * assertion fails (CK_FORK=no under Valgrind). */
static fx_t F;
static ms_group_t G;

static void teardown(void) {
  ms_group_free(&G);
  fx_free(&F);
}

#define EXPECT(f, ...)                                                         \
  do {                                                                         \
    const size_t want_[] = {__VA_ARGS__};                                      \
    assert_leaders((f), want_, sizeof(want_) / sizeof(want_[0]));              \
  } while (0)

/* ---- ms_device_server -------------------------------------------------------
 */

static const struct {
  const char *dev;
  const char *want;
} server_cases[] = {
    {"srv:/x", "srv"},
    {"[fe80::1]:/x", "[fe80::1]"},
    {"srv", "srv"},
    {"", ""},
    {"10.0.0.1:/export/a", "10.0.0.1"},
    {"srv.example.com:/a:b", "srv.example.com"},
    {"[2001:db8::2]:/", "[2001:db8::2]"},
    {":/x", ""},
};

START_TEST(test_device_server) {
  ms_span_t d = {server_cases[_i].dev, strlen(server_cases[_i].dev)};
  ms_span_t s = ms_device_server(d);
  ck_assert_ptr_eq(s.ptr, d.ptr);
  ck_assert_uint_eq(s.len, strlen(server_cases[_i].want));
  ck_assert_int_eq(memcmp(s.ptr, server_cases[_i].want, s.len), 0);
}
END_TEST

START_TEST(test_device_server_not_nul_terminated) {
  /* The span ends before the ':' of the buffer. */
  const char buf[] = "srvname:/x";
  ms_span_t d = {buf, 3};
  ms_span_t s = ms_device_server(d);
  ck_assert_uint_eq(s.len, 3);
}
END_TEST

/* ---- ms_group_superblocks: with device numbers --------------------------- */

START_TEST(test_sb_dev_bind_mounts) {
  /* /mnt/bind shows the superblock of /mnt/a (same dev), its counters read
   * a moment later; /mnt/c has identical counters but another dev. */
  rec_t r[] = {
      {"srv:/export/a", "/mnt/a", NULL, BUMP_NONE, NULL, 0},
      {"srv:/export/a", "/mnt/bind", NULL, BUMP_OP_OPS, NULL, 0},
      {"srv:/export/a", "/mnt/c", NULL, BUMP_NONE, NULL, 0},
      {"srv:/export/a/sub", "/srv/bind2", NULL, BUMP_EVENT_LAST, NULL, 0},
  };
  uint64_t dev[] = {52, 52, 53, 52};
  build(&F, r, 4);
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, dev, NULL, F.leader), 0);
  EXPECT(&F, 0, 0, 2, 0);
}
END_TEST

START_TEST(test_sb_dev_leader_is_first_in_file_order) {
  /* The larger dev comes first: the order of dev numbers must not matter. */
  rec_t r[] = {
      {"s:/a", "/a", NULL, BUMP_NONE, NULL, 0},
      {"s:/b", "/b", NULL, BUMP_AGE, NULL, 0},
      {"s:/a", "/a2", NULL, BUMP_BYTES, NULL, 0},
      {"s:/b", "/b2", NULL, BUMP_EVENT_FIRST, NULL, 0},
      {"s:/c", "/c", NULL, BUMP_OP_SENT, NULL, 0},
  };
  uint64_t dev[] = {(259ull << 32) | 3, 53, (259ull << 32) | 3, 53, 7};
  build(&F, r, 5);
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, dev, NULL, F.leader), 0);
  EXPECT(&F, 0, 1, 0, 1, 4);
}
END_TEST

START_TEST(test_sb_dev_all_different) {
  /* identical counters everywhere, different devs: nothing grouped */
  rec_t r[] = {
      {"s:/a", "/a", NULL, BUMP_NONE, NULL, 0},
      {"s:/a", "/b", NULL, BUMP_NONE, NULL, 0},
      {"s:/a", "/c", NULL, BUMP_NONE, NULL, 0},
  };
  uint64_t dev[] = {60, 61, 62};
  build(&F, r, 3);
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, dev, NULL, F.leader), 0);
  EXPECT(&F, 0, 1, 2);
}
END_TEST

/* ---- ms_group_superblocks: fallback without device numbers -------------- */

START_TEST(test_sb_fallback_identical) {
  rec_t r[] = {
      {"srv:/export/a", "/mnt/a", NULL, BUMP_NONE, NULL, 1},
      {"srv:/export/other", "/mnt/b", NULL, BUMP_NONE, NULL, 1},
      {"srv:/export/a", "/mnt/c", NULL, BUMP_NONE, NULL, 1},
  };
  build(&F, r, 3);
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, NULL, NULL, F.leader), 0);
  EXPECT(&F, 0, 0, 0);
  /* a dev array of zeros is the same as none */
  uint64_t zero[3] = {0, 0, 0};
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, zero, NULL, F.leader), 0);
  EXPECT(&F, 0, 0, 0);
}
END_TEST

/* One counter differs: never grouped. */
START_TEST(test_sb_fallback_one_counter_differs) {
  enum bump b = (enum bump)_i;
  rec_t r[] = {
      {"srv:/export/a", "/mnt/a", NULL, BUMP_NONE, NULL, 1},
      {"srv:/export/a", "/mnt/b", NULL, b, NULL, 1},
      {"srv:/export/a", "/mnt/c", NULL, BUMP_NONE, NULL, 1},
  };
  build(&F, r, 3);
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, NULL, NULL, F.leader), 0);
  EXPECT(&F, 0, 1, 0);
}
END_TEST

/* The first record differs from the next two only in a counter the
 * content hash leaves out (it needs not cover everything: a full comparison
 * decides), so all three share a key. The second must still lead the
 * third, not stay apart because the key's first record differs. */
static const enum bump unhashed_bumps[] = {BUMP_FSC, BUMP_OP_SENT,
                                           BUMP_OP_ERRORS, BUMP_XPRT_SENDS};

START_TEST(test_sb_fallback_same_key_other_content) {
  rec_t r[] = {
      {"srv:/export/a", "/mnt/a", NULL, unhashed_bumps[_i], NULL, 1},
      {"srv:/export/a", "/mnt/b", NULL, BUMP_NONE, NULL, 1},
      {"srv:/export/a", "/mnt/c", NULL, BUMP_NONE, NULL, 1},
      {"srv:/export/a", "/mnt/d", NULL, unhashed_bumps[_i], NULL, 1},
  };
  build(&F, r, 4);
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, NULL, NULL, F.leader), 0);
  EXPECT(&F, 0, 1, 1, 0);
}
END_TEST

START_TEST(test_sb_fallback_other_server) {
  rec_t r[] = {
      {"srv:/export/a", "/mnt/a", NULL, BUMP_NONE, NULL, 0},
      {"srv2:/export/a", "/mnt/b", NULL, BUMP_NONE, NULL, 0},
      {"[fe80::1]:/export/a", "/mnt/c", NULL, BUMP_NONE, NULL, 0},
      {"[fe80::1]:/export/b", "/mnt/d", NULL, BUMP_NONE, NULL, 0},
      {"srv2:/export/b", "/mnt/e", NULL, BUMP_NONE, NULL, 0},
  };
  build(&F, r, 5);
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, NULL, NULL, F.leader), 0);
  EXPECT(&F, 0, 1, 2, 2, 1);
}
END_TEST

START_TEST(test_sb_no_mix_when_one_dev_missing) {
  /* A record without a device number (its mount came between the two reads)
   * is never grouped with one that has a device number, even with identical
   * counters; two records without one fall back to the counters. */
  rec_t r[] = {
      {"srv:/export/a", "/mnt/a", NULL, BUMP_NONE, NULL, 0},
      {"srv:/export/a", "/mnt/bind", NULL, BUMP_NONE, NULL, 0},
      {"srv:/export/a", "/mnt/bind2", NULL, BUMP_NONE, NULL, 0},
  };
  build(&F, r, 3);
  uint64_t dev1[] = {52, 0, 0};
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, dev1, NULL, F.leader), 0);
  EXPECT(&F, 0, 1, 1);
  uint64_t dev2[] = {0, 52, 0};
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, dev2, NULL, F.leader), 0);
  EXPECT(&F, 0, 1, 0);
}
END_TEST

/* ---- ms_group_superblocks: take_part ------------------------------------ */

START_TEST(test_sb_take_part) {
  rec_t r[] = {
      {"s:/a", "/mnt/a", NULL, BUMP_NONE, NULL, 0},
      {"s:/a", "/mnt/b", NULL, BUMP_NONE, NULL, 0},
      {"s:/a", "/mnt/c", NULL, BUMP_NONE, NULL, 0},
  };
  uint64_t dev[] = {52, 52, 52};
  build(&F, r, 3);

  /* the first is deselected: the second leads */
  const unsigned char t1[] = {0, 1, 1};
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, dev, t1, F.leader), 0);
  EXPECT(&F, 0, 1, 1);
  /* same without dev numbers */
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, NULL, t1, F.leader), 0);
  EXPECT(&F, 0, 1, 1);

  /* the middle one is out: its leader is itself */
  const unsigned char t2[] = {1, 0, 1};
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, dev, t2, F.leader), 0);
  EXPECT(&F, 0, 1, 0);

  /* nobody takes part */
  const unsigned char t3[] = {0, 0, 0};
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, dev, t3, F.leader), 0);
  EXPECT(&F, 0, 1, 2);

  /* everybody: same as NULL */
  const unsigned char t4[] = {1, 1, 1};
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, dev, t4, F.leader), 0);
  EXPECT(&F, 0, 0, 0);
}
END_TEST

START_TEST(test_sb_reuse_group_growing) {
  /* One ms_group_t for a small then a larger snapshot, then an empty one. */
  rec_t r2[] = {
      {"s:/a", "/a", NULL, BUMP_NONE, NULL, 0},
      {"s:/a", "/b", NULL, BUMP_NONE, NULL, 0},
  };
  build(&F, r2, 2);
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, NULL, NULL, F.leader), 0);
  EXPECT(&F, 0, 0);

  rec_t r7[] = {
      {"s:/a", "/a", NULL, BUMP_NONE, NULL, 0},
      {"t:/a", "/b", NULL, BUMP_NONE, NULL, 0},
      {"s:/a", "/c", NULL, BUMP_AGE, NULL, 0},
      {"s:/b", "/d", NULL, BUMP_NONE, NULL, 0},
      {"t:/b", "/e", NULL, BUMP_NONE, NULL, 0},
      {"s:/a", "/f", NULL, BUMP_AGE, NULL, 0},
      {"u:/a", "/g", NULL, BUMP_NONE, NULL, 0},
  };
  build(&F, r7, 7);
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, NULL, NULL, F.leader), 0);
  EXPECT(&F, 0, 1, 2, 0, 1, 2, 6);
  ck_assert_int_eq(ms_group_transports(&G, &F.snap, NULL, F.leader), 0);
  EXPECT(&F, 0, 1, 0, 0, 1, 0, 6);

  build(&F, NULL, 0);
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, NULL, NULL, F.leader), 0);
  ck_assert_int_eq(ms_group_transports(&G, &F.snap, NULL, F.leader), 0);
  ck_assert_uint_eq(F.leader[0], 999); /* nothing written */
  ms_group_free(&G);
  ck_assert_ptr_null(G.items_);
  ms_group_free(&G); /* twice is fine */
  fx_free(&F);
}
END_TEST

/* ---- ms_group_transports --------------------------------------------------
 */

#define TCP(port, sends)                                                       \
  "\txprt:\ttcp " #port " 0 1 0 0 " #sends " " #sends " 0 900 0 4 0 0\n"
#define UDP(port) "\txprt:\tudp " #port " 0 40 40 0 80 0 2 0 0\n"

START_TEST(test_tr_same_connection) {
  /* Same server, vers, proto and srcport: one connection, even though the
   * counters of the two lines were read at different moments. */
  rec_t r[] = {
      {"srv:/a", "/mnt/a", NULL, BUMP_NONE, TCP(875, 100), 0},
      {"srv:/b", "/mnt/b", NULL, BUMP_AGE, TCP(875, 130), 0},
  };
  build(&F, r, 2);
  ck_assert_int_eq(ms_group_transports(&G, &F.snap, NULL, F.leader), 0);
  EXPECT(&F, 0, 0);
}
END_TEST

static const struct {
  const char *what;
  rec_t second; /* compared with {"srv:/a", "/mnt/a", OPTS, TCP(875, 100)} */
} tr_diff_cases[] = {
    {"srcport", {"srv:/b", "/mnt/b", NULL, BUMP_NONE, TCP(876, 100), 0}},
    {"proto",
     {"srv:/b", "/mnt/b", OPTS4("tcp6", "4.2"), BUMP_NONE, TCP(875, 100), 0}},
    {"vers",
     {"srv:/b", "/mnt/b", OPTS4("tcp", "4.1"), BUMP_NONE, TCP(875, 100), 0}},
    {"server", {"srv2:/a", "/mnt/b", NULL, BUMP_NONE, TCP(875, 100), 0}},
    {"transport word", {"srv:/b", "/mnt/b", NULL, BUMP_NONE, UDP(875), 0}},
    {"xprt count",
     {"srv:/b", "/mnt/b", NULL, BUMP_NONE, TCP(875, 100) TCP(875, 100), 0}},
};

START_TEST(test_tr_not_same) {
  rec_t r[3] = {
      {"srv:/a", "/mnt/a", NULL, BUMP_NONE, TCP(875, 100), 0},
      tr_diff_cases[_i].second,
      {"srv:/c", "/mnt/c", NULL, BUMP_NONE, TCP(875, 100), 0},
  };
  build(&F, r, 3);
  ck_assert_int_eq(ms_group_transports(&G, &F.snap, NULL, F.leader), 0);
  ck_assert_msg(F.leader[1] == 1, "%s: leader[1] = %zu, want 1",
                tr_diff_cases[_i].what, F.leader[1]);
  EXPECT(&F, 0, 1, 0);
}
END_TEST

START_TEST(test_tr_without_xprt) {
  /* Records without xprt lines are their own leaders, even two of one
   * server; the others group among themselves. */
  rec_t r[] = {
      {"srv:/a", "/mnt/a", NULL, BUMP_NONE, "", 0},
      {"srv:/b", "/mnt/b", NULL, BUMP_NONE, "", 0},
      {"srv:/c", "/mnt/c", NULL, BUMP_NONE, TCP(875, 1), 0},
      {"srv:/d", "/mnt/d", NULL, BUMP_NONE, TCP(875, 1), 0},
  };
  build(&F, r, 4);
  ck_assert_uint_eq(F.snap.mounts[0].xprt_count, 0);
  ck_assert_int_eq(ms_group_transports(&G, &F.snap, NULL, F.leader), 0);
  EXPECT(&F, 0, 1, 2, 2);
}
END_TEST

START_TEST(test_tr_nconnect) {
  const char *opts = "rw,vers=4.2,hard,proto=tcp,nconnect=2,timeo=600";
  rec_t r[] = {
      {"srv:/a", "/mnt/a", opts, BUMP_NONE, TCP(700, 10) TCP(701, 20), 0},
      {"srv:/b", "/mnt/b", opts, BUMP_NONE, TCP(700, 11) TCP(701, 21), 0},
      /* same ports, other order: line by line they differ */
      {"srv:/c", "/mnt/c", opts, BUMP_NONE, TCP(701, 10) TCP(700, 20), 0},
      /* one line only */
      {"srv:/d", "/mnt/d", opts, BUMP_NONE, TCP(700, 10), 0},
      /* second line differs */
      {"srv:/e", "/mnt/e", opts, BUMP_NONE, TCP(700, 10) TCP(702, 20), 0},
      {"srv:/f", "/mnt/f", opts, BUMP_NONE, TCP(701, 10) TCP(700, 20), 0},
  };
  build(&F, r, 6);
  ck_assert_uint_eq(F.snap.mounts[0].xprt_count, 2);
  ck_assert_int_eq(ms_group_transports(&G, &F.snap, NULL, F.leader), 0);
  EXPECT(&F, 0, 0, 2, 3, 4, 2);
}
END_TEST

START_TEST(test_tr_udp_srcport) {
  const char *opts = OPTS4("udp", "3");
  rec_t r[] = {
      {"srv:/a", "/mnt/a", opts, BUMP_NONE, UDP(800), 0},
      {"srv:/b", "/mnt/b", opts, BUMP_NONE, UDP(801), 0},
      {"srv:/c", "/mnt/c", opts, BUMP_NONE, UDP(800), 0},
  };
  build(&F, r, 3);
  ck_assert_int_eq(ms_group_transports(&G, &F.snap, NULL, F.leader), 0);
  EXPECT(&F, 0, 1, 0);
}
END_TEST

START_TEST(test_tr_take_part) {
  rec_t r[] = {
      {"srv:/a", "/mnt/a", NULL, BUMP_NONE, TCP(875, 1), 0},
      {"srv:/b", "/mnt/b", NULL, BUMP_NONE, TCP(875, 1), 0},
      {"srv:/c", "/mnt/c", NULL, BUMP_NONE, TCP(875, 1), 0},
  };
  build(&F, r, 3);
  const unsigned char t1[] = {0, 1, 1};
  ck_assert_int_eq(ms_group_transports(&G, &F.snap, t1, F.leader), 0);
  EXPECT(&F, 0, 1, 1);
  const unsigned char t2[] = {1, 0, 1};
  ck_assert_int_eq(ms_group_transports(&G, &F.snap, t2, F.leader), 0);
  EXPECT(&F, 0, 1, 0);
  ck_assert_int_eq(ms_group_transports(&G, &F.snap, NULL, F.leader), 0);
  EXPECT(&F, 0, 0, 0);
  /* the superblock grouping with the same group object */
  ck_assert_int_eq(ms_group_superblocks(&G, &F.snap, NULL, NULL, F.leader), 0);
  EXPECT(&F, 0, 0, 0);
}
END_TEST

static Suite *superblock_suite(void) {
  Suite *s = suite_create("superblock");

  TCase *tc = MS_CHECK_CASE(s, "device_server", NULL, teardown,
                            test_device_server_not_nul_terminated);
  tcase_add_loop_test(tc, test_device_server, 0,
                      (int)(sizeof(server_cases) / sizeof(server_cases[0])));

  tc = MS_CHECK_CASE(s, "superblocks", NULL, teardown, test_sb_dev_bind_mounts,
                     test_sb_dev_leader_is_first_in_file_order,
                     test_sb_dev_all_different, test_sb_fallback_identical,
                     test_sb_fallback_other_server,
                     test_sb_no_mix_when_one_dev_missing, test_sb_take_part,
                     test_sb_reuse_group_growing);
  tcase_add_loop_test(tc, test_sb_fallback_one_counter_differs, BUMP_AGE,
                      BUMP_COUNT);
  tcase_add_loop_test(tc, test_sb_fallback_same_key_other_content, 0,
                      sizeof(unhashed_bumps) / sizeof(unhashed_bumps[0]));

  tc = MS_CHECK_CASE(s, "transports", NULL, teardown, test_tr_same_connection,
                     test_tr_without_xprt, test_tr_nconnect,
                     test_tr_udp_srcport, test_tr_take_part);
  tcase_add_loop_test(tc, test_tr_not_same, 0,
                      (int)(sizeof(tr_diff_cases) / sizeof(tr_diff_cases[0])));
  return s;
}

int main(void) { return ms_check_main(superblock_suite()); }
