/* SPDX-License-Identifier: MIT
 *
 * check_parser.c: unit tests of the mountstats text parser (src/mountstats.c).
 *
 * Every expected value below was worked out by hand from the text of the
 * fixture it belongs to (the .mountstats files in fixtures/, see
 * fixtures/README.md) or from the literal input next to it; none was copied
 * from parser output.
 */
#define _GNU_SOURCE
#include "mountstats.h"
#include "parser_reference.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define U64_MAX UINT64_MAX

/* ---- helpers ------------------------------------------------------------ */

static char *read_whole_file(const char *path, size_t *len) {
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

static char *load_fixture(const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, name);
  char *buf = read_whole_file(path, len);
  ck_assert_msg(buf != NULL, "cannot read fixture %s", path);
  return buf;
}

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

/* A span compared with a C string; a wrong length is reported without
 * printing the span (it may be garbage). */
static void check_span_(ms_span_t s, const char *want, size_t want_len,
                        const char *what, int line) {
  if (s.len != want_len) {
    ck_abort_msg("line %d: %s has length %zu, expected %zu (\"%.*s\")", line,
                 what, s.len, want_len, (int)want_len, want);
  }
  ck_assert_msg(want_len == 0 || memcmp(s.ptr, want, want_len) == 0,
                "line %d: %s is \"%.*s\", expected \"%.*s\"", line, what,
                (int)s.len, s.ptr, (int)want_len, want);
}
#define CHECK_SPAN(S, LIT) check_span_((S), (LIT), strlen(LIT), #S, __LINE__)

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

/* ---- guard page: the input ends where an inaccessible page begins ------- */

typedef struct {
  void *map;
  size_t maplen;
  const char *data;
} guard_t;

static const char *guard_copy(guard_t *g, const char *src, size_t len) {
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

static void guard_free(guard_t *g) { munmap(g->map, g->maplen); }

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

START_TEST(test_event_names) {
  /* The kernel's enum nfs_stat_eventcounters (MOUNTSTATS-FORMAT.md 4.2),
   * without the NFSIOS_ prefix: each name, lower case and without '_', must
   * spell the enum name. */
  static const char *const kernel[MS_EVENTS_NAMED] = {
      "INODEREVALIDATE", "DENTRYREVALIDATE", "DATAINVALIDATE", "ATTRINVALIDATE",
      "VFSOPEN",         "VFSLOOKUP",        "VFSACCESS",      "VFSUPDATEPAGE",
      "VFSREADPAGE",     "VFSREADPAGES",     "VFSWRITEPAGE",   "VFSWRITEPAGES",
      "VFSGETDENTS",     "VFSSETATTR",       "VFSFLUSH",       "VFSFSYNC",
      "VFSLOCK",         "VFSRELEASE",       "CONGESTIONWAIT", "SETATTRTRUNC",
      "EXTENDWRITE",     "SILLYRENAME",      "SHORTREAD",      "SHORTWRITE",
      "DELAY",           "PNFS_READ",        "PNFS_WRITE"};
  for (unsigned i = 0; i < MS_EVENTS_NAMED; i++) {
    const char *n = ms_event_name(i);
    ck_assert_msg(n != NULL, "event %u has no name", i);
    char a[64] = "", b[64] = "";
    size_t k = 0;
    for (const char *p = n; *p && k < sizeof(a) - 1; p++) {
      ck_assert_msg((*p >= 'a' && *p <= 'z') || *p == '_',
                    "event name %s is not [a-z_]", n);
      if (*p != '_')
        a[k++] = *p;
    }
    k = 0;
    for (const char *p = kernel[i]; *p; p++)
      if (*p != '_')
        b[k++] = (char)(*p - 'A' + 'a');
    ck_assert_msg(strcmp(a, b) == 0, "event %u is %s, kernel NFSIOS_%s", i, n,
                  kernel[i]);
  }
  ck_assert_str_eq(ms_event_name(0), "inode_revalidate");
  ck_assert_ptr_null(ms_event_name(MS_EVENTS_NAMED));
  ck_assert_ptr_null(ms_event_name(1000));
}
END_TEST

START_TEST(test_bytes_names) {
  /* enum nfs_stat_bytecounters (MOUNTSTATS-FORMAT.md 4.1). */
  static const char *const words[MS_BYTES_COUNT][2] = {
      {"normal", "read"},  {"normal", "write"}, {"direct", "read"},
      {"direct", "write"}, {"server", "read"},  {"server", "write"},
      {"read", "pages"},   {"write", "pages"}};
  for (unsigned i = 0; i < MS_BYTES_COUNT; i++) {
    const char *n = ms_bytes_name(i);
    ck_assert_msg(n != NULL, "bytes %u has no name", i);
    ck_assert_msg(
        strstr(n, words[i][0]) != NULL && strstr(n, words[i][1]) != NULL,
        "bytes %u is %s, expected %s and %s", i, n, words[i][0], words[i][1]);
    for (unsigned k = 0; k < i; k++)
      ck_assert_str_ne(n, ms_bytes_name(k));
  }
  ck_assert_str_eq(ms_bytes_name(0), "normal_read");
  ck_assert_ptr_null(ms_bytes_name(MS_BYTES_COUNT));
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

/* ---- the fast path for op lines ------------------------------------------
 * Most op lines are read by a fast path (SSE2 builds); every line it does not
 * take is read by the general path. Three checks: random op lines against
 * values known by construction, every fixture and cut of it against the
 * parser built without the fast path (tests/parser_reference.c), and random
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

static Suite *parser_suite(void) {
  Suite *s = suite_create("parser");

  TCase *tc = tcase_create("fixtures");
  tcase_add_loop_test(tc, test_fixture_counts, 0, ARRAY_SIZE(fixture_table));
  tcase_add_test(tc, test_nfs2_udp);
  tcase_add_test(tc, test_nfs3_tcp_udp);
  tcase_add_test(tc, test_nfs4_minor_versions);
  tcase_add_test(tc, test_nconnect16);
  tcase_add_test(tc, test_rdma_nconnect2);
  tcase_add_test(tc, test_old_headers);
  tcase_add_test(tc, test_escapes_bind);
  tcase_add_test(tc, test_huge_values);
  tcase_add_test(tc, test_truncated);
  tcase_add_test(tc, test_crlf);
  tcase_add_test(tc, test_malformed);
  suite_add_tcase(s, tc);

  tc = tcase_create("literal");
  tcase_add_test(tc, test_empty_input);
  tcase_add_test(tc, test_blank_lines_only);
  tcase_add_test(tc, test_no_nfs_record);
  tcase_add_test(tc, test_lines_outside_records);
  tcase_add_test(tc, test_continuation_line);
  tcase_add_test(tc, test_header_forms);
  tcase_add_loop_test(tc, test_bad_line, 0, ARRAY_SIZE(line_cases));
  tcase_add_test(tc, test_extra_fields);
  tcase_add_test(tc, test_many_diags);
  tcase_add_test(tc, test_duplicate_op_names);
  tcase_add_test(tc, test_diag_reason_str);
  tcase_add_test(tc, test_too_many_ops);
  suite_add_tcase(s, tc);

  tc = tcase_create("fast_path");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_fast_path_random_lines, 0, 200);
  tcase_add_loop_test(tc, test_fast_path_edges, 0, ARRAY_SIZE(edge_cases));
  tcase_add_loop_test(tc, test_fast_path_fixture_cuts, 0,
                      ARRAY_SIZE(all_fixtures));
  tcase_add_loop_test(tc, test_fast_path_mutations, 0,
                      ARRAY_SIZE(all_fixtures));
  suite_add_tcase(s, tc);

  tc = tcase_create("reuse");
  tcase_add_test(tc, test_reuse_snapshot);
  tcase_add_test(tc, test_reuse_after_free);
  suite_add_tcase(s, tc);

  tc = tcase_create("helpers");
  tcase_add_loop_test(tc, test_unescape, 0, ARRAY_SIZE(unescape_cases));
  tcase_add_test(tc, test_unescape_small_dst);
  tcase_add_loop_test(tc, test_opt_get, 0, ARRAY_SIZE(opt_cases));
  tcase_add_test(tc, test_event_names);
  tcase_add_test(tc, test_bytes_names);
  suite_add_tcase(s, tc);

  tc = tcase_create("guard_page");
  tcase_add_loop_test(tc, test_fixture_guard_page, 0,
                      ARRAY_SIZE(fixture_table));
  tcase_add_loop_test(tc, test_guard_literal, 0, ARRAY_SIZE(guard_cases));
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(parser_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
