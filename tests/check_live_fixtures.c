/* SPDX-License-Identifier: MIT
 *
 * check_live_fixtures.c: the captures of the live-kernel suite
 * (fixtures/live/<kernel>/mountstats and mountinfo, written by
 * tests/live/workload.py right after its workload) parsed by the
 * parser and the mountinfo reader, against expectations worked out by hand
 * from the workload, not from the code under test:
 *
 *   /mnt/work3 (NFSv3) and /mnt/work42 (NFSv4.2), fresh mounts with
 *   wsize = rsize = 65536 used by nothing else. On each: one file created
 *   with O_CREAT|O_EXCL, N = 37 O_DIRECT writes of 65536 bytes (37 WRITE
 *   RPCs, 37 * 65536 = 2424832 direct and server write bytes), M = 23
 *   O_DIRECT reads of 65536 bytes (23 READ RPCs, or READ_PLUS where the
 *   kernel sends those for NFSv4.2: 1507328 direct and server read bytes),
 *   no buffered I/O (normal read and write bytes 0). Then on /mnt/work3 one
 *   mkdir and K = 11 exclusive creates: CREATE = 1 + 11 = 12, MKDIR = 1.
 *
 *   The matrix: /mnt/sc1 and /mnt/sc2 are two exports of one server file
 *   system with sharecache (one superblock: one major:minor in mountinfo),
 *   /mnt/nsc1 and /mnt/nsc2 the same with nosharecache (two), /mnt/bind40 a
 *   bind mount of /mnt/v40 (same superblock); /mnt/nc4 and /mnt/nc16 are
 *   nconnect=4 and 16 (between 1 and k xprt lines: the kernel adds the
 *   transports as it connects them); the odd mount points are printed with
 *   \040, \011 and \134 escapes (MOUNTSTATS-FORMAT.md).
 */
#include "check_run.h"
#include "mountinfo.h"
#include "mountstats.h"
#include "parser_test_util.h"
#include "text.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_WRITES 37
#define M_READS 23
#define K_CREATES 11
#define IO_SIZE 65536ull

typedef struct {
  const char *kernel;
  const char *v42_read_op; /* how NFSv4.2 reads are counted on it */
  unsigned v4_ops;         /* per-op lines of an NFSv4 record */
} live_kernel_t;

static const live_kernel_t kernels[] = {
    /* 6.1.0-50-amd64: no READ_PLUS for these reads */
    {"bookworm", "READ", 69},
    /* 6.12.117+deb13-amd64: CONFIG_NFS_V4_2_READ_PLUS=y */
    {"trixie", "READ_PLUS", 69},
    /* 5.10.0-32-amd64 */
    {"bullseye", "READ", 69},
};

typedef struct {
  char *ms, *mi;
  size_t ms_len, mi_len;
  ms_snapshot_t snap;
  ms_mountinfo_t mit;
  uint64_t *dev;
} capture_t;

static char *load(const char *kernel, const char *name, size_t *len) {
  char rel[256];
  snprintf(rel, sizeof(rel), "live/%s/%s", kernel, name);
  return load_fixture(rel, len);
}

static void capture_load(capture_t *c, const char *kernel) {
  memset(c, 0, sizeof(*c));
  c->ms = load(kernel, "mountstats", &c->ms_len);
  c->mi = load(kernel, "mountinfo", &c->mi_len);
  ck_assert_int_eq(ms_parse(&c->snap, c->ms, c->ms_len), 0);
  ck_assert_uint_eq(c->snap.diags_total, 0);
  ck_assert_int_eq(ms_mountinfo_parse(&c->mit, c->mi, c->mi_len), 0);
  c->dev = calloc(c->snap.nmounts + 1, sizeof(*c->dev));
  ck_assert_ptr_nonnull(c->dev);
  /* every NFS record has its mountinfo line */
  ck_assert_uint_eq(ms_mountinfo_match(&c->mit, &c->snap, c->dev),
                    c->snap.nmounts);
}

static void capture_free(capture_t *c) {
  ms_snapshot_free(&c->snap);
  ms_mountinfo_free(&c->mit);
  free(c->dev);
  free(c->ms);
  free(c->mi);
}

static int span_eq(ms_span_t s, const char *lit) {
  return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

/* The record whose decoded mount point is mp. */
static size_t find(const capture_t *c, const char *mp) {
  for (size_t i = 0; i < c->snap.nmounts; i++) {
    char buf[512];
    const ms_mount_t *m = &c->snap.mounts[i];
    size_t n =
        ms_unescape(buf, sizeof(buf), m->mountpoint.ptr, m->mountpoint.len);
    if (n == strlen(mp) && memcmp(buf, mp, n) == 0)
      return i;
  }
  ck_abort_msg("no record for %s", mp);
  return 0;
}

static const ms_op_t *op(const capture_t *c, size_t rec, const char *name) {
  const ms_mount_t *m = &c->snap.mounts[rec];
  for (size_t k = 0; k < m->op_count; k++)
    if (span_eq(c->snap.ops[m->op_first + k].name, name))
      return &c->snap.ops[m->op_first + k];
  return NULL;
}

static uint64_t op_ops(const capture_t *c, size_t rec, const char *name) {
  const ms_op_t *o = op(c, rec, name);
  ck_assert_msg(o != NULL, "no %s line", name);
  return o->v[MS_OP_OPS];
}

static void opt_is(const capture_t *c, size_t rec, const char *key,
                   const char *want) {
  ms_span_t v;
  ck_assert_int_eq(ms_opt_get(c->snap.mounts[rec].opts, key, &v), 1);
  ck_assert_msg(span_eq(v, want), "%s=%.*s, expected %s", key, (int)v.len,
                v.ptr, want);
}

START_TEST(test_workload) {
  const live_kernel_t *k = &kernels[_i];
  capture_t c;
  capture_load(&c, k->kernel);
  const char *mps[] = {"/mnt/work3", "/mnt/work42"};
  for (int j = 0; j < 2; j++) {
    size_t r = find(&c, mps[j]);
    const ms_mount_t *m = &c.snap.mounts[r];
    opt_is(&c, r, "wsize", "65536");
    opt_is(&c, r, "rsize", "65536");
    opt_is(&c, r, "vers", j == 0 ? "3" : "4.2");
    ck_assert(m->have & MS_HAVE_BYTES);
    /* bytes: normal_read normal_write direct_read direct_write
     *        server_read server_write read_pages write_pages */
    ck_assert_uint_eq(m->bytes[0], 0);
    ck_assert_uint_eq(m->bytes[1], 0);
    ck_assert_uint_eq(m->bytes[2], M_READS * IO_SIZE);  /* 1507328 */
    ck_assert_uint_eq(m->bytes[3], N_WRITES * IO_SIZE); /* 2424832 */
    ck_assert_uint_eq(m->bytes[4], M_READS * IO_SIZE);
    ck_assert_uint_eq(m->bytes[5], N_WRITES * IO_SIZE);
    const ms_op_t *w = op(&c, r, "WRITE");
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(w->v[MS_OP_OPS], N_WRITES);
    ck_assert_uint_eq(w->v[MS_OP_TRANS],
                      N_WRITES); /* loopback: no retransmission */
    ck_assert_uint_eq(w->v[MS_OP_TIMEOUTS], 0);
    /* request bytes: the data plus RPC and NFS headers */
    ck_assert_uint_ge(w->v[MS_OP_BYTES_SENT], N_WRITES * IO_SIZE);
    const char *rd = j == 0 ? "READ" : k->v42_read_op;
    ck_assert_uint_eq(op_ops(&c, r, rd), M_READS);
    ck_assert_uint_ge(op(&c, r, rd)->v[MS_OP_BYTES_RECV], M_READS * IO_SIZE);
    if (j == 1) {
      /* the other read op stays unused */
      const ms_op_t *o =
          op(&c, r, strcmp(rd, "READ") == 0 ? "READ_PLUS" : "READ");
      ck_assert_ptr_nonnull(o);
      ck_assert_uint_eq(o->v[MS_OP_OPS], 0);
    }
  }
  size_t r3 = find(&c, "/mnt/work3");
  ck_assert_uint_eq(op_ops(&c, r3, "CREATE"), 1 + K_CREATES);
  ck_assert_uint_eq(op_ops(&c, r3, "MKDIR"), 1);
  capture_free(&c);
}
END_TEST

START_TEST(test_layout) {
  const live_kernel_t *k = &kernels[_i];
  capture_t c;
  capture_load(&c, k->kernel);
  for (size_t i = 0; i < c.snap.nmounts; i++) {
    const ms_mount_t *m = &c.snap.mounts[i];
    ck_assert(span_eq(m->statvers, "1.1"));
    ck_assert_uint_eq(m->nevents, 27);
    ck_assert(span_eq(m->rpc_version, "1.1"));
    /* NFSv3: 22 procedures; NFSv4: every op the client knows */
    ck_assert_uint_eq(m->op_count, span_eq(m->fstype, "nfs") ? 22 : k->v4_ops);
    for (size_t j = 0; j < m->op_count; j++)
      ck_assert_uint_eq(c.snap.ops[m->op_first + j].nfields,
                        9); /* errors column */
    ck_assert_uint_ge(m->xprt_count, 1);
    for (size_t j = 0; j < m->xprt_count; j++) {
      const ms_xprt_t *x = &c.snap.xprts[m->xprt_first + j];
      ck_assert_int_eq(x->kind, MS_XPRT_TCP);
      ck_assert_uint_eq(x->nfields_printed, 13);
    }
  }
  ck_assert_uint_le(c.snap.mounts[find(&c, "/mnt/nc4")].xprt_count, 4);
  ck_assert_uint_le(c.snap.mounts[find(&c, "/mnt/nc16")].xprt_count, 16);
  ck_assert_uint_eq(c.snap.mounts[find(&c, "/mnt/v3tcp")].xprt_count, 1);
  capture_free(&c);
}
END_TEST

START_TEST(test_superblocks) {
  const live_kernel_t *k = &kernels[_i];
  capture_t c;
  capture_load(&c, k->kernel);
  uint64_t sc1 = c.dev[find(&c, "/mnt/sc1")], sc2 = c.dev[find(&c, "/mnt/sc2")];
  uint64_t n1 = c.dev[find(&c, "/mnt/nsc1")], n2 = c.dev[find(&c, "/mnt/nsc2")];
  uint64_t v40 = c.dev[find(&c, "/mnt/v40")],
           b40 = c.dev[find(&c, "/mnt/bind40")];
  ck_assert_uint_ne(sc1, 0);
  ck_assert_uint_eq(sc1, sc2); /* sharecache: one superblock */
  ck_assert_uint_ne(n1, 0);
  ck_assert_uint_ne(n1, n2); /* nosharecache: two */
  ck_assert_uint_ne(v40, 0);
  ck_assert_uint_eq(v40, b40); /* a bind mount */
  /* NFS superblocks are anonymous devices: major 0, distinct minors */
  ck_assert_uint_eq(sc1 >> 32, 0);
  ck_assert_uint_ne(sc1, n1);
  capture_free(&c);
}
END_TEST

START_TEST(test_odd_names) {
  const live_kernel_t *k = &kernels[_i];
  capture_t c;
  capture_load(&c, k->kernel);
  /* printed escaped, found decoded */
  size_t sp = find(&c, "/mnt/odd/with space");
  ck_assert(span_eq(c.snap.mounts[sp].mountpoint, "/mnt/odd/with\\040space"));
  size_t tab = find(&c, "/mnt/odd/with\ttab");
  ck_assert(span_eq(c.snap.mounts[tab].mountpoint, "/mnt/odd/with\\011tab"));
  size_t bs = find(&c, "/mnt/odd/back\\slash");
  ck_assert(span_eq(c.snap.mounts[bs].mountpoint, "/mnt/odd/back\\134slash"));
  /* UTF-8 is printed as raw bytes */
  size_t utf = find(&c, "/mnt/odd/\xc3\xbcn\xc3\xaf"
                        "c\xc3\xb8"
                        "d\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  ck_assert_uint_gt(c.snap.mounts[utf].mountpoint.len, 20);
  /* "/mnt/odd/" + "long-" x 27 + "end": 9 + 135 + 3 = 147 bytes */
  char longmp[160] = "/mnt/odd/";
  for (int i = 0; i < 27; i++)
    strcat(longmp, "long-");
  strcat(longmp, "end");
  ck_assert_uint_eq(strlen(longmp), 147);
  ck_assert_uint_eq(c.snap.mounts[find(&c, longmp)].mountpoint.len, 147);
  capture_free(&c);
}
END_TEST

int main(void) {
  Suite *s = suite_create("live_fixtures");
  TCase *tc = tcase_create("live");
  int n = (int)(sizeof(kernels) / sizeof(kernels[0]));
  tcase_add_loop_test(tc, test_workload, 0, n);
  tcase_add_loop_test(tc, test_layout, 0, n);
  tcase_add_loop_test(tc, test_superblocks, 0, n);
  tcase_add_loop_test(tc, test_odd_names, 0, n);
  suite_add_tcase(s, tc);
  return ms_check_main(s);
}
