/* SPDX-License-Identifier: MIT
 *
 * check_parser.c: unit tests of the mountstats text parser (src/mountstats.c):
 * records and fields of every fixture and of literal inputs, diagnostics,
 * reuse of a snapshot, inputs at the end of a guarded page. The fast path
 * is checked in check_fastpath.c, the text helpers in check_parser_text.c.
 *
 * Every expected value below was worked out by hand from the text of the
 * fixture it belongs to (the .mountstats files in fixtures/, see
 * fixtures/README.md) or from the literal input next to it; none was copied
 * from parser output.
 */
#define _GNU_SOURCE
#include "check_run.h"
#include "mountstats.h"
#include "parser_test_util.h"
#include "text.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define U64_MAX UINT64_MAX

/* ---- helpers ------------------------------------------------------------ */

typedef struct {
  char *buf;
  size_t len;
  ms_snapshot_t snap;
} parsed_t;

static void parse_fixture(parsed_t *p, const char *name) {
  memset(p, 0, sizeof(*p));
  p->buf = load_fixture(name, &p->len);
  ck_assert_int_eq(ms_parse(&p->snap, p->buf, p->len), 0);
}

static void parsed_free(parsed_t *p) {
  ms_snapshot_free(&p->snap);
  free(p->buf);
}

static int parse_lit(ms_snapshot_t *s, const char *text) {
  return ms_parse(s, text, strlen(text));
}

static void check_u64s_(const uint64_t *got, const uint64_t *want, size_t n,
                        const char *what, int line) {
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(got[i] == want[i], "line %d: %s[%zu] is %llu, expected %llu",
                  line, what, i, (unsigned long long)got[i],
                  (unsigned long long)want[i]);
}
#define CHECK_U64S(GOT, ...)                                                   \
  check_u64s_((GOT), (const uint64_t[]){__VA_ARGS__},                          \
              ARRAY_SIZE(((const uint64_t[]){__VA_ARGS__})), #GOT, __LINE__)

/* The op and xprt ranges of every mount lie inside the snapshot arrays, follow
 * each other and cover them exactly. Checked before anything indexes them. */
static void check_ranges(const ms_snapshot_t *s) {
  size_t op_next = 0, xprt_next = 0;
  for (size_t i = 0; i < s->nmounts; i++) {
    const ms_mount_t *m = &s->mounts[i];
    ck_assert_msg(m->op_first == op_next && m->op_count <= s->nops &&
                      m->op_first + m->op_count <= s->nops,
                  "mount %zu: ops [%zu, +%zu) not after %zu within %zu", i,
                  m->op_first, m->op_count, op_next, s->nops);
    ck_assert_msg(m->xprt_first == xprt_next && m->xprt_count <= s->nxprts &&
                      m->xprt_first + m->xprt_count <= s->nxprts,
                  "mount %zu: xprts [%zu, +%zu) not after %zu within %zu", i,
                  m->xprt_first, m->xprt_count, xprt_next, s->nxprts);
    op_next += m->op_count;
    xprt_next += m->xprt_count;
  }
  ck_assert_uint_eq(op_next, s->nops);
  ck_assert_uint_eq(xprt_next, s->nxprts);
}

static const ms_op_t *find_op(const ms_snapshot_t *s, size_t mi,
                              const char *name) {
  const ms_mount_t *m = &s->mounts[mi];
  size_t n = strlen(name);
  for (size_t i = 0; i < m->op_count && m->op_first + i < s->nops; i++) {
    const ms_op_t *o = &s->ops[m->op_first + i];
    if (o->name.len == n && memcmp(o->name.ptr, name, n) == 0)
      return o;
  }
  return NULL;
}

static void check_op_(const ms_snapshot_t *s, size_t mi, const char *name,
                      unsigned nfields, const uint64_t *v, int line) {
  const ms_op_t *o = find_op(s, mi, name);
  ck_assert_msg(o != NULL, "line %d: mount %zu has no op %s", line, mi, name);
  ck_assert_msg(o->nfields == nfields, "line %d: %s has %u fields, expected %u",
                line, name, o->nfields, nfields);
  for (unsigned i = 0; i < nfields; i++)
    ck_assert_msg(o->v[i] == v[i], "line %d: %s v[%u] is %llu, expected %llu",
                  line, name, i, (unsigned long long)o->v[i],
                  (unsigned long long)v[i]);
}
#define CHECK_OP(S, MI, NAME, NF, ...)                                         \
  check_op_((S), (MI), (NAME), (NF), (const uint64_t[]){__VA_ARGS__}, __LINE__)

/* The ops of mount mi are exactly names[] in order, each with nfields. */
static void check_op_names(const ms_snapshot_t *s, size_t mi,
                           const char *const *names, size_t n,
                           unsigned nfields) {
  const ms_mount_t *m = &s->mounts[mi];
  ck_assert_uint_eq(m->op_count, n);
  for (size_t i = 0; i < n; i++) {
    const ms_op_t *o = &s->ops[m->op_first + i];
    check_span_(o->name, names[i], strlen(names[i]), "op name", (int)i);
    ck_assert_msg(o->nfields == nfields, "%s has %u fields, expected %u",
                  names[i], o->nfields, nfields);
  }
}

static void check_xprt_(const ms_snapshot_t *s, size_t mi, size_t xi,
                        enum ms_xprt_kind kind, const char *name,
                        unsigned nfields, const uint64_t *v, int line) {
  const ms_mount_t *m = &s->mounts[mi];
  ck_assert_msg(xi < m->xprt_count, "line %d: mount %zu has %zu xprts", line,
                mi, m->xprt_count);
  const ms_xprt_t *x = &s->xprts[m->xprt_first + xi];
  ck_assert_msg(x->kind == kind, "line %d: xprt kind %d, expected %d", line,
                (int)x->kind, (int)kind);
  check_span_(x->name, name, strlen(name), "xprt name", line);
  ck_assert_msg(x->nfields == nfields && x->nfields_printed == nfields,
                "line %d: xprt has %u/%u fields, expected %u", line, x->nfields,
                x->nfields_printed, nfields);
  check_u64s_(x->v, v, nfields, "xprt v", line);
}
#define CHECK_XPRT(S, MI, XI, KIND, NAME, NF, ...)                             \
  check_xprt_((S), (MI), (XI), (KIND), (NAME), (NF),                           \
              (const uint64_t[]){__VA_ARGS__}, __LINE__)

static void check_diag_(const ms_snapshot_t *s, size_t di,
                        enum ms_diag_reason reason, size_t line, size_t mount,
                        const char *text, int src_line) {
  ck_assert_msg(di < s->ndiags, "line %d: only %zu diagnostics", src_line,
                s->ndiags);
  const ms_diag_t *d = &s->diags[di];
  ck_assert_msg(d->reason == reason, "line %d: diag %zu reason %d, expected %d",
                src_line, di, (int)d->reason, (int)reason);
  ck_assert_msg(d->line == line, "line %d: diag %zu at line %zu, expected %zu",
                src_line, di, d->line, line);
  ck_assert_msg(d->mount == mount, "line %d: diag %zu mount %zu, expected %zu",
                src_line, di, d->mount, mount);
  check_span_(d->text, text, strlen(text), "diag text", src_line);
}
#define CHECK_DIAG(S, DI, REASON, LINE, MOUNT, TEXT)                           \
  check_diag_((S), (DI), (REASON), (LINE), (MOUNT), (TEXT), __LINE__)

static void check_opt(const ms_mount_t *m, const char *key, const char *want) {
  ms_span_t v = {NULL, 0};
  ck_assert_msg(ms_opt_get(m->opts, key, &v) == 1, "opts have no %s", key);
  check_span_(v, want, strlen(want), key, 0);
}

/* The op lists of MOUNTSTATS-FORMAT.md section 7, typed from the document. */
static const char *const v2_ops[] = {
    "NULL", "GETATTR", "SETATTR", "3",      "LOOKUP",  "READLINK",
    "READ", "7",       "WRITE",   "CREATE", "REMOVE",  "RENAME",
    "LINK", "SYMLINK", "MKDIR",   "RMDIR",  "READDIR", "STATFS"};

static const char *const v3_ops[] = {
    "NULL",   "GETATTR", "SETATTR",  "LOOKUP", "ACCESS",  "READLINK",
    "READ",   "WRITE",   "CREATE",   "MKDIR",  "SYMLINK", "MKNOD",
    "REMOVE", "RMDIR",   "RENAME",   "LINK",   "READDIR", "READDIRPLUS",
    "FSSTAT", "FSINFO",  "PATHCONF", "COMMIT"};

static const char *const v4_ops[] = {"NULL",
                                     "READ",
                                     "WRITE",
                                     "COMMIT",
                                     "OPEN",
                                     "OPEN_CONFIRM",
                                     "OPEN_NOATTR",
                                     "OPEN_DOWNGRADE",
                                     "CLOSE",
                                     "SETATTR",
                                     "FSINFO",
                                     "RENEW",
                                     "SETCLIENTID",
                                     "SETCLIENTID_CONFIRM",
                                     "LOCK",
                                     "LOCKT",
                                     "LOCKU",
                                     "ACCESS",
                                     "GETATTR",
                                     "LOOKUP",
                                     "LOOKUP_ROOT",
                                     "REMOVE",
                                     "RENAME",
                                     "LINK",
                                     "SYMLINK",
                                     "CREATE",
                                     "PATHCONF",
                                     "STATFS",
                                     "READLINK",
                                     "READDIR",
                                     "SERVER_CAPS",
                                     "DELEGRETURN",
                                     "GETACL",
                                     "SETACL",
                                     "FS_LOCATIONS",
                                     "RELEASE_LOCKOWNER",
                                     "SECINFO",
                                     "FSID_PRESENT",
                                     "EXCHANGE_ID",
                                     "CREATE_SESSION",
                                     "DESTROY_SESSION",
                                     "SEQUENCE",
                                     "GET_LEASE_TIME",
                                     "RECLAIM_COMPLETE",
                                     "LAYOUTGET",
                                     "GETDEVICEINFO",
                                     "LAYOUTCOMMIT",
                                     "LAYOUTRETURN",
                                     "SECINFO_NO_NAME",
                                     "TEST_STATEID",
                                     "FREE_STATEID",
                                     "GETDEVICELIST",
                                     "BIND_CONN_TO_SESSION",
                                     "DESTROY_CLIENTID",
                                     "SEEK",
                                     "ALLOCATE",
                                     "DEALLOCATE",
                                     "LAYOUTSTATS",
                                     "CLONE",
                                     "COPY",
                                     "OFFLOAD_CANCEL",
                                     "LOOKUPP",
                                     "LAYOUTERROR",
                                     "COPY_NOTIFY",
                                     "GETXATTR",
                                     "SETXATTR",
                                     "LISTXATTRS",
                                     "REMOVEXATTR",
                                     "READ_PLUS"};

#define HAVE_ALL_NOFSC                                                         \
  (MS_HAVE_AGE | MS_HAVE_EVENTS | MS_HAVE_BYTES | MS_HAVE_RPC | MS_HAVE_OPHDR)

/* ---- fixtures: counts of every file (table driven) ---------------------- */

static const struct fixture_counts {
  const char *file;
  size_t nmounts, records, lines, ndiags, nops, nxprts;
} fixture_table[] = {
    /* file                        mounts rec lines diags ops xprts */
    {"nfs2-udp.mountstats", 1, 5, 33, 0, 18, 1},
    {"nfs3-tcp-udp.mountstats", 2, 7, 71, 0, 44, 2},
    {"nfs4-minor-versions.mountstats", 3, 5, 248, 0, 207, 3},
    {"nfs3-nconnect16.mountstats", 1, 2, 49, 0, 22, 16},
    {"nfs3-rdma-nconnect2.mountstats", 1, 2, 35, 0, 22, 2},
    {"old-headers.mountstats", 2, 4, 68, 0, 44, 2},
    {"escapes-bind.mountstats", 4, 6, 134, 0, 88, 4},
    {"huge-values.mountstats", 1, 1, 33, 1, 21, 1},
    {"truncated.mountstats", 2, 3, 49, 1, 29, 2},
    {"crlf.mountstats", 1, 3, 34, 0, 22, 1},
    {"malformed.mountstats", 2, 3, 68, 6, 43, 3},
};

static void check_counts(const ms_snapshot_t *s,
                         const struct fixture_counts *c) {
  ck_assert_msg(s->nmounts == c->nmounts, "%s: %zu NFS mounts, expected %zu",
                c->file, s->nmounts, c->nmounts);
  ck_assert_msg(s->records == c->records, "%s: %zu records, expected %zu",
                c->file, s->records, c->records);
  ck_assert_msg(s->lines == c->lines, "%s: %zu lines, expected %zu", c->file,
                s->lines, c->lines);
  ck_assert_msg(s->ndiags == c->ndiags && s->diags_total == c->ndiags,
                "%s: %zu/%zu diagnostics, expected %zu", c->file, s->ndiags,
                s->diags_total, c->ndiags);
  ck_assert_msg(s->nops == c->nops, "%s: %zu ops, expected %zu", c->file,
                s->nops, c->nops);
  ck_assert_msg(s->nxprts == c->nxprts, "%s: %zu xprts, expected %zu", c->file,
                s->nxprts, c->nxprts);
  check_ranges(s);
}

START_TEST(test_fixture_counts) {
  const struct fixture_counts *c = &fixture_table[_i];
  parsed_t p;
  parse_fixture(&p, c->file);
  check_counts(&p.snap, c);
  parsed_free(&p);
}
END_TEST

START_TEST(test_fixture_guard_page) {
  const struct fixture_counts *c = &fixture_table[_i];
  size_t len = 0;
  char *buf = load_fixture(c->file, &len);
  guard_t g;
  const char *data = guard_copy(&g, buf, len);
  ms_snapshot_t s = {0};
  ck_assert_int_eq(ms_parse(&s, data, len), 0);
  check_counts(&s, c);
  /* Every span points into the input. */
  for (size_t i = 0; i < s.nmounts; i++) {
    const ms_mount_t *m = &s.mounts[i];
    const ms_span_t spans[] = {m->device, m->mountpoint, m->fstype, m->statvers,
                               m->opts};
    for (size_t k = 0; k < ARRAY_SIZE(spans); k++)
      ck_assert(spans[k].ptr >= data &&
                spans[k].ptr + spans[k].len <= data + len);
  }
  for (size_t i = 0; i < s.nops; i++)
    ck_assert(s.ops[i].name.ptr >= data &&
              s.ops[i].name.ptr + s.ops[i].name.len <= data + len);
  ms_snapshot_free(&s);
  guard_free(&g);
  free(buf);
}
END_TEST

/* ---- fixtures: values ---------------------------------------------------- */

START_TEST(test_nfs2_udp) {
  parsed_t p;
  parse_fixture(&p, "nfs2-udp.mountstats");
  const ms_snapshot_t *s = &p.snap;
  ck_assert_uint_eq(s->nmounts, 1);
  check_ranges(s);
  const ms_mount_t *m = &s->mounts[0];
  CHECK_SPAN(m->device, "oldfiler.example.org:/export/home");
  CHECK_SPAN(m->mountpoint, "/home");
  CHECK_SPAN(m->fstype, "nfs");
  CHECK_SPAN(m->statvers, "1.0");
  CHECK_SPAN(m->opts, "rw,vers=2,rsize=8192,wsize=8192,acregmin=3,acregmax=60,"
                      "acdirmin=30,acdirmax=60,hard,intr,proto=udp,timeo=7,"
                      "retrans=3,sec=sys");
  check_opt(m, "vers", "2");
  check_opt(m, "proto", "udp");
  ck_assert_uint_eq(m->line, 4);
  ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC);
  ck_assert_uint_eq(m->age, 3601);
  ck_assert_uint_eq(m->nevents, 25);
  ck_assert_uint_eq(m->events_printed, 25);
  CHECK_U64S(m->events, 1520, 840, 3, 7, 212, 390, 118, 0, 36, 4, 0, 19, 61, 5,
             11, 9, 0, 208, 0, 2, 6, 1, 0, 0, 5);
  CHECK_U64S(m->bytes, 299520, 160000, 0, 0, 299520, 160000, 73, 40);
  CHECK_SPAN(m->rpc_version, "1.0");
  ck_assert_uint_eq(m->rpc_prog, 100003);
  ck_assert_uint_eq(m->rpc_vers, 2);
  ck_assert_uint_eq(m->xprt_count, 1);
  CHECK_XPRT(s, 0, 0, MS_XPRT_UDP, "udp", 7, 812, 1, 2070, 2068, 0, 4140, 12);
  check_op_names(s, 0, v2_ops, ARRAY_SIZE(v2_ops), 8);
  CHECK_OP(s, 0, "NULL", 8, 0, 0, 0, 0, 0, 0, 0, 0);
  CHECK_OP(s, 0, "GETATTR", 8, 1520, 1523, 3, 109440, 170240, 4, 2310, 2398);
  CHECK_OP(s, 0, "3", 8, 0, 0, 0, 0, 0, 0, 0, 0);
  CHECK_OP(s, 0, "LOOKUP", 8, 390, 391, 1, 37440, 46800, 2, 611, 640);
  CHECK_OP(s, 0, "READ", 8, 36, 36, 0, 3456, 299520, 1, 93, 97);
  CHECK_OP(s, 0, "7", 8, 0, 0, 0, 0, 0, 0, 0, 0);
  CHECK_OP(s, 0, "WRITE", 8, 19, 19, 0, 160000, 2280, 0, 47, 49);
  CHECK_OP(s, 0, "READDIR", 8, 61, 61, 0, 6100, 73200, 0, 140, 144);
  CHECK_OP(s, 0, "STATFS", 8, 5, 5, 0, 420, 500, 0, 6, 6);
  ck_assert_uint_eq(m->bad_lines, 0);
  parsed_free(&p);
}
END_TEST

START_TEST(test_nfs3_tcp_udp) {
  parsed_t p;
  parse_fixture(&p, "nfs3-tcp-udp.mountstats");
  const ms_snapshot_t *s = &p.snap;
  ck_assert_uint_eq(s->nmounts, 2); /* nfsd and cifs are not NFS mounts */
  check_ranges(s);

  const ms_mount_t *m = &s->mounts[0];
  CHECK_SPAN(m->device, "filer1.example.org:/srv/data");
  CHECK_SPAN(m->mountpoint, "/srv/data");
  CHECK_SPAN(m->fstype, "nfs");
  CHECK_SPAN(m->statvers, "1.1");
  CHECK_SPAN(m->opts,
             "rw,vers=3,rsize=1048576,wsize=1048576,namlen=255,acregmin=3,"
             "acregmax=60,acdirmin=30,acdirmax=60,hard,proto=tcp,timeo=600,"
             "retrans=2,sec=sys,mountaddr=192.0.2.10,mountvers=3,"
             "mountport=20048,mountproto=udp,local_lock=none");
  ck_assert_uint_eq(m->line, 4);
  ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC);
  ck_assert_uint_eq(m->age, 86400);
  ck_assert_uint_eq(m->nevents, 27);
  ck_assert_uint_eq(m->events_printed, 27);
  CHECK_U64S(m->events, 5000, 12000, 7, 90, 800, 1500, 3000, 40, 0, 200, 0, 75,
             120, 30, 60, 9, 0, 800, 0, 4, 25, 2, 1, 0, 0, 0, 0);
  CHECK_U64S(m->bytes, 1073741824, 536870912, 0, 0, 1073741824, 536870912,
             262144, 131072);
  CHECK_SPAN(m->rpc_version, "1.0");
  ck_assert_uint_eq(m->rpc_prog, 100003);
  ck_assert_uint_eq(m->rpc_vers, 3);
  ck_assert_uint_eq(m->xprt_count, 1);
  CHECK_XPRT(s, 0, 0, MS_XPRT_TCP, "tcp", 13, 875, 1, 2, 0, 14, 41230, 41228, 0,
             82460, 0, 64, 0, 3);
  check_op_names(s, 0, v3_ops, ARRAY_SIZE(v3_ops), 8);
  /* Every op of the tcp mount, in the fixture's order. */
  static const struct {
    const char *name;
    uint64_t v[8];
  } tcp_ops[] = {
      {"NULL", {1, 1, 0, 40, 24, 0, 0, 0}},
      {"GETATTR", {12000, 12000, 0, 1632000, 1344000, 30, 4200, 4500}},
      {"SETATTR", {150, 150, 0, 25200, 21600, 0, 90, 95}},
      {"LOOKUP", {1500, 1502, 2, 228000, 240000, 8, 1100, 1180}},
      {"ACCESS", {3000, 3000, 0, 408000, 360000, 12, 1500, 1600}},
      {"READLINK", {20, 20, 0, 2720, 3040, 0, 9, 10}},
      {"READ", {1024, 1024, 0, 139264, 1073872896, 50, 8000, 8300}},
      {"WRITE", {512, 512, 0, 536936448, 69632, 40, 9100, 9400}},
      {"CREATE", {60, 60, 0, 11040, 15360, 0, 70, 75}},
      {"MKDIR", {10, 10, 0, 1840, 2560, 0, 12, 13}},
      {"SYMLINK", {2, 2, 0, 432, 512, 0, 3, 3}},
      {"MKNOD", {0, 0, 0, 0, 0, 0, 0, 0}},
      {"REMOVE", {45, 45, 0, 7020, 6480, 0, 40, 42}},
      {"RMDIR", {8, 8, 0, 1248, 1152, 0, 7, 8}},
      {"RENAME", {25, 25, 0, 5000, 7000, 0, 30, 32}},
      {"LINK", {3, 3, 0, 552, 744, 0, 4, 4}},
      {"READDIR", {0, 0, 0, 0, 0, 0, 0, 0}},
      {"READDIRPLUS", {120, 120, 0, 18240, 1966080, 2, 300, 310}},
      {"FSSTAT", {75, 75, 0, 9600, 12600, 0, 50, 52}},
      {"FSINFO", {2, 2, 0, 256, 328, 0, 1, 1}},
      {"PATHCONF", {1, 1, 0, 128, 140, 0, 0, 0}},
      {"COMMIT", {30, 30, 0, 4320, 3840, 1, 600, 620}},
  };
  for (size_t i = 0; i < ARRAY_SIZE(tcp_ops); i++) {
    const ms_op_t *o = &s->ops[m->op_first + i];
    check_span_(o->name, tcp_ops[i].name, strlen(tcp_ops[i].name), "name",
                __LINE__);
    check_u64s_(o->v, tcp_ops[i].v, 8, tcp_ops[i].name, __LINE__);
  }
  ck_assert_uint_eq(m->bad_lines, 0);

  m = &s->mounts[1];
  CHECK_SPAN(m->device, "filer2.example.org:/srv/scratch");
  CHECK_SPAN(m->mountpoint, "/srv/scratch");
  ck_assert_uint_eq(m->line, 39);
  check_opt(m, "proto", "udp");
  check_opt(m, "timeo", "11");
  ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC);
  ck_assert_uint_eq(m->age, 4000);
  ck_assert_uint_eq(m->nevents, 27);
  CHECK_U64S(m->events, 310, 95, 1, 2, 40, 66, 180, 0, 0, 12, 0, 8, 7, 3, 4, 1,
             0, 40, 0, 0, 2, 0, 0, 0, 3, 0, 0);
  CHECK_U64S(m->bytes, 65536, 32768, 0, 0, 65536, 32768, 16, 8);
  ck_assert_uint_eq(m->rpc_vers, 3);
  ck_assert_uint_eq(m->xprt_count, 1);
  CHECK_XPRT(s, 1, 0, MS_XPRT_UDP, "udp", 10, 901, 1, 3300, 3298, 1, 6600, 0,
             16, 0, 2);
  check_op_names(s, 1, v3_ops, ARRAY_SIZE(v3_ops), 8);
  CHECK_OP(s, 1, "GETATTR", 8, 310, 311, 1, 42160, 34720, 2, 290, 301);
  CHECK_OP(s, 1, "READ", 8, 16, 16, 0, 2176, 66112, 0, 20, 21);
  CHECK_OP(s, 1, "WRITE", 8, 8, 8, 0, 33888, 1088, 0, 15, 16);
  CHECK_OP(s, 1, "COMMIT", 8, 2, 2, 0, 288, 256, 0, 9, 9);
  CHECK_OP(s, 1, "MKNOD", 8, 0, 0, 0, 0, 0, 0, 0, 0);
  parsed_free(&p);
}
END_TEST

START_TEST(test_nfs4_minor_versions) {
  parsed_t p;
  parse_fixture(&p, "nfs4-minor-versions.mountstats");
  const ms_snapshot_t *s = &p.snap;
  ck_assert_uint_eq(s->nmounts, 3);
  ck_assert_uint_eq(s->ndiags, 0); /* impl_id and nfsv4 lines are ignored */
  check_ranges(s);

  /* NFSv4.0 */
  const ms_mount_t *m = &s->mounts[0];
  CHECK_SPAN(m->device, "filer1.example.org:/");
  CHECK_SPAN(m->mountpoint, "/net/v40");
  CHECK_SPAN(m->fstype, "nfs4");
  CHECK_SPAN(m->statvers, "1.1");
  ck_assert_uint_eq(m->line, 3);
  check_opt(m, "vers", "4.0");
  check_opt(m, "clientaddr", "192.0.2.100");
  ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC);
  ck_assert_uint_eq(m->age, 7200);
  ck_assert_uint_eq(m->nevents, 27);
  CHECK_U64S(m->events, 900, 400, 10, 20, 80, 300, 150, 30, 0, 25, 0, 12, 40, 6,
             78, 3, 2, 78, 0, 1, 9, 0, 0, 0, 0, 0, 0);
  CHECK_U64S(m->bytes, 2560000, 1228800, 0, 0, 2560000, 1228800, 625, 300);
  CHECK_SPAN(m->rpc_version, "1.1");
  ck_assert_uint_eq(m->rpc_prog, 100003);
  ck_assert_uint_eq(m->rpc_vers, 4);
  CHECK_XPRT(s, 0, 0, MS_XPRT_TCP, "tcp", 13, 702, 0, 1, 0, 5, 1771, 1771, 0,
             3542, 0, 32, 0, 7);
  check_op_names(s, 0, v4_ops, ARRAY_SIZE(v4_ops), 9);
  CHECK_OP(s, 0, "NULL", 9, 1, 1, 0, 44, 24, 0, 0, 1, 0);
  CHECK_OP(s, 0, "READ", 9, 250, 250, 0, 40000, 2560000, 5, 900, 950, 0);
  CHECK_OP(s, 0, "WRITE", 9, 120, 120, 0, 1228800, 19200, 3, 600, 640, 1);
  CHECK_OP(s, 0, "OPEN", 9, 80, 80, 0, 24000, 32000, 1, 160, 170, 2);
  CHECK_OP(s, 0, "CLOSE", 9, 78, 78, 0, 12480, 9360, 0, 95, 99, 0);
  CHECK_OP(s, 0, "RENEW", 9, 40, 40, 0, 5600, 2560, 0, 44, 46, 0);
  CHECK_OP(s, 0, "SETCLIENTID", 9, 1, 1, 0, 204, 68, 0, 1, 1, 0);
  CHECK_OP(s, 0, "SETCLIENTID_CONFIRM", 9, 1, 1, 0, 156, 56, 0, 1, 1, 0);
  CHECK_OP(s, 0, "GETATTR", 9, 900, 900, 0, 144000, 216000, 9, 1200, 1290, 0);
  CHECK_OP(s, 0, "LOOKUP", 9, 300, 301, 1, 57000, 84000, 4, 510, 530, 12);
  CHECK_OP(s, 0, "SEQUENCE", 9, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  CHECK_OP(s, 0, "READ_PLUS", 9, 2, 2, 0, 300, 8400, 0, 3, 3, 0);

  /* NFSv4.1 with an empty impl_id */
  m = &s->mounts[1];
  CHECK_SPAN(m->device, "filer2.example.org:/exports/home");
  CHECK_SPAN(m->mountpoint, "/home");
  CHECK_SPAN(m->fstype, "nfs4");
  ck_assert_uint_eq(m->line, 84);
  check_opt(m, "vers", "4.1");
  check_opt(m, "sec", "krb5p");
  ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC);
  ck_assert_uint_eq(m->age, 7100);
  ck_assert_uint_eq(m->nevents, 27);
  CHECK_U64S(m->events, 4000, 2000, 50, 60, 500, 1200, 900, 100, 0, 80, 0, 40,
             200, 20, 480, 30, 10, 480, 0, 5, 60, 1, 2, 0, 7, 17, 9);
  ck_assert_uint_eq(m->events[25], 17); /* pnfs_read */
  ck_assert_uint_eq(m->events[26], 9);  /* pnfs_write */
  CHECK_U64S(m->bytes, 8388608, 4194304, 0, 0, 8388608, 4194304, 2048, 1024);
  ck_assert_uint_eq(m->rpc_vers, 4);
  CHECK_XPRT(s, 1, 0, MS_XPRT_TCP, "tcp", 13, 703, 0, 1, 0, 2, 9104, 9104, 0,
             18208, 0, 64, 0, 11);
  check_op_names(s, 1, v4_ops, ARRAY_SIZE(v4_ops), 9);
  CHECK_OP(s, 1, "GETATTR", 9, 4000, 4000, 0, 800000, 1040000, 20, 3100, 3300,
           4);
  CHECK_OP(s, 1, "EXCHANGE_ID", 9, 2, 2, 0, 592, 260, 0, 3, 3, 0);
  CHECK_OP(s, 1, "CREATE_SESSION", 9, 2, 2, 0, 384, 248, 0, 2, 2, 0);
  CHECK_OP(s, 1, "SEQUENCE", 9, 5000, 5000, 0, 600000, 440000, 25, 2600, 2800,
           1);
  CHECK_OP(s, 1, "RECLAIM_COMPLETE", 9, 1, 1, 0, 124, 88, 0, 1, 1, 0);
  CHECK_OP(s, 1, "BIND_CONN_TO_SESSION", 9, 3, 3, 0, 432, 372, 0, 2, 2, 1);
  CHECK_OP(s, 1, "DESTROY_CLIENTID", 9, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  CHECK_OP(s, 1, "READ_PLUS", 9, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /* NFSv4.2: impl_id with a comma and quotes, fsc, IPv6 server */
  m = &s->mounts[2];
  CHECK_SPAN(m->device, "[2001:db8::3]:/projects");
  CHECK_SPAN(m->mountpoint, "/srv/projects");
  ck_assert_uint_eq(m->line, 166);
  check_opt(m, "vers", "4.2");
  check_opt(m, "proto", "tcp6");
  check_opt(m, "clientaddr", "2001:db8::64");
  check_opt(m, "fsc", "");
  ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC | MS_HAVE_FSC);
  ck_assert_uint_eq(m->age, 7000);
  ck_assert_uint_eq(m->nevents, 27);
  CHECK_U64S(m->events, 6100, 3300, 70, 81, 620, 1900, 1400, 150, 0, 95, 0, 61,
             330, 27, 600, 44, 13, 600, 0, 8, 71, 3, 4, 1, 2, 23, 19);
  CHECK_U64S(m->bytes, 10485760, 5242880, 4096, 8192, 10485760, 5242880, 2560,
             1280);
  CHECK_U64S(m->fsc, 11, 0, 22, 0, 33);
  CHECK_SPAN(m->rpc_version, "1.1");
  ck_assert_uint_eq(m->rpc_prog, 100003);
  ck_assert_uint_eq(m->rpc_vers, 4);
  CHECK_XPRT(s, 2, 0, MS_XPRT_TCP, "tcp", 13, 704, 0, 1, 0, 0, 25000, 25000, 0,
             50000, 0, 128, 0, 19);
  check_op_names(s, 2, v4_ops, ARRAY_SIZE(v4_ops), 9);
  /* The pattern of fixtures/README.md. */
  for (uint64_t i = 0; i < ARRAY_SIZE(v4_ops); i++) {
    const ms_op_t *o = &s->ops[m->op_first + i];
    const uint64_t want[9] = {i + 1,        i + 2,        i % 3,
                              100 * i + 44, 200 * i + 24, i,
                              2 * i + 1,    3 * i + 2,    i % 5};
    check_u64s_(o->v, want, 9, v4_ops[i], __LINE__);
  }
  CHECK_OP(s, 2, "NULL", 9, 1, 2, 0, 44, 24, 0, 1, 2, 0);
  CHECK_OP(s, 2, "SETCLIENTID_CONFIRM", 9, 14, 15, 1, 1344, 2624, 13, 27, 41,
           3);
  CHECK_OP(s, 2, "BIND_CONN_TO_SESSION", 9, 53, 54, 1, 5244, 10424, 52, 105,
           158, 2);
  CHECK_OP(s, 2, "READ_PLUS", 9, 69, 70, 2, 6844, 13624, 68, 137, 206, 3);
  parsed_free(&p);
}
END_TEST

START_TEST(test_nconnect16) {
  parsed_t p;
  parse_fixture(&p, "nfs3-nconnect16.mountstats");
  const ms_snapshot_t *s = &p.snap;
  ck_assert_uint_eq(s->nmounts, 1);
  check_ranges(s);
  const ms_mount_t *m = &s->mounts[0];
  CHECK_SPAN(m->device, "filer3.example.org:/vol/build");
  CHECK_SPAN(m->mountpoint, "/build");
  ck_assert_uint_eq(m->line, 2);
  check_opt(m, "nconnect", "16");
  check_opt(m, "proto", "tcp");
  ck_assert_uint_eq(m->age, 123456);
  CHECK_U64S(m->events, 70000, 30000, 100, 200, 5000, 9000, 12000, 300, 0, 1500,
             0, 800, 2000, 100, 4000, 50, 0, 4000, 0, 10, 600, 5, 3, 1, 0, 0,
             0);
  CHECK_U64S(m->bytes, 137438953472ull, 68719476736ull, 0, 0, 137438953472ull,
             68719476736ull, 33554432, 16777216);
  CHECK_SPAN(m->rpc_version, "1.1");
  ck_assert_uint_eq(m->rpc_vers, 3);
  ck_assert_uint_eq(m->xprt_count, 16);
  CHECK_XPRT(s, 0, 0, MS_XPRT_TCP, "tcp", 13, 701, 1, 1, 1, 0, 1000, 999, 0,
             2000, 0, 2, 0, 1);
  CHECK_XPRT(s, 0, 7, MS_XPRT_TCP, "tcp", 13, 708, 1, 1, 8, 0, 8000, 7992, 0,
             16000, 0, 16, 0, 8);
  CHECK_XPRT(s, 0, 15, MS_XPRT_TCP, "tcp", 13, 716, 1, 1, 16, 0, 16000, 15984,
             0, 32000, 0, 32, 0, 16);
  /* Column sums over the 16 lines, by hand: 1+..+16 = 136. */
  uint64_t sum[13] = {0};
  for (size_t i = 0; i < m->xprt_count; i++) {
    const ms_xprt_t *x = &s->xprts[m->xprt_first + i];
    ck_assert_int_eq(x->kind, MS_XPRT_TCP);
    ck_assert_uint_eq(x->nfields, 13);
    for (size_t k = 0; k < 13; k++)
      sum[k] += x->v[k];
  }
  CHECK_U64S(sum, 11336 /* 16*700 + 136 */, 16, 16, 136, 0, 136000 /* sends */,
             135864 /* recvs: 136000 - 136 */, 0, 272000 /* req_u */, 0,
             272 /* max_slots */, 0, 136 /* pending_u */);
  check_op_names(s, 0, v3_ops, ARRAY_SIZE(v3_ops), 9);
  CHECK_OP(s, 0, "GETATTR", 9, 70000, 70000, 0, 9520000, 7840000, 100, 21000,
           23000, 12);
  CHECK_OP(s, 0, "LOOKUP", 9, 9000, 9000, 0, 1368000, 1440000, 20, 4000, 4300,
           900);
  CHECK_OP(s, 0, "READ", 9, 16384, 16384, 0, 2228224, 17180917760ull, 300,
           90000, 95000, 0);
  CHECK_OP(s, 0, "WRITE", 9, 8192, 8192, 0, 8590983168ull, 1114112, 250, 70000,
           74000, 2);
  CHECK_OP(s, 0, "COMMIT", 9, 1000, 1000, 0, 144000, 128000, 10, 30000, 31000,
           0);
  parsed_free(&p);
}
END_TEST

START_TEST(test_rdma_nconnect2) {
  parsed_t p;
  parse_fixture(&p, "nfs3-rdma-nconnect2.mountstats");
  const ms_snapshot_t *s = &p.snap;
  ck_assert_uint_eq(s->nmounts, 1);
  check_ranges(s);
  const ms_mount_t *m = &s->mounts[0];
  CHECK_SPAN(m->device, "fabric1.example.org:/scratch");
  CHECK_SPAN(m->mountpoint, "/scratch");
  ck_assert_uint_eq(m->line, 1);
  check_opt(m, "proto", "rdma");
  check_opt(m, "nconnect", "2");
  check_opt(m, "port", "20049"); /* not mountport=0 */
  check_opt(m, "mountport", "0");
  ck_assert_uint_eq(m->age, 5000);
  CHECK_U64S(m->events, 800, 300, 1, 2, 60, 120, 400, 0, 0, 40, 0, 20, 30, 1,
             60, 0, 0, 60, 0, 0, 5, 0, 0, 0, 0, 0, 0);
  CHECK_U64S(m->bytes, 41943040, 20971520, 0, 0, 41943040, 20971520, 10240,
             5120);
  ck_assert_uint_eq(m->xprt_count, 2);
  CHECK_XPRT(s, 0, 0, MS_XPRT_RDMA, "rdma", 27, 0, 0, 3, 1, 0, 5000, 4998, 0,
             10000, 0, 100, 200, 300, 4000, 3000, 0, 0, 0, 0, 0, 0, 7, 0, 128,
             2, 0, 0);
  CHECK_XPRT(s, 0, 1, MS_XPRT_RDMA, "rdma", 27, 0, 0, 4, 2, 1, 6000, 5997, 1,
             12000, 2, 110, 210, 310, 4100, 3100, 5, 6, 8, 9, 10, 11, 12, 13,
             129, 3, 14, 0);
  check_op_names(s, 0, v3_ops, ARRAY_SIZE(v3_ops), 9);
  CHECK_OP(s, 0, "READ", 9, 40, 40, 0, 5440, 41948160, 0, 800, 820, 0);
  CHECK_OP(s, 0, "WRITE", 9, 20, 20, 0, 20974080, 2720, 0, 700, 720, 1);
  parsed_free(&p);
}
END_TEST

START_TEST(test_old_headers) {
  parsed_t p;
  parse_fixture(&p, "old-headers.mountstats");
  const ms_snapshot_t *s = &p.snap;
  ck_assert_uint_eq(s->nmounts, 2);
  ck_assert_uint_eq(s->records, 4);
  check_ranges(s);

  const ms_mount_t *m = &s->mounts[0]; /* 2.6.39 - 3.1: no "device " */
  CHECK_SPAN(m->device, "filer:/vol");
  CHECK_SPAN(m->mountpoint, "/mnt/old");
  CHECK_SPAN(m->fstype, "nfs");
  CHECK_SPAN(m->statvers, "1.0");
  ck_assert_uint_eq(m->line, 3);
  check_opt(m, "mountport", "892");
  ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC);
  ck_assert_uint_eq(m->age, 99);
  ck_assert_uint_eq(m->nevents, 27);
  CHECK_U64S(m->events, 21, 22, 0, 1, 3, 4, 5, 0, 0, 1, 0, 2, 1, 0, 3, 0, 0, 3,
             0, 0, 0, 0, 0, 0, 0, 0, 0);
  CHECK_U64S(m->bytes, 4096, 2048, 0, 0, 4096, 2048, 1, 1);
  CHECK_SPAN(m->rpc_version, "1.0");
  ck_assert_uint_eq(m->rpc_vers, 3);
  ck_assert_uint_eq(m->xprt_count, 1);
  CHECK_XPRT(s, 0, 0, MS_XPRT_TCP, "tcp", 10, 1010, 1, 1, 12, 0, 40, 40, 0, 40,
             0);
  check_op_names(s, 0, v3_ops, ARRAY_SIZE(v3_ops), 8);
  CHECK_OP(s, 0, "GETATTR", 8, 21, 21, 0, 2856, 2352, 0, 10, 11);
  CHECK_OP(s, 0, "WRITE", 8, 1, 1, 0, 2180, 136, 0, 2, 2);

  m = &s->mounts[1]; /* "no device" */
  ck_assert_uint_eq(m->device.len, 0);
  CHECK_SPAN(m->mountpoint, "/mnt/nodev");
  CHECK_SPAN(m->fstype, "nfs");
  CHECK_SPAN(m->statvers, "1.0");
  ck_assert_uint_eq(m->line, 36);
  ck_assert(m->opts.len >= 3 && memcmp(m->opts.ptr, "ro,", 3) == 0);
  check_opt(m, "ro", "");
  ck_assert_uint_eq(m->age, 98);
  CHECK_U64S(m->events, 2, 3, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
             0, 0, 0, 0, 0, 0, 0, 0);
  CHECK_U64S(m->bytes, 0, 0, 0, 0, 0, 0, 0, 0);
  CHECK_XPRT(s, 1, 0, MS_XPRT_TCP, "tcp", 10, 1011, 1, 1, 9, 0, 4, 4, 0, 4, 0);
  check_op_names(s, 1, v3_ops, ARRAY_SIZE(v3_ops), 8);
  CHECK_OP(s, 1, "GETATTR", 8, 2, 2, 0, 272, 224, 0, 1, 1);
  CHECK_OP(s, 1, "FSINFO", 8, 1, 1, 0, 136, 164, 0, 0, 0);
  parsed_free(&p);
}
END_TEST

START_TEST(test_escapes_bind) {
  parsed_t p;
  parse_fixture(&p, "escapes-bind.mountstats");
  const ms_snapshot_t *s = &p.snap;
  ck_assert_uint_eq(s->nmounts, 4);
  check_ranges(s);
  char buf[128];

  const ms_mount_t *m = &s->mounts[0];
  CHECK_SPAN(m->device, "filer1.example.org:/srv/my\\040projects");
  CHECK_SPAN(m->mountpoint, "/mnt/my\\040projects\\011tab\\012nl\\134bs");
  ck_assert_uint_eq(m->line, 2);
  ck_assert_uint_eq(
      ms_unescape(buf, sizeof(buf), m->mountpoint.ptr, m->mountpoint.len), 26);
  ck_assert_str_eq(buf, "/mnt/my projects\ttab\nnl\\bs");
  ck_assert_uint_eq(ms_unescape(buf, sizeof(buf), m->device.ptr, m->device.len),
                    35);
  ck_assert_str_eq(buf, "filer1.example.org:/srv/my projects");
  ck_assert_uint_eq(m->age, 600);
  CHECK_OP(s, 0, "GETATTR", 9, 10, 10, 0, 1360, 1120, 0, 3, 4, 0);

  m = &s->mounts[1];
  CHECK_SPAN(m->mountpoint, "/mnt/daten/\xc3\x9c"
                            "bersicht-\xe6\x96\x87\xe6\xa1\xa3");
  ck_assert_uint_eq(m->line, 35);
  ck_assert_uint_eq(
      ms_unescape(buf, sizeof(buf), m->mountpoint.ptr, m->mountpoint.len),
      m->mountpoint.len);
  ck_assert_str_eq(buf, "/mnt/daten/Übersicht-文档");
  ck_assert_uint_eq(m->age, 601);
  CHECK_XPRT(s, 1, 0, MS_XPRT_TCP, "tcp", 13, 721, 1, 1, 0, 0, 11, 11, 0, 11, 0,
             2, 0, 0);

  /* The bind mount: two mount points, same device and counters. */
  const ms_mount_t *a = &s->mounts[2], *b = &s->mounts[3];
  CHECK_SPAN(a->device, "filer1.example.org:/srv/shared");
  CHECK_SPAN(b->device, "filer1.example.org:/srv/shared");
  CHECK_SPAN(a->mountpoint, "/srv/shared");
  CHECK_SPAN(b->mountpoint, "/home/alice/shared");
  ck_assert_uint_eq(a->line, 68);
  ck_assert_uint_eq(b->line, 102);
  for (size_t i = 2; i <= 3; i++) {
    m = &s->mounts[i];
    ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC);
    ck_assert_uint_eq(m->age, 602);
    ck_assert_uint_eq(m->nevents, 27);
    CHECK_U64S(m->events, 33, 44, 0, 1, 5, 6, 7, 0, 0, 2, 0, 1, 2, 0, 3, 0, 0,
               3, 0, 0, 1, 0, 0, 0, 0, 0, 0);
    CHECK_U64S(m->bytes, 3000, 4000, 0, 0, 3000, 4000, 3, 2);
    CHECK_XPRT(s, i, 0, MS_XPRT_TCP, "tcp", 13, 722, 1, 1, 0, 0, 77, 77, 0, 77,
               0, 4, 0, 1);
    check_op_names(s, i, v3_ops, ARRAY_SIZE(v3_ops), 9);
    CHECK_OP(s, i, "GETATTR", 9, 33, 33, 0, 4488, 3696, 0, 12, 13, 0);
    CHECK_OP(s, i, "READ", 9, 3, 3, 0, 408, 3396, 0, 4, 4, 0);
    CHECK_OP(s, i, "WRITE", 9, 2, 2, 0, 4272, 272, 0, 3, 3, 0);
  }
  for (size_t i = 0; i < a->op_count; i++)
    ck_assert_mem_eq(s->ops[a->op_first + i].v, s->ops[b->op_first + i].v,
                     sizeof(s->ops[0].v));
  parsed_free(&p);
}
END_TEST

START_TEST(test_huge_values) {
  parsed_t p;
  parse_fixture(&p, "huge-values.mountstats");
  const ms_snapshot_t *s = &p.snap;
  ck_assert_uint_eq(s->nmounts, 1);
  check_ranges(s);
  const ms_mount_t *m = &s->mounts[0];
  CHECK_SPAN(m->device, "filer4.example.org:/big");
  CHECK_SPAN(m->mountpoint, "/big");
  CHECK_SPAN(m->fstype, "nfs");
  CHECK_SPAN(m->statvers, "1.1");
  ck_assert_uint_eq(m->line, 1);
  check_opt(m, "mountaddr", "192.0.2.60");
  CHECK_SPAN(m->rpc_version, "1.1");
  ck_assert_uint_eq(m->rpc_vers, 3);
  CHECK_XPRT(s, 0, 0, MS_XPRT_TCP, "tcp", 13, 730, 0, 1, 0, 0, 3, 3, 0, 3, 0, 1,
             0, 0);
  ck_assert(m->age == U64_MAX);
  ck_assert_uint_eq(m->nevents, 27);
  ck_assert(m->events[0] == 4294967295u);
  ck_assert(m->events[1] == 4294967294u);
  ck_assert(m->events[26] == U64_MAX);
  CHECK_U64S(m->bytes, U64_MAX, U64_MAX - 1, 0, 0, 1ull << 63, 0, 0, 0);
  ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC);
  CHECK_OP(s, 0, "READ", 9, 5, 5, 0, 680, 5460, 18446744073709551615ull, 1, 2,
           0);
  CHECK_OP(s, 0, "WRITE", 9, 6, 6, 0, 8160, 816, 18446744073709551606ull, 3, 4,
           0);
  CHECK_OP(s, 0, "PATHCONF", 9, 1, 1, 0, 136, 140, 0, 0, 0, 4294967295u);
  /* COMMIT holds 2^64: the line is rejected, the other 21 ops stay. */
  ck_assert_ptr_null(find_op(s, 0, "COMMIT"));
  ck_assert_uint_eq(m->op_count, 21);
  ck_assert_uint_eq(s->ndiags, 1);
  CHECK_DIAG(s, 0, MS_DIAG_OVERFLOW, 32, 0,
             "\t      COMMIT: 7 7 0 952 896 0 18446744073709551616 9 0");
  ck_assert_uint_eq(m->bad_lines, 1);
  parsed_free(&p);
}
END_TEST

START_TEST(test_truncated) {
  parsed_t p;
  parse_fixture(&p, "truncated.mountstats");
  const ms_snapshot_t *s = &p.snap;
  ck_assert_uint_eq(s->nmounts, 2);
  ck_assert_uint_eq(s->lines, 49);
  check_ranges(s);
  const ms_mount_t *m = &s->mounts[0];
  CHECK_SPAN(m->device, "filer5.example.org:/a");
  CHECK_SPAN(m->mountpoint, "/a");
  CHECK_SPAN(m->fstype, "nfs");
  CHECK_SPAN(m->statvers, "1.1");
  ck_assert_uint_eq(m->line, 2);
  ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC);
  ck_assert_uint_eq(m->age, 10);
  ck_assert_uint_eq(m->events[0], 1);
  ck_assert_uint_eq(m->events[26], 2);
  CHECK_XPRT(s, 0, 0, MS_XPRT_TCP, "tcp", 13, 740, 0, 1, 0, 0, 2, 2, 0, 2, 0, 1,
             0, 0);
  check_op_names(s, 0, v3_ops, ARRAY_SIZE(v3_ops), 9);
  CHECK_OP(s, 0, "NULL", 9, 1, 1, 0, 44, 24, 0, 0, 1, 0);
  CHECK_OP(s, 0, "COMMIT", 9, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  m = &s->mounts[1];
  CHECK_SPAN(m->opts, "rw,vers=3,proto=tcp,local_lock=none");
  ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC);
  CHECK_U64S(m->events, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
             0, 0, 0, 0, 0, 0, 0, 4);
  CHECK_SPAN(m->mountpoint, "/b");
  ck_assert_uint_eq(m->line, 35);
  ck_assert_uint_eq(m->age, 11);
  CHECK_U64S(m->bytes, 5, 6, 0, 0, 5, 6, 1, 1);
  CHECK_XPRT(s, 1, 0, MS_XPRT_TCP, "tcp", 13, 741, 0, 1, 0, 0, 9, 9, 0, 9, 0, 1,
             0, 0);
  check_op_names(s, 1, v3_ops, 7, 9); /* NULL .. READ; WRITE was cut */
  ck_assert_ptr_null(find_op(s, 1, "WRITE"));
  CHECK_OP(s, 1, "LOOKUP", 9, 2, 2, 0, 280, 320, 0, 1, 1, 1);
  CHECK_OP(s, 1, "READ", 9, 1, 1, 0, 136, 240, 0, 1, 1, 0);
  ck_assert_uint_eq(s->ndiags, 1);
  ck_assert_uint_eq(s->diags_total, 1);
  /* A cut last line is named with the record it belongs to (so the log can
   * name the mount), but it is not the record's fault: bad_lines stays 0. */
  CHECK_DIAG(s, 0, MS_DIAG_TRUNCATED, 50, 1, "\t       WRITE: 12 12 0 15");
  ck_assert_uint_eq(m->bad_lines, 0);
  parsed_free(&p);
}
END_TEST

START_TEST(test_crlf) {
  parsed_t p;
  parse_fixture(&p, "crlf.mountstats");
  const ms_snapshot_t *s = &p.snap;
  ck_assert_uint_eq(s->nmounts, 1);
  ck_assert_uint_eq(s->ndiags, 0);
  check_ranges(s);
  const ms_mount_t *m = &s->mounts[0];
  CHECK_SPAN(m->device, "filer6.example.org:/crlf");
  CHECK_SPAN(m->mountpoint, "/mnt/crlf");
  CHECK_SPAN(m->fstype, "nfs");
  CHECK_SPAN(m->statvers, "1.1");
  CHECK_SPAN(m->opts, "rw,vers=3,proto=tcp,nconnect=1,local_lock=none");
  check_opt(m, "local_lock", "none");
  ck_assert_uint_eq(m->line, 2);
  ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC);
  ck_assert_uint_eq(m->age, 42);
  ck_assert_uint_eq(m->nevents, 27);
  ck_assert_uint_eq(m->events_printed, 27);
  CHECK_U64S(m->events, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
             10, 11, 12, 13, 14, 15, 16, 17, 18);
  CHECK_U64S(m->bytes, 1, 2, 3, 4, 5, 6, 7, 8);
  CHECK_SPAN(m->rpc_version, "1.1");
  ck_assert_uint_eq(m->rpc_prog, 100003);
  ck_assert_uint_eq(m->rpc_vers, 3);
  CHECK_XPRT(s, 0, 0, MS_XPRT_TCP, "tcp", 13, 750, 0, 1, 0, 0, 5, 5, 0, 5, 0, 1,
             0, 0);
  check_op_names(s, 0, v3_ops, ARRAY_SIZE(v3_ops), 9);
  CHECK_OP(s, 0, "GETATTR", 9, 8, 8, 0, 1088, 896, 0, 2, 3, 0);
  CHECK_OP(s, 0, "COMMIT", 9, 2, 2, 0, 288, 256, 0, 1, 1, 1);
  parsed_free(&p);
}
END_TEST

START_TEST(test_malformed) {
  parsed_t p;
  parse_fixture(&p, "malformed.mountstats");
  const ms_snapshot_t *s = &p.snap;
  ck_assert_uint_eq(s->nmounts, 2);
  check_ranges(s);
  ck_assert_uint_eq(s->ndiags, 6);
  ck_assert_uint_eq(s->diags_total, 6);
  CHECK_DIAG(s, 0, MS_DIAG_BAD_NUMBER, 6, 0,
             "\tevents:\t1 2 3 4 5 6 7 8 9 10 11 12x 13 14 15 16 17 18 19 20 "
             "21 22 23 24 25 26 27 ");
  CHECK_DIAG(s, 1, MS_DIAG_TOO_FEW_FIELDS, 7, 0, "\tbytes:\t1 2 3 4 5 6 7 ");
  CHECK_DIAG(s, 2, MS_DIAG_NO_TRANSPORT, 9, 0, "\txprt:");
  CHECK_DIAG(s, 3, MS_DIAG_TOO_FEW_FIELDS, 15, 0,
             "\t     SETATTR: 0 0 0 0 0 0 0");
  CHECK_DIAG(s, 4, MS_DIAG_DUPLICATE_OP, 17, 0,
             "\t     GETATTR: 99 99 0 1 1 1 1 1 0");
  CHECK_DIAG(s, 5, MS_DIAG_BAD_OP_NAME, 36, 0,
             "\t    BAD-NAME: 1 1 0 0 0 0 0 0 0");

  const ms_mount_t *m = &s->mounts[0];
  CHECK_SPAN(m->mountpoint, "/mnt/m");
  ck_assert_uint_eq(m->bad_lines, 6);
  /* events and bytes were rejected; the rest of the record parsed. */
  ck_assert_uint_eq(m->have, MS_HAVE_AGE | MS_HAVE_RPC | MS_HAVE_OPHDR);
  ck_assert_uint_eq(m->nevents, 0);
  ck_assert_uint_eq(m->age, 77);
  CHECK_SPAN(m->opts, "rw,vers=3,proto=tcp,local_lock=none");
  CHECK_SPAN(m->rpc_version, "1.1");
  ck_assert_uint_eq(m->rpc_vers, 3);
  ck_assert_uint_eq(m->xprt_count, 2);
  CHECK_XPRT(s, 0, 0, MS_XPRT_OTHER, "quic", 3, 1, 2, 3);
  CHECK_XPRT(s, 0, 1, MS_XPRT_TCP, "tcp", 13, 760, 0, 1, 0, 0, 6, 6, 0, 6, 0, 1,
             0, 0);
  ck_assert_uint_eq(m->op_count, 21);
  ck_assert_ptr_null(find_op(s, 0, "SETATTR"));
  ck_assert_ptr_null(find_op(s, 0, "BAD-NAME"));
  CHECK_OP(s, 0, "GETATTR", 9, 4, 4, 0, 544, 448, 0, 1, 2, 0); /* the first */
  CHECK_OP(s, 0, "LOOKUP", 9, 2, 2, 0, 280, 320, 0, 1, 1, 1);
  CHECK_OP(s, 0, "ACCESS", 9, 1, 1, 0, 136, 120, 0, 0, 1, 0);
  CHECK_OP(s, 0, "COMMIT", 9, 3, 3, 0, 432, 384, 0, 2, 2, 0);
  static const char *const order[] = {
      "NULL",   "GETATTR",  "LOOKUP", "ACCESS",  "READLINK",    "READ",
      "WRITE",  "CREATE",   "MKDIR",  "SYMLINK", "MKNOD",       "REMOVE",
      "RMDIR",  "RENAME",   "LINK",   "READDIR", "READDIRPLUS", "FSSTAT",
      "FSINFO", "PATHCONF", "COMMIT"};
  check_op_names(s, 0, order, ARRAY_SIZE(order), 9);

  m = &s->mounts[1];
  CHECK_SPAN(m->mountpoint, "/mnt/n");
  ck_assert_uint_eq(m->line, 38);
  ck_assert_uint_eq(m->bad_lines, 0);
  ck_assert_uint_eq(m->have, HAVE_ALL_NOFSC);
  ck_assert_uint_eq(m->age, 78);
  ck_assert_uint_eq(m->nevents, 27);
  CHECK_U64S(m->events, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
             0, 0, 0, 0, 0, 0, 0, 9);
  CHECK_U64S(m->bytes, 10, 20, 30, 40, 50, 60, 70, 80);
  ck_assert_uint_eq(m->xprt_count, 1);
  CHECK_XPRT(s, 1, 0, MS_XPRT_TCP, "tcp", 13, 761, 0, 1, 0, 0, 3, 3, 0, 3, 0, 1,
             0, 0);
  check_op_names(s, 1, v3_ops, ARRAY_SIZE(v3_ops), 9);
  CHECK_OP(s, 1, "GETATTR", 9, 2, 2, 0, 272, 224, 0, 1, 1, 0);
  CHECK_OP(s, 1, "COMMIT", 9, 1, 1, 0, 144, 128, 0, 1, 1, 0);
  parsed_free(&p);
}
END_TEST

/* ---- literal inputs ------------------------------------------------------ */

#define HDR3 "device srv:/x mounted on /x with fstype nfs statvers=1.1\n"
#define OPHDR "\tper-op statistics\n"
#define EV27                                                                   \
  "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 "

START_TEST(test_empty_input) {
  ms_snapshot_t s = {0};
  ck_assert_int_eq(ms_parse(&s, "", 0), 0);
  ck_assert_uint_eq(s.nmounts, 0);
  ck_assert_uint_eq(s.records, 0);
  ck_assert_uint_eq(s.lines, 0);
  ck_assert_uint_eq(s.ndiags, 0);
  ck_assert_uint_eq(s.nops, 0);
  ck_assert_uint_eq(s.nxprts, 0);
  ms_snapshot_free(&s);
  ck_assert_ptr_null(s.mounts);
}
END_TEST

START_TEST(test_blank_lines_only) {
  ms_snapshot_t s = {0};
  ck_assert_int_eq(parse_lit(&s, "\n\n \n\t\n\r\n"), 0);
  ck_assert_uint_eq(s.lines, 5);
  ck_assert_uint_eq(s.records, 0);
  ck_assert_uint_eq(s.nmounts, 0);
  ck_assert_uint_eq(s.ndiags, 0);
  /* White space without a newline at the end is not a cut line. */
  ck_assert_int_eq(parse_lit(&s, "\n \t "), 0);
  ck_assert_uint_eq(s.lines, 1);
  ck_assert_uint_eq(s.ndiags, 0);
  ms_snapshot_free(&s);
}
END_TEST

START_TEST(test_no_nfs_record) {
  ms_snapshot_t s = {0};
  const char *in = "device rootfs mounted on / with fstype rootfs\n"
                   "device proc mounted on /proc with fstype proc\n"
                   "device nfsd mounted on /proc/fs/nfsd with fstype nfsd\n"
                   "device //w/s mounted on /mnt/w with fstype cifs \n"
                   "device a:/b mounted on /c with fstype fuse.sshfs\n"
                   "device a:/b mounted on /d with fstype nfs4x\n"
                   "no device mounted on /e with fstype nfsfoo\n"
                   "\tage:\t5\n"
                   "\tevents:\t" EV27 "\n";
  ck_assert_int_eq(parse_lit(&s, in), 0);
  ck_assert_uint_eq(s.records, 7);
  ck_assert_uint_eq(s.lines, 9);
  ck_assert_uint_eq(s.nmounts, 0);
  ck_assert_uint_eq(s.ndiags, 0);
  ms_snapshot_free(&s);
}
END_TEST

START_TEST(test_lines_outside_records) {
  ms_snapshot_t s = {0};
  const char *in = "\tage:\t5\n" /* before any record */
      HDR3 "\topts:\trw\n"       /* NFS */
                   "\tage:\t7\n"
                   "device //w/s mounted on /w with fstype cifs \n"
                   "\tage:\t999\n" /* belongs to cifs: ignored */
                   "\tevents:\t" EV27 "\n";
  ck_assert_int_eq(parse_lit(&s, in), 0);
  ck_assert_uint_eq(s.nmounts, 1);
  ck_assert_uint_eq(s.records, 2);
  ck_assert_uint_eq(s.mounts[0].age, 7);
  ck_assert_uint_eq(s.mounts[0].have, MS_HAVE_AGE);
  ck_assert_uint_eq(s.mounts[0].nevents, 0);
  ck_assert_uint_eq(s.ndiags, 0);
  ms_snapshot_free(&s);
}
END_TEST

START_TEST(test_continuation_line) {
  /* An opts value wrapped onto an unindented line (as some publishers do)
   * neither starts a record nor ends the current one. */
  ms_snapshot_t s = {0};
  const char *in = HDR3 "\topts:\n"
                        "rw,vers=3,proto=tcp\n"
                        "  hard,intr\n"
                        "\tage:\t5\n";
  ck_assert_int_eq(parse_lit(&s, in), 0);
  ck_assert_uint_eq(s.nmounts, 1);
  ck_assert_uint_eq(s.records, 1);
  ck_assert_uint_eq(s.mounts[0].opts.len, 0);
  ck_assert_uint_eq(s.mounts[0].age, 5);
  ck_assert_uint_eq(s.ndiags, 0);
  ms_snapshot_free(&s);
}
END_TEST

START_TEST(test_header_forms) {
  ms_snapshot_t s = {0};
  const char *in = "device a:/b mounted on /c with fstype nfs4\n"
                   "no device mounted on /d with fstype nfs\n"
                   "e:/f mounted on /g with fstype nfs statvers=1.0\n"
                   "device h:/i mounted on /j with fstype nfs statvers=9.9 x\n";
  ck_assert_int_eq(parse_lit(&s, in), 0);
  ck_assert_uint_eq(s.nmounts, 4);
  CHECK_SPAN(s.mounts[0].device, "a:/b");
  CHECK_SPAN(s.mounts[0].mountpoint, "/c");
  CHECK_SPAN(s.mounts[0].fstype, "nfs4");
  ck_assert_uint_eq(s.mounts[0].statvers.len, 0);
  ck_assert_uint_eq(s.mounts[0].opts.len, 0);
  ck_assert_uint_eq(s.mounts[1].device.len, 0);
  CHECK_SPAN(s.mounts[1].mountpoint, "/d");
  CHECK_SPAN(s.mounts[1].fstype, "nfs");
  CHECK_SPAN(s.mounts[2].device, "e:/f");
  CHECK_SPAN(s.mounts[2].statvers, "1.0");
  CHECK_SPAN(s.mounts[3].statvers, "9.9");
  for (size_t i = 0; i < 4; i++) {
    ck_assert_uint_eq(s.mounts[i].line, i + 1);
    ck_assert_uint_eq(s.mounts[i].have, 0);
    ck_assert_uint_eq(s.mounts[i].op_count, 0);
    ck_assert_uint_eq(s.mounts[i].xprt_count, 0);
    ck_assert_uint_eq(s.mounts[i].rpc_prog, 0);
    ck_assert_uint_eq(s.mounts[i].rpc_version.len, 0);
    ck_assert_uint_eq(s.mounts[i].bad_lines, 0);
  }
  ms_snapshot_free(&s);
}
END_TEST

/* One malformed or unusual line after a record header. */
static const struct line_case {
  const char *line;           /* body line, with its newline */
  enum ms_diag_reason reason; /* 0: no diagnostic expected */
} line_cases[] = {
    {"\tage:\n", MS_DIAG_TOO_FEW_FIELDS},
    {"\tage:\t-1\n", MS_DIAG_BAD_NUMBER},
    {"\tage:\t18446744073709551616\n", MS_DIAG_OVERFLOW},
    {"\tage:\t99999999999999999999999\n", MS_DIAG_OVERFLOW},
    {"\tevents:\t1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 "
     "24 \n",
     MS_DIAG_TOO_FEW_FIELDS},
    {"\tevents:\t" EV27 "18446744073709551616 \n", MS_DIAG_OVERFLOW},
    {"\tevents:\t0x1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 "
     "23 24 25 \n",
     MS_DIAG_BAD_NUMBER},
    {"\tbytes:\t1 2 3 4 5 6 7 8x \n", MS_DIAG_BAD_NUMBER},
    {"\tfsc:\t1 2 3 4 \n", MS_DIAG_TOO_FEW_FIELDS},
    {"\txprt:\t \n", MS_DIAG_NO_TRANSPORT},
    {"\txprt:\ttcp 1 2 3\n", MS_DIAG_TOO_FEW_FIELDS},
    {"\txprt:\tudp 1 2 3 4 5 6\n", MS_DIAG_TOO_FEW_FIELDS},
    {"\txprt:\trdma 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n",
     MS_DIAG_TOO_FEW_FIELDS},
    {"\txprt:\tlocal 1 2 3 4 5 6 7 8\n", MS_DIAG_TOO_FEW_FIELDS},
    {"\txprt:\ttcp 1 2 3 4 5 6 7 8 9 1O\n", MS_DIAG_BAD_NUMBER},
    {"\tcaps:\tcaps=0x3fef,wtmult=4096\n", 0},
    {"\tsomething new:\t1 2 3\n", 0},
    {OPHDR "\t        READ: 1 2 3 4 5 6 7\n", MS_DIAG_TOO_FEW_FIELDS},
    {OPHDR "\t        READ: 1 2 3 4 5 6 7 -8\n", MS_DIAG_BAD_NUMBER},
    {OPHDR "\t        READ: 1 2 3 4 5 6 7 0x8\n", MS_DIAG_BAD_NUMBER},
    {OPHDR "\t        READ: 1 2 3 4 5 18446744073709551616 7 8\n",
     MS_DIAG_OVERFLOW},
    {OPHDR "\t        READ 1 2 3 4 5 6 7 8\n", MS_DIAG_BAD_OP_NAME},
    {OPHDR "\t: 1 2 3 4 5 6 7 8\n", MS_DIAG_BAD_OP_NAME},
    {OPHDR "\t   READ DATA: 1 2 3 4 5 6 7 8\n", MS_DIAG_BAD_OP_NAME},
};

START_TEST(test_bad_line) {
  const struct line_case *c = &line_cases[_i];
  char in[512];
  snprintf(in, sizeof(in), HDR3 "\tage:\t5\n%s", c->line);
  ms_snapshot_t s = {0};
  ck_assert_int_eq(parse_lit(&s, in), 0);
  ck_assert_uint_eq(s.nmounts, 1);
  if (c->reason == 0) {
    ck_assert_uint_eq(s.ndiags, 0);
    ck_assert_uint_eq(s.mounts[0].bad_lines, 0);
  } else {
    ck_assert_msg(s.ndiags == 1, "case %d: %zu diagnostics", _i, s.ndiags);
    ck_assert_msg(s.diags[0].reason == c->reason, "case %d: reason %d", _i,
                  (int)s.diags[0].reason);
    ck_assert_uint_eq(s.diags[0].mount, 0);
    ck_assert_uint_eq(s.mounts[0].bad_lines, 1);
  }
  ck_assert_uint_eq(s.mounts[0].op_count, 0);
  ck_assert_uint_eq(s.mounts[0].xprt_count, 0);
  /* The age line before the case line stays parsed. */
  ck_assert_uint_eq(s.mounts[0].have & ~(unsigned)MS_HAVE_OPHDR, MS_HAVE_AGE);
  ck_assert_uint_eq(s.mounts[0].age, 5);
  ms_snapshot_free(&s);
}
END_TEST

START_TEST(test_extra_fields) {
  ms_snapshot_t s = {0};
  const char *in = HDR3
      "\tevents:\t" EV27 "28 29 30 31 32 33 \n"
      "\tbytes:\t1 2 3 4 5 6 7 8 9 \n"
      "\txprt:\ttcp 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 "
      "23 24 25 26 27 28 29 30 31 32 33 34 35\n"
      "\txprt:\tlocal 1 2 3 4 5 6 7 8 9\n" OPHDR
      "\t        READ: 1 2 3 4 5 6 7 8 9 10\n"
      "\t       WRITE:\t007  8\t9 10 11 12 13 14\n";
  ck_assert_int_eq(parse_lit(&s, in), 0);
  ck_assert_uint_eq(s.ndiags, 0);
  const ms_mount_t *m = &s.mounts[0];
  ck_assert_uint_eq(m->events_printed, 33);
  ck_assert_uint_eq(m->nevents, 32);
  ck_assert_uint_eq(m->events[0], 1);
  ck_assert_uint_eq(m->events[31], 32);
  CHECK_U64S(m->bytes, 1, 2, 3, 4, 5, 6, 7, 8);
  ck_assert_uint_eq(m->xprt_count, 2);
  const ms_xprt_t *x = &s.xprts[m->xprt_first];
  ck_assert_int_eq(x->kind, MS_XPRT_TCP);
  ck_assert_uint_eq(x->nfields, 32);
  ck_assert_uint_eq(x->nfields_printed, 35);
  ck_assert_uint_eq(x->v[31], 32);
  CHECK_XPRT(&s, 0, 1, MS_XPRT_LOCAL, "local", 9, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  CHECK_OP(&s, 0, "READ", 9, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  CHECK_OP(&s, 0, "WRITE", 8, 7, 8, 9, 10, 11, 12, 13, 14);
  ms_snapshot_free(&s);
}
END_TEST

START_TEST(test_many_diags) {
  /* 70 bad lines: 64 are kept, all are counted. */
  size_t cap = 8192, n = 0;
  char *in = malloc(cap);
  ck_assert_ptr_nonnull(in);
  n += (size_t)snprintf(in + n, cap - n, "%s", HDR3 OPHDR);
  for (int i = 0; i < 70; i++)
    n += (size_t)snprintf(in + n, cap - n, "\t  OP%d: 1 2 3\n", i);
  ck_assert_uint_lt(n, cap);
  ms_snapshot_t s = {0};
  ck_assert_int_eq(ms_parse(&s, in, n), 0);
  ck_assert_uint_eq(s.ndiags, MS_MAX_DIAGS);
  ck_assert_uint_eq(s.diags_total, 70);
  ck_assert_uint_eq(s.mounts[0].bad_lines, 70);
  ck_assert_uint_eq(s.diags[0].line, 3);
  ck_assert_uint_eq(s.diags[MS_MAX_DIAGS - 1].line, 3 + MS_MAX_DIAGS - 1);
  CHECK_SPAN(s.diags[MS_MAX_DIAGS - 1].text, "\t  OP63: 1 2 3");
  ms_snapshot_free(&s);
  free(in);
}
END_TEST

START_TEST(test_duplicate_op_names) {
  /* Names that differ only by case or length are not duplicates. */
  ms_snapshot_t s = {0};
  const char *in =
      HDR3 OPHDR "\t        READ: 1 1 0 0 0 0 0 0\n"
                 "\t        read: 2 2 0 0 0 0 0 0\n"
                 "\t       READX: 3 3 0 0 0 0 0 0\n"
                 "\t         REA: 4 4 0 0 0 0 0 0\n"
                 "\t        READ: 5 5 0 0 0 0 0 0\n"
                 "\n" HDR3 OPHDR "\t        READ: 6 6 0 0 0 0 0 0\n";
  ck_assert_int_eq(parse_lit(&s, in), 0);
  ck_assert_uint_eq(s.nmounts, 2);
  check_ranges(&s);
  ck_assert_uint_eq(s.mounts[0].op_count, 4);
  ck_assert_uint_eq(s.ndiags, 1);
  CHECK_DIAG(&s, 0, MS_DIAG_DUPLICATE_OP, 7, 0,
             "\t        READ: 5 5 0 0 0 0 0 0");
  CHECK_OP(&s, 0, "READ", 8, 1, 1, 0, 0, 0, 0, 0, 0);
  CHECK_OP(&s, 0, "read", 8, 2, 2, 0, 0, 0, 0, 0, 0);
  /* The same name in the next record is not a duplicate. */
  ck_assert_uint_eq(s.mounts[1].op_count, 1);
  CHECK_OP(&s, 1, "READ", 8, 6, 6, 0, 0, 0, 0, 0, 0);
  ms_snapshot_free(&s);
}
END_TEST

/* More operations in one record than MS_MAX_OPS: the first MS_MAX_OPS are
 * kept, each further line is a TOO_MANY_OPS diagnostic, and a duplicate of a
 * kept op is still found (the table never fills). */
START_TEST(test_too_many_ops) {
  size_t cap = 512 + (MS_MAX_OPS + 8) * 40;
  char *text = malloc(cap);
  size_t len = (size_t)snprintf(
      text, cap,
      "device s:/x mounted on /x with fstype nfs statvers=1.1\n"
      "\tper-op statistics\n");
  for (int i = 0; i < MS_MAX_OPS + 6; i++)
    len +=
        (size_t)snprintf(text + len, cap - len, "\tOP%d: 1 1 0 0 0 0 0 0\n", i);
  /* A record after them, so that the fast path may read them too. */
  len +=
      (size_t)snprintf(text + len, cap - len,
                       "device a mounted on /t with fstype proc %0300d\n", 0);
  ms_snapshot_t s = {0};
  ck_assert_int_eq(ms_parse(&s, text, len), 0);
  ck_assert_uint_eq(s.nmounts, 1);
  ck_assert_uint_eq(s.mounts[0].op_count, MS_MAX_OPS);
  ck_assert_uint_eq(s.diags_total, 6);
  ck_assert_int_eq(s.diags[0].reason, MS_DIAG_TOO_MANY_OPS);
  ck_assert_uint_eq(s.diags[0].line, 3 + MS_MAX_OPS);
  /* The same with OP0 printed again in place of the 1024th: duplicate. */
  len = (size_t)snprintf(text, cap,
                         "device s:/x mounted on /x with fstype nfs\n"
                         "\tper-op statistics\n");
  for (int i = 0; i < MS_MAX_OPS - 1; i++)
    len +=
        (size_t)snprintf(text + len, cap - len, "\tOP%d: 1 1 0 0 0 0 0 0\n", i);
  len += (size_t)snprintf(text + len, cap - len, "\tOP0: 2 2 0 0 0 0 0 0\n");
  ck_assert_int_eq(ms_parse(&s, text, len), 0);
  ck_assert_uint_eq(s.mounts[0].op_count, MS_MAX_OPS - 1);
  ck_assert_uint_eq(s.diags_total, 1);
  ck_assert_int_eq(s.diags[0].reason, MS_DIAG_DUPLICATE_OP);
  ms_snapshot_free(&s);
  free(text);
}
END_TEST

START_TEST(test_diag_reason_str) {
  const enum ms_diag_reason r[] = {
      MS_DIAG_TOO_FEW_FIELDS, MS_DIAG_BAD_NUMBER,   MS_DIAG_OVERFLOW,
      MS_DIAG_BAD_OP_NAME,    MS_DIAG_NO_TRANSPORT, MS_DIAG_TRUNCATED,
      MS_DIAG_DUPLICATE_OP,   MS_DIAG_TOO_MANY_OPS};
  for (size_t i = 0; i < ARRAY_SIZE(r); i++) {
    const char *a = ms_diag_reason_str(r[i]);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_gt(strlen(a), 0);
    for (size_t k = 0; k < i; k++)
      ck_assert_str_ne(a, ms_diag_reason_str(r[k]));
  }
  ck_assert_ptr_nonnull(ms_diag_reason_str((enum ms_diag_reason)0));
  ck_assert_ptr_nonnull(ms_diag_reason_str((enum ms_diag_reason)999));
}
END_TEST

/* ---- snapshot reuse ------------------------------------------------------ */

START_TEST(test_reuse_snapshot) {
  parsed_t big;
  parse_fixture(&big, "nfs4-minor-versions.mountstats");
  ms_snapshot_t *s = &big.snap;
  ck_assert_uint_eq(s->nmounts, 3);
  ck_assert_uint_eq(s->nops, 207);

  /* A smaller input: no RPC line, no xprt, two ops, one bad line. */
  const char *small =
      "device s:/x mounted on /x with fstype nfs\n"
      "\topts:\trw\n"
      "\tage:\t5\n" OPHDR "\t        NULL: 1 1 0 44 24 0 0 1 0\n"
      "\t     GETATTR: 2 2 0 1 1 0 0 0 0\n"
      "\t     SETATTR: 2 2\n"
      "\n";
  ck_assert_int_eq(parse_lit(s, small), 0);
  ck_assert_uint_eq(s->nmounts, 1);
  ck_assert_uint_eq(s->records, 1);
  ck_assert_uint_eq(s->lines, 8);
  ck_assert_uint_eq(s->nops, 2);
  ck_assert_uint_eq(s->nxprts, 0);
  ck_assert_uint_eq(s->ndiags, 1);
  ck_assert_uint_eq(s->diags_total, 1);
  const ms_mount_t *m = &s->mounts[0];
  ck_assert_uint_eq(m->have, MS_HAVE_AGE | MS_HAVE_OPHDR);
  ck_assert_uint_eq(m->nevents, 0);
  ck_assert_uint_eq(m->events_printed, 0);
  ck_assert_uint_eq(m->op_first, 0);
  ck_assert_uint_eq(m->op_count, 2);
  ck_assert_uint_eq(m->xprt_count, 0);
  ck_assert_uint_eq(m->bad_lines, 1);
  ck_assert_uint_eq(m->rpc_prog, 0);
  ck_assert_uint_eq(m->rpc_vers, 0);
  ck_assert_uint_eq(m->rpc_version.len, 0);
  ck_assert_uint_eq(m->statvers.len, 0);
  CHECK_OP(s, 0, "GETATTR", 9, 2, 2, 0, 1, 1, 0, 0, 0, 0);

  /* No NFS at all. */
  ck_assert_int_eq(parse_lit(s, "device proc mounted on /proc with fstype "
                                "proc\n"),
                   0);
  ck_assert_uint_eq(s->nmounts, 0);
  ck_assert_uint_eq(s->nops, 0);
  ck_assert_uint_eq(s->ndiags, 0);
  ck_assert_uint_eq(s->records, 1);

  /* The big input again gives the counts of the first parse. */
  ck_assert_int_eq(ms_parse(s, big.buf, big.len), 0);
  check_counts(s, &fixture_table[2]);
  for (size_t i = 0; i < 3; i++) {
    ck_assert_uint_eq(s->mounts[i].op_count, 69);
    ck_assert_uint_eq(s->mounts[i].xprt_count, 1);
    ck_assert_uint_eq(s->mounts[i].bad_lines, 0);
  }
  parsed_free(&big);
}
END_TEST

START_TEST(test_reuse_after_free) {
  ms_snapshot_t s = {0};
  ck_assert_int_eq(parse_lit(&s, HDR3 "\tage:\t1\n"), 0);
  ms_snapshot_free(&s);
  ck_assert_ptr_null(s.mounts);
  ck_assert_uint_eq(s.nmounts, 0);
  ck_assert_int_eq(parse_lit(&s, HDR3 "\tage:\t2\n" HDR3 "\tage:\t3\n"), 0);
  ck_assert_uint_eq(s.nmounts, 2);
  ck_assert_uint_eq(s.mounts[1].age, 3);
  ms_snapshot_free(&s);
}
END_TEST

/* ---- guard page with literal inputs ---------------------------------------
 */

static const struct guard_case {
  const char *in;
  size_t nmounts, lines, ndiags; /* ndiags: TRUNCATED only */
  size_t op_count, xprt_count;   /* of the last mount */
} guard_cases[] = {
    {"", 0, 0, 0, 0, 0},
    {"device proc mounted on /proc with fstype proc", 0, 0, 1, 0, 0},
    {"device a:/b mounted on /c with fstype nfs", 0, 0, 1, 0, 0},
    {"device a:/b mounted on /c with fstype nfs\n", 1, 1, 0, 0, 0},
    {"device a:/b mounted on /c with fstype nfs\n\tage:\t12", 1, 1, 1, 0, 0},
    {"device a:/b mounted on /c with fstype nfs\n\tevents:\t1 2 3", 1, 1, 1, 0,
     0},
    {HDR3 "\txprt:\ttcp 1 2 3 4 5 6 7 8 9 1", 1, 1, 1, 0, 0},
    {HDR3 "\txprt:\ttcp 1 2 3 4 5 6 7 8 9 10\n", 1, 2, 0, 0, 1},
    {HDR3 OPHDR "\t        READ: 1 2 3 4 5 6 7 8 9", 1, 2, 1, 0, 0},
    {HDR3 OPHDR "\t        READ: 1 2 3 4 5 6 7 8 9\n", 1, 3, 0, 1, 0},
    {HDR3 OPHDR "\t        READ: 1 2 3 4 5 6 7 8 9\r", 1, 2, 1, 0, 0},
    {HDR3 OPHDR "\t        READ", 1, 2, 1, 0, 0},
    {HDR3 OPHDR "\t        READ:", 1, 2, 1, 0, 0},
    {HDR3 OPHDR "\t        READ: 18446744073709551615", 1, 2, 1, 0, 0},
    {"device a mounted on", 0, 0, 1, 0, 0},
    {"device a mounted on /b with fstype nfs statvers=", 0, 0, 1, 0, 0},
    {"device a mounted on /b with fstype nfs statvers=\n", 1, 1, 0, 0, 0},
    {"\n\n\t", 0, 2, 0, 0, 0},
};

START_TEST(test_guard_literal) {
  const struct guard_case *c = &guard_cases[_i];
  size_t len = strlen(c->in);
  guard_t g;
  const char *data = guard_copy(&g, c->in, len);
  ms_snapshot_t s = {0};
  ck_assert_int_eq(ms_parse(&s, data, len), 0);
  ck_assert_msg(s.nmounts == c->nmounts, "case %d: %zu mounts", _i, s.nmounts);
  ck_assert_msg(s.lines == c->lines, "case %d: %zu lines", _i, s.lines);
  ck_assert_msg(s.ndiags == c->ndiags, "case %d: %zu diags", _i, s.ndiags);
  if (c->ndiags) {
    ck_assert_int_eq(s.diags[0].reason, MS_DIAG_TRUNCATED);
    ck_assert_uint_eq(s.diags[0].line, c->lines + 1);
  }
  check_ranges(&s);
  if (s.nmounts) {
    const ms_mount_t *m = &s.mounts[s.nmounts - 1];
    ck_assert_msg(m->op_count == c->op_count, "case %d: %zu ops", _i,
                  m->op_count);
    ck_assert_msg(m->xprt_count == c->xprt_count, "case %d: %zu xprts", _i,
                  m->xprt_count);
    ck_assert_uint_eq(m->have & (MS_HAVE_AGE | MS_HAVE_EVENTS), 0);
  }
  ms_snapshot_free(&s);
  guard_free(&g);
}
END_TEST

/* ---- suite ------------------------------------------------------------------
 */

static Suite *parser_suite(void) {
  Suite *s = suite_create("parser");

  TCase *tc = MS_CHECK_CASE(
      s, "fixtures", NULL, NULL, test_nfs2_udp, test_nfs3_tcp_udp,
      test_nfs4_minor_versions, test_nconnect16, test_rdma_nconnect2,
      test_old_headers, test_escapes_bind, test_huge_values, test_truncated,
      test_crlf, test_malformed);
  tcase_add_loop_test(tc, test_fixture_counts, 0, ARRAY_SIZE(fixture_table));

  tc = MS_CHECK_CASE(
      s, "literal", NULL, NULL, test_empty_input, test_blank_lines_only,
      test_no_nfs_record, test_lines_outside_records, test_continuation_line,
      test_header_forms, test_extra_fields, test_many_diags,
      test_duplicate_op_names, test_diag_reason_str, test_too_many_ops);
  tcase_add_loop_test(tc, test_bad_line, 0, ARRAY_SIZE(line_cases));

  MS_CHECK_CASE(s, "reuse", NULL, NULL, test_reuse_snapshot,
                test_reuse_after_free);

  tc = tcase_create("guard_page");
  tcase_add_loop_test(tc, test_fixture_guard_page, 0,
                      ARRAY_SIZE(fixture_table));
  tcase_add_loop_test(tc, test_guard_literal, 0, ARRAY_SIZE(guard_cases));
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return ms_check_main(parser_suite()); }
