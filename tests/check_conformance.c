/* SPDX-License-Identifier: MIT
 *
 * check_conformance.c: runs the parser over the published real mountstats
 * samples in REAL_DIR (the .txt files of ../shared/real-mountstats), and over
 * the live suite's captures (fixtures/live/<kernel>/mountstats), and
 * compares it with an independent, deliberately simple scan of the same text:
 *   - the number of NFS record headers must equal snap.nmounts, and each
 *     mount's header line number must match (no NFS mount lost or invented);
 *   - every per-op line with at least 8 numeric fields must appear in the
 *     parser's output of that mount with the same 8 or 9 values; a repeated
 *     op name must be reported as a duplicate instead;
 *   - nothing crashes, also with the text placed before a guard page.
 * When REAL_DIR does not exist or holds no sample, the test says so and
 * exits 77, which CTest reports as skipped: a pass would claim a check that
 * did not run.
 */
#define _GNU_SOURCE
#include "check_run.h"
#include "mountstats.h"
#include "parser_test_util.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILES 256

static char *files[MAX_FILES];
static int nfiles;

/* ---- the independent scan -------------------------------------------------
 */

static int is_ws(char c) { return c == ' ' || c == '\t'; }

static int contains(const char *p, size_t len, const char *lit) {
  return memmem(p, len, lit, strlen(lit)) != NULL;
}

static int ends_with(const char *p, size_t len, const char *lit) {
  size_t n = strlen(lit);
  return len >= n && memcmp(p + len - n, lit, n) == 0;
}

/* Any record header: not indented, " mounted on " and " with fstype ". */
static int is_header(const char *p, size_t len) {
  return len > 0 && !is_ws(p[0]) && contains(p, len, " mounted on ") &&
         contains(p, len, " with fstype ");
}

static int is_nfs_header(const char *p, size_t len) {
  return is_header(p, len) && (contains(p, len, " with fstype nfs ") ||
                               contains(p, len, " with fstype nfs4 ") ||
                               ends_with(p, len, " with fstype nfs") ||
                               ends_with(p, len, " with fstype nfs4"));
}

typedef struct {
  char name[64];
  size_t line;
  int ntok;  /* tokens after the colon */
  int valid; /* ntok >= 8 and the first min(ntok, 9) are numbers < 2^64 */
  uint64_t v[9];
} scan_op_t;

/* Parses "WS NAME: tokens" with NAME of [A-Za-z0-9_]. Returns 0 if the line
 * does not have that form. */
static int scan_op_line(const char *p, size_t len, scan_op_t *op) {
  char line[4096];
  if (len >= sizeof(line))
    return 0;
  memcpy(line, p, len);
  line[len] = '\0';
  char *q = line;
  while (is_ws(*q))
    q++;
  char *name = q;
  while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
         (*q >= '0' && *q <= '9') || *q == '_')
    q++;
  if (q == name || *q != ':' || (size_t)(q - name) >= sizeof(op->name))
    return 0;
  memcpy(op->name, name, (size_t)(q - name));
  op->name[q - name] = '\0';
  q++;
  op->ntok = 0;
  op->valid = 1;
  char *save = NULL;
  for (char *t = strtok_r(q, " \t", &save); t != NULL;
       t = strtok_r(NULL, " \t", &save)) {
    if (op->ntok < 9) {
      int digits = t[strspn(t, "0123456789")] == '\0';
      errno = 0;
      unsigned long long x = strtoull(t, NULL, 10);
      if (!digits || errno == ERANGE)
        op->valid = 0;
      else
        op->v[op->ntok] = x;
    }
    op->ntok++;
  }
  if (op->ntok < 8)
    op->valid = 0;
  return 1;
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

static int has_diag(const ms_snapshot_t *s, size_t line,
                    enum ms_diag_reason reason) {
  for (size_t i = 0; i < s->ndiags; i++)
    if (s->diags[i].line == line && s->diags[i].reason == reason)
      return 1;
  return 0;
}

typedef struct {
  size_t headers, compared, values, duplicates, rejected, incomplete;
} report_t;

/* Scans buf and checks snap against it. */
static void check_against_scan(const char *file, const char *buf, size_t len,
                               const ms_snapshot_t *snap, report_t *r) {
  memset(r, 0, sizeof(*r));
  /* First pass: NFS headers. */
  size_t line_no = 0, k = 0;
  const char *p = buf, *end = buf + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
      break; /* an incomplete last line is not a line */
    line_no++;
    size_t l = (size_t)(nl - p);
    if (l > 0 && p[l - 1] == '\r')
      l--;
    if (is_nfs_header(p, l)) {
      if (k < snap->nmounts)
        ck_assert_msg(snap->mounts[k].line == line_no,
                      "%s: NFS mount %zu starts at line %zu, parser says %zu",
                      file, k, line_no, snap->mounts[k].line);
      k++;
    }
    p = nl + 1;
  }
  r->headers = k;
  if (p < end)
    r->incomplete = 1;
  ck_assert_msg(snap->nmounts == r->headers,
                "%s: %zu NFS record headers in the file, parser kept %zu", file,
                r->headers, snap->nmounts);

  /* Second pass: per-op lines of each NFS record. */
  size_t seen_cap = 128, nseen = 0;
  char(*seen)[64] = malloc(seen_cap * sizeof(*seen));
  ck_assert_ptr_nonnull(seen);
  long cur = -1; /* NFS record index, -1 outside */
  int in_ops = 0;
  size_t count = 0;
  line_no = 0;
  p = buf;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
      break;
    line_no++;
    size_t l = (size_t)(nl - p);
    if (l > 0 && p[l - 1] == '\r')
      l--;
    const char *line = p;
    p = nl + 1;
    if (l > 0 && !is_ws(line[0])) {
      if (is_header(line, l)) {
        cur = is_nfs_header(line, l) ? (long)count++ : -1;
        in_ops = 0;
        nseen = 0;
      }
      continue; /* a header, or an unindented continuation line */
    }
    if (cur < 0)
      continue;
    if (contains(line, l, "per-op statistics")) {
      in_ops = 1;
      continue;
    }
    scan_op_t op;
    if (!in_ops || !scan_op_line(line, l, &op))
      continue;
    const ms_op_t *o = find_op(snap, (size_t)cur, op.name);
    if (!op.valid) {
      r->rejected++;
      continue;
    }
    int dup = 0;
    for (size_t i = 0; i < nseen; i++)
      dup |= strcmp(seen[i], op.name) == 0;
    if (dup) {
      r->duplicates++;
      ck_assert_msg(snap->diags_total > snap->ndiags ||
                        has_diag(snap, line_no, MS_DIAG_DUPLICATE_OP),
                    "%s:%zu: %s printed twice, no duplicate diagnostic", file,
                    line_no, op.name);
      continue;
    }
    if (nseen == seen_cap) {
      seen_cap *= 2;
      seen = realloc(seen, seen_cap * sizeof(*seen));
      ck_assert_ptr_nonnull(seen);
    }
    strcpy(seen[nseen++], op.name);

    unsigned nf = op.ntok < 9 ? (unsigned)op.ntok : 9;
    ck_assert_msg(o != NULL, "%s:%zu: op %s missing from NFS mount %ld", file,
                  line_no, op.name, cur);
    ck_assert_msg(o->nfields == nf, "%s:%zu: %s has %u fields, file has %u",
                  file, line_no, op.name, o->nfields, nf);
    for (unsigned i = 0; i < nf; i++)
      ck_assert_msg(o->v[i] == op.v[i],
                    "%s:%zu: %s field %u is %llu, file has %llu", file, line_no,
                    op.name, i + 1, (unsigned long long)o->v[i],
                    (unsigned long long)op.v[i]);
    r->compared++;
    r->values += nf;
  }
  free(seen);
}

/* Counts the distinct valid op names per record again, to compare with
 * op_count (kept separate from the loop above for clarity). */
static void check_op_counts(const char *file, const char *buf, size_t len,
                            const ms_snapshot_t *snap) {
  size_t nseen = 0, seen_cap = 128;
  char(*seen)[64] = malloc(seen_cap * sizeof(*seen));
  ck_assert_ptr_nonnull(seen);
  long cur = -1;
  size_t count = 0;
  int in_ops = 0;
  const char *p = buf, *end = buf + len;
  for (;;) {
    const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
    size_t l = nl ? (size_t)(nl - p) : 0;
    if (nl && l > 0 && p[l - 1] == '\r')
      l--;
    int header = nl && is_header(p, l);
    if (nl == NULL || header) {
      if (cur >= 0)
        ck_assert_msg(snap->mounts[cur].op_count == nseen,
                      "%s: NFS mount %ld: parser kept %zu ops, file has %zu "
                      "distinct valid op lines",
                      file, cur, snap->mounts[cur].op_count, nseen);
      if (nl == NULL)
        break;
      cur = is_nfs_header(p, l) ? (long)count++ : -1;
      in_ops = 0;
      nseen = 0;
    } else if (cur >= 0 && l > 0 && is_ws(p[0])) {
      scan_op_t op;
      if (contains(p, l, "per-op statistics"))
        in_ops = 1;
      else if (in_ops && scan_op_line(p, l, &op) && op.valid) {
        int dup = 0;
        for (size_t i = 0; i < nseen; i++)
          dup |= strcmp(seen[i], op.name) == 0;
        if (!dup) {
          if (nseen == seen_cap) {
            seen_cap *= 2;
            seen = realloc(seen, seen_cap * sizeof(*seen));
            ck_assert_ptr_nonnull(seen);
          }
          strcpy(seen[nseen++], op.name);
        }
      }
    }
    p = nl + 1;
  }
  free(seen);
}

/* ---- tests -----------------------------------------------------------------
 */

START_TEST(test_real_file) {
  const char *path = files[_i];
  const char *name = strrchr(path, '/') + 1;
  if (strcmp(name, "mountstats") == 0) // fixtures/live/<kernel>/mountstats
    name = path + strlen(FIXTURES_DIR) + 1;
  size_t len = 0;
  char *buf = read_whole_file(path, &len);
  ck_assert_msg(buf != NULL, "cannot read %s", path);

  ms_snapshot_t snap = {0};
  ck_assert_int_eq(ms_parse(&snap, buf, len), 0);
  report_t r;
  check_against_scan(name, buf, len, &snap, &r);
  check_op_counts(name, buf, len, &snap);

  /* The same text ending right before an inaccessible page. */
  guard_t guard;
  const char *copy = guard_copy(&guard, buf, len);
  ms_snapshot_t g = {0};
  ck_assert_int_eq(ms_parse(&g, copy, len), 0);
  ck_assert_uint_eq(g.nmounts, snap.nmounts);
  ck_assert_uint_eq(g.nops, snap.nops);
  ck_assert_uint_eq(g.nxprts, snap.nxprts);
  ck_assert_uint_eq(g.diags_total, snap.diags_total);
  ms_snapshot_free(&g);
  guard_free(&guard);

  size_t xprts = 0;
  for (size_t i = 0; i < snap.nmounts; i++)
    xprts += snap.mounts[i].xprt_count;
  printf("conformance: %s: %zu NFS mounts (= %zu headers counted), %zu op "
         "lines compared (%zu values), %zu duplicate op lines, %zu op lines "
         "with < 8 numbers, %zu xprt lines, %zu diagnostics%s\n",
         name, snap.nmounts, r.headers, r.compared, r.values, r.duplicates,
         r.rejected, xprts, snap.diags_total,
         r.incomplete ? ", last line without newline" : "");
  fflush(stdout);
  ms_snapshot_free(&snap);
  free(buf);
}
END_TEST

static char *path_join(const char *dir, const char *name, const char *tail) {
  size_t n = strlen(dir) + 1 + strlen(name) + strlen(tail) + 1;
  char *p = malloc(n);
  if (p == NULL)
    abort(); // before the suite runs: no Check assertion yet
  snprintf(p, n, "%s/%s%s", dir, name, tail);
  return p;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
  DIR *d = opendir(REAL_DIR);
  if (d == NULL) {
    printf("conformance: %s: %s; skipped\n", REAL_DIR, strerror(errno));
    return 77;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL && nfiles < MAX_FILES) {
    size_t n = strlen(e->d_name);
    if (n > 4 && strcmp(e->d_name + n - 4, ".txt") == 0)
      files[nfiles++] = path_join(REAL_DIR, e->d_name, "");
  }
  closedir(d);
  if (nfiles == 0) {
    printf("conformance: no *.txt file in %s; skipped\n", REAL_DIR);
    return 77;
  }
  int nreal = nfiles;
  d = opendir(FIXTURES_DIR "/live");
  if (d == NULL) {
    printf("conformance: %s/live: %s\n", FIXTURES_DIR, strerror(errno));
    return EXIT_FAILURE;
  }
  while ((e = readdir(d)) != NULL && nfiles < MAX_FILES) {
    if (e->d_name[0] == '.' || e->d_type != DT_DIR)
      continue;
    files[nfiles++] = path_join(FIXTURES_DIR "/live", e->d_name, "/mountstats");
  }
  closedir(d);
  qsort(files, (size_t)nfiles, sizeof(files[0]), cmp_str);
  printf("conformance: %d samples in %s, %d live captures in %s/live\n", nreal,
         REAL_DIR, nfiles - nreal, FIXTURES_DIR);

  Suite *s = suite_create("conformance");
  TCase *tc = tcase_create("real");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_real_file, 0, nfiles);
  suite_add_tcase(s, tc);
  int failed = ms_check_run(s);
  for (int i = 0; i < nfiles; i++)
    free(files[i]);
  return failed > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
