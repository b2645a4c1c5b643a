/* SPDX-License-Identifier: MIT
 *
 * mountstats.c: see mountstats.h for the contract.
 */
#define _GNU_SOURCE /* memmem */
#include "mountstats.h"

#include "digits.h"
#include "fastpath.h"
#include "xprt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Slots of the per-record table that finds an operation printed twice:
 * twice MS_MAX_OPS, so it is never full. */
#define OP_SEEN_SLOTS (2 * MS_MAX_OPS)
_Static_assert(MS_MAX_OPS < 0xffff, "op_seen holds op indexes in 16 bits");

const char *ms_diag_reason_str(enum ms_diag_reason reason) {
  switch (reason) {
  case MS_DIAG_TOO_FEW_FIELDS:
    return "too few fields";
  case MS_DIAG_BAD_NUMBER:
    return "not a decimal number";
  case MS_DIAG_OVERFLOW:
    return "value of 2^64 or more";
  case MS_DIAG_BAD_OP_NAME:
    return "per-op line without a valid name";
  case MS_DIAG_NO_TRANSPORT:
    return "xprt line without a transport";
  case MS_DIAG_TRUNCATED:
    return "last line has no newline (incomplete)";
  case MS_DIAG_DUPLICATE_OP:
    return "operation printed twice";
  case MS_DIAG_TOO_MANY_OPS:
    return "more operations in one record than any kernel prints";
  }
  return "malformed line";
}

/* ---- small text helpers; every one stays within [p, end) ---- */

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static const char *skip_blanks(const char *p, const char *end) {
  while (p < end && is_blank(*p))
    p++;
  return p;
}

static bool starts_with(const char *p, const char *end, const char *lit) {
  size_t n = strlen(lit);
  return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

static const char *find(const char *p, const char *end, const char *lit) {
  size_t n = strlen(lit);
  if ((size_t)(end - p) < n)
    return NULL;
  return memmem(p, (size_t)(end - p), lit, n);
}

/* Result of reading the numbers of a line. */
enum num_status { NUM_OK = 0, NUM_BAD, NUM_OVERFLOW };

/* Reads the numbers of a line, keeping the first max in v, and sets *count
 * to how many there are. Only digits make a number (the kernel prints no
 * sign, base prefix or separator); every token is checked, kept or not.
 * Returns NUM_OK, or NUM_BAD / NUM_OVERFLOW for the first bad token (a
 * non-digit anywhere in a token wins over overflow).
 *
 * end must point at the line's '\n' or '\r', which is neither a digit nor a
 * blank: the scans stop there without a bounds test of their own. Bytes up
 * to limit (the end of the whole input) may be loaded, never beyond.
 *
 * This loop is most of the parser's time: digits are converted first and
 * checked after, as the read-and-convert floor does. */
static enum num_status read_numbers(const char *p, const char *end,
                                    const char *limit, uint64_t *v,
                                    unsigned max, unsigned *count) {
  unsigned n = 0;
  for (;;) {
    while (is_blank(*p))
      p++;
    if (p == end)
      break;
    const char *start = p;
    uint64_t x = ms_digits_run(&p, limit); /* wraps: checked over 19 */
    if (p != end && !is_blank(*p))
      return NUM_BAD;
    if (p - start > 19 && !ms_digits_checked(start, p, &x))
      return NUM_OVERFLOW;
    if (n < max)
      v[n] = x;
    n++;
  }
  *count = n;
  return NUM_OK;
}

/* ---- snapshot growth ---- */

/* Makes room for need elements of elem bytes in *arr. Returns 0 or -ENOMEM
 * (*arr and *cap unchanged). */
static int grow(void **arr, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap)
    return 0;
  size_t ncap = *cap ? *cap : 16;
  while (ncap < need) {
    if (ncap > ((size_t)-1) / 2 / elem)
      return -ENOMEM;
    ncap *= 2;
  }
  void *p = realloc(*arr, ncap * elem);
  if (p == NULL)
    return -ENOMEM;
  *arr = p;
  *cap = ncap;
  return 0;
}

void ms_snapshot_free(ms_snapshot_t *snap) {
  free(snap->mounts);
  free(snap->ops);
  free(snap->xprts);
  memset(snap, 0, sizeof(*snap));
}

size_t ms_snapshot_bytes(const ms_snapshot_t *snap) {
  return snap->mounts_cap_ * sizeof(ms_mount_t) +
         snap->ops_cap_ * sizeof(ms_op_t) +
         snap->xprts_cap_ * sizeof(ms_xprt_t);
}

/* ---- parser state ---- */

typedef struct {
  ms_snapshot_t *snap;
  const char *limit; /* end of the input: no byte at or after it is read */
  size_t line_no;
  int in_record;                     /* inside an NFS record */
  int in_ops;                        /* after "per-op statistics" */
  ms_mount_t *cur;                   /* current NFS record, or NULL */
  uint16_t op_seen[OP_SEEN_SLOTS];   /* op index + 1 within record, 0 empty */
  uint16_t op_seen_used[MS_MAX_OPS]; /* slots set for the current record */
  size_t op_seen_n;
} parser_t;

static void add_diag(parser_t *ps, enum ms_diag_reason reason, const char *p,
                     const char *end) {
  ms_snapshot_t *s = ps->snap;
  if (ps->cur)
    ps->cur->bad_lines++;
  if (s->ndiags < MS_MAX_DIAGS) {
    ms_diag_t *d = &s->diags[s->ndiags++];
    d->line = ps->line_no;
    d->mount = ps->cur ? (size_t)(ps->cur - s->mounts) : MS_NO_MOUNT;
    d->reason = reason;
    d->text.ptr = p;
    d->text.len = (size_t)(end - p);
  }
  s->diags_total++;
}

static enum ms_diag_reason diag_of(enum num_status st) {
  return st == NUM_OVERFLOW ? MS_DIAG_OVERFLOW : MS_DIAG_BAD_NUMBER;
}

/* Parses a header line. Returns 0 and fills the spans for a valid header,
 * -1 if the line is not a header. */
static int parse_header(const char *p, const char *end, ms_span_t *dev,
                        ms_span_t *mnt, ms_span_t *fstype,
                        ms_span_t *statvers) {
  const char *on = find(p, end, " mounted on ");
  if (on == NULL)
    return -1;
  const char *mp = on + strlen(" mounted on ");
  const char *with = find(mp, end, " with fstype ");
  if (with == NULL)
    return -1;

  /* Device: "device D", "no device", or (2.6.39-3.1 NFS) a bare "D". */
  if (ms_span_is((ms_span_t){p, (size_t)(on - p)}, "no device")) {
    dev->ptr = on;
    dev->len = 0;
  } else if (starts_with(p, on, "device ")) {
    dev->ptr = p + strlen("device ");
    dev->len = (size_t)(on - dev->ptr);
  } else {
    dev->ptr = p;
    dev->len = (size_t)(on - p);
  }
  mnt->ptr = mp;
  mnt->len = (size_t)(with - mp);

  const char *t = with + strlen(" with fstype ");
  const char *te = t;
  while (te < end && !is_blank(*te))
    te++;
  fstype->ptr = t;
  fstype->len = (size_t)(te - t);

  statvers->ptr = te;
  statvers->len = 0;
  const char *sv = find(te, end, "statvers=");
  if (sv != NULL) {
    sv += strlen("statvers=");
    const char *se = sv;
    while (se < end && !is_blank(*se))
      se++;
    statvers->ptr = sv;
    statvers->len = (size_t)(se - sv);
  }
  return 0;
}

/* A header line: starts a record (an NFS one when its fstype is nfs or nfs4).
 * Returns 0, -1 when the line is not a header, or -ENOMEM. */
static int start_record(parser_t *ps, const char *p, const char *end) {
  ms_span_t dev, mnt, fstype, statvers;
  if (parse_header(p, end, &dev, &mnt, &fstype, &statvers) != 0)
    return -1; /* not a header: a continuation line, ignored */

  ms_snapshot_t *s = ps->snap;
  s->records++;
  ps->cur = NULL;
  ps->in_ops = 0;
  ps->in_record = 0;
  if (!ms_span_is(fstype, "nfs") && !ms_span_is(fstype, "nfs4"))
    return 0;

  if (grow((void **)&s->mounts, &s->mounts_cap_, s->nmounts + 1,
           sizeof(*s->mounts)) != 0)
    return -ENOMEM;
  ms_mount_t *m = &s->mounts[s->nmounts++];
  /* Everything but the counter arrays, which are read only as far as nevents
   * and the MS_HAVE_* flags say. */
  memset(m, 0, offsetof(ms_mount_t, events));
  m->device = dev;
  m->mountpoint = mnt;
  m->fstype = fstype;
  m->statvers = statvers;
  m->opts.ptr = end;
  m->rpc_version.ptr = end;
  m->line = ps->line_no;
  m->xprt_first = s->nxprts;
  m->op_first = s->nops;
  ps->cur = m;
  ps->in_record = 1;
  /* Clear only what the previous record used: cheap for many records. */
  for (size_t i = 0; i < ps->op_seen_n; i++)
    ps->op_seen[ps->op_seen_used[i]] = 0;
  ps->op_seen_n = 0;
  return 0;
}

static void parse_counters(parser_t *ps, const char *line, const char *p,
                           const char *end, uint64_t *dst, unsigned max,
                           unsigned min, unsigned flag, unsigned *printed) {
  uint64_t tmp[MS_MAX_EVENTS];
  unsigned n = 0;
  enum num_status st = read_numbers(p, end, ps->limit, tmp, max, &n);
  if (st != NUM_OK) {
    add_diag(ps, diag_of(st), line, end);
    return;
  }
  if (n < min) {
    add_diag(ps, MS_DIAG_TOO_FEW_FIELDS, line, end);
    return;
  }
  unsigned kept = n < max ? n : max;
  memcpy(dst, tmp, kept * sizeof(*dst));
  if (printed)
    *printed = n;
  ps->cur->have |= flag;
}

static void parse_rpc(ms_mount_t *m, const char *p, const char *end) {
  /* "RPC iostats version: 1.1  p/v: 100003/4 (nfs)" */
  p = skip_blanks(p, end);
  const char *ve = p;
  while (ve < end && !is_blank(*ve))
    ve++;
  m->rpc_version.ptr = p;
  m->rpc_version.len = (size_t)(ve - p);
  m->have |= MS_HAVE_RPC;
  const char *pv = find(ve, end, "p/v:");
  if (pv == NULL)
    return;
  p = skip_blanks(pv + 4, end);
  uint64_t prog = 0, vers = 0;
  while (p < end && (unsigned)(*p - '0') <= 9 && prog < 0xffffffffu)
    prog = prog * 10 + (unsigned)(*p++ - '0');
  if (p < end && *p == '/')
    p++;
  while (p < end && (unsigned)(*p - '0') <= 9 && vers < 0xffffffffu)
    vers = vers * 10 + (unsigned)(*p++ - '0');
  m->rpc_prog = (uint32_t)prog;
  m->rpc_vers = (uint32_t)vers;
}

/* Returns 0 (a malformed line is a diagnostic) or -ENOMEM. */
static int parse_xprt(parser_t *ps, const char *line, const char *p,
                      const char *end) {
  ms_snapshot_t *s = ps->snap;
  p = skip_blanks(p, end);
  const char *we = p;
  while (we < end && !is_blank(*we))
    we++;
  if (we == p) {
    add_diag(ps, MS_DIAG_NO_TRANSPORT, line, end);
    return 0;
  }
  if (grow((void **)&s->xprts, &s->xprts_cap_, s->nxprts + 1,
           sizeof(*s->xprts)) != 0)
    return -ENOMEM;
  ms_xprt_t *x = &s->xprts[s->nxprts];
  unsigned min_fields = 0;
  x->kind = ms_xprt_kind_of(p, (size_t)(we - p), &min_fields);
  x->name.ptr = p;
  x->name.len = (size_t)(we - p);
  unsigned n = 0;
  enum num_status st =
      read_numbers(we, end, ps->limit, x->v, MS_XPRT_MAX_FIELDS, &n);
  if (st != NUM_OK) {
    add_diag(ps, diag_of(st), line, end);
    return 0;
  }
  if (n < min_fields) {
    add_diag(ps, MS_DIAG_TOO_FEW_FIELDS, line, end);
    return 0;
  }
  x->nfields_printed = n;
  x->line = ps->line_no;
  x->nfields = n < MS_XPRT_MAX_FIELDS ? n : MS_XPRT_MAX_FIELDS;
  s->nxprts++;
  ps->cur->xprt_count++;
  return 0;
}

/* The hash of an op name for the duplicate table, from two words: its
 * first 8 bytes (fewer, zero-extended, for a short name) and its last 8. A
 * word at a time, not a byte, because it is computed for every op line. */
static uint32_t op_name_mix(uint64_t first, uint64_t last, size_t len) {
  uint64_t h =
      (first ^ (last * 0x9E3779B97F4A7C15ull) ^ len) * 0xff51afd7ed558ccdull;
  return (uint32_t)(h >> 32);
}

static uint32_t op_name_hash(const char *name, size_t len) {
  uint64_t first = 0, last = 0;
  if (len >= 8) {
    first = ms_load8(name);
    last = ms_load8(name + len - 8);
  } else {
    memcpy(&first, name, len);
  }
  return op_name_mix(first, last, len);
}

/* True if the op name (hash h, op_name_hash()) was already printed in this
 * record; otherwise records it and returns false. */
static bool op_seen_before(parser_t *ps, const char *name, size_t len,
                           uint32_t h) {
  ms_snapshot_t *s = ps->snap;
  size_t idx = ps->cur->op_count; /* index the new op will get */
  for (unsigned probe = 0; probe < OP_SEEN_SLOTS; probe++) {
    unsigned at = (h + probe) % OP_SEEN_SLOTS;
    uint16_t *slot = &ps->op_seen[at];
    if (*slot == 0) {
      *slot = (uint16_t)(idx + 1);
      ps->op_seen_used[ps->op_seen_n++] = (uint16_t)at;
      return false;
    }
    const ms_op_t *o = &s->ops[ps->cur->op_first + *slot - 1];
    if (o->name.len == len && memcmp(o->name.ptr, name, len) == 0)
      return true;
  }
  return false; /* not reached: the table has room for MS_MAX_OPS */
}

static bool is_op_name_char(unsigned char c) {
  return (unsigned)(c - 'A') < 26u || (unsigned)(c - 'a') < 26u ||
         (unsigned)(c - '0') < 10u || c == '_';
}

/* Returns 0 (a malformed line is a diagnostic) or -ENOMEM. */
static int parse_op(parser_t *ps, const char *line, const char *p,
                    const char *end) {
  ms_snapshot_t *s = ps->snap;
  /* The kernel prints C identifiers or decimal numbers; anything else would
   * end up in a metric name, so it is refused. */
  const char *colon = p;
  while (colon < end && *colon != ':') {
    if (!is_op_name_char((unsigned char)*colon) ||
        colon - p >= MS_OP_NAME_MAX) {
      add_diag(ps, MS_DIAG_BAD_OP_NAME, line, end);
      return 0;
    }
    colon++;
  }
  if (colon == end || colon == p) {
    add_diag(ps, MS_DIAG_BAD_OP_NAME, line, end);
    return 0;
  }
  if (ps->cur->op_count >= MS_MAX_OPS) {
    add_diag(ps, MS_DIAG_TOO_MANY_OPS, line, end);
    return 0;
  }
  if (grow((void **)&s->ops, &s->ops_cap_, s->nops + 1, sizeof(*s->ops)) != 0)
    return -ENOMEM;
  ms_op_t *o = &s->ops[s->nops];
  unsigned n = 0;
  enum num_status st =
      read_numbers(colon + 1, end, ps->limit, o->v, MS_OP_FIELDS, &n);
  if (st != NUM_OK) {
    add_diag(ps, diag_of(st), line, end);
    return 0;
  }
  if (n < MS_OP_MIN_FIELDS) {
    add_diag(ps, MS_DIAG_TOO_FEW_FIELDS, line, end);
    return 0;
  }
  if (op_seen_before(ps, p, (size_t)(colon - p),
                     op_name_hash(p, (size_t)(colon - p)))) {
    add_diag(ps, MS_DIAG_DUPLICATE_OP, line, end);
    return 0;
  }
  o->name.ptr = p;
  o->name.len = (size_t)(colon - p);
  o->nfields = n < MS_OP_FIELDS ? n : MS_OP_FIELDS;
  if (o->nfields < MS_OP_FIELDS)
    o->v[MS_OP_ERRORS] = 0;
  s->nops++;
  ps->cur->op_count++;
  return 0;
}

/* ---- op lines through the fast path (fastpath.h) ---- */
#ifdef MS_FAST_OPS
/* op_name_hash() with the loads a fast-path line allows: its name starts
 * within 16 bytes of the line, which has MS_FAST_MARGIN bytes. */
static uint32_t op_name_hash_fast(const char *name, size_t len) {
  uint64_t first = ms_load8(name), last = 0;
  if (len >= 8)
    last = ms_load8(name + len - 8);
  else
    first &= (1ull << (8 * len)) - 1;
  return op_name_mix(first, last, len);
}

/* The op line at line (a blank; ps->in_ops) when the fast path reads it and
 * its name is new in the record: recorded, and its '\n' returned. NULL when
 * the general path must take it (nothing was recorded then). */
static const char *op_line_fast(parser_t *ps, const char *line) {
  ms_snapshot_t *s = ps->snap;
  if (ps->limit - line < MS_FAST_MARGIN || ps->cur->op_count >= MS_MAX_OPS)
    return NULL;
  /* Read into the next free slot; into a spare only while the array is
   * full, so that the array grows only for a line that is kept, as on the
   * general path. */
  ms_op_t spare;
  ms_op_t *o = s->nops < s->ops_cap_ ? &s->ops[s->nops] : &spare;
  const char *nl = ms_parse_op_fast(line, o);
  if (nl == NULL)
    return NULL;
  if (o == &spare) {
    if (grow((void **)&s->ops, &s->ops_cap_, s->nops + 1, sizeof(*s->ops)) != 0)
      return NULL; /* the general path reports it */
    o = &s->ops[s->nops];
    *o = spare;
  }
  if (op_seen_before(ps, o->name.ptr, o->name.len,
                     op_name_hash_fast(o->name.ptr, o->name.len)))
    return NULL;
  s->nops++;
  ps->cur->op_count++;
  return nl;
}
#endif

/* A line that belongs to the current NFS record (it starts with white
 * space). Dispatched on its label, never on its position. Returns 0 or
 * -ENOMEM. */
static int parse_body_line(parser_t *ps, const char *line, const char *end) {
  ms_mount_t *m = ps->cur;
  const char *p = skip_blanks(line, end);
  if (p == end)
    return 0;

  if (ps->in_ops)
    return parse_op(ps, line, p, end);

  if (starts_with(p, end, "opts:")) {
    const char *v = skip_blanks(p + 5, end);
    const char *ve = end;
    while (ve > v && is_blank(ve[-1]))
      ve--;
    m->opts.ptr = v;
    m->opts.len = (size_t)(ve - v);
  } else if (starts_with(p, end, "age:")) {
    uint64_t v[1];
    unsigned n = 0;
    enum num_status st = read_numbers(p + 4, end, ps->limit, v, 1, &n);
    if (st != NUM_OK)
      add_diag(ps, diag_of(st), line, end);
    else if (n < 1)
      add_diag(ps, MS_DIAG_TOO_FEW_FIELDS, line, end);
    else {
      m->age = v[0];
      m->have |= MS_HAVE_AGE;
    }
  } else if (starts_with(p, end, "events:")) {
    parse_counters(ps, line, p + 7, end, m->events, MS_MAX_EVENTS,
                   MS_EVENTS_MIN, MS_HAVE_EVENTS, &m->events_printed);
    if (m->have & MS_HAVE_EVENTS)
      m->nevents =
          m->events_printed < MS_MAX_EVENTS ? m->events_printed : MS_MAX_EVENTS;
  } else if (starts_with(p, end, "bytes:")) {
    parse_counters(ps, line, p + 6, end, m->bytes, MS_BYTES_COUNT,
                   MS_BYTES_COUNT, MS_HAVE_BYTES, NULL);
  } else if (starts_with(p, end, "fsc:")) {
    parse_counters(ps, line, p + 4, end, m->fsc, MS_FSC_COUNT, MS_FSC_COUNT,
                   MS_HAVE_FSC, NULL);
  } else if (starts_with(p, end, "RPC iostats version:")) {
    parse_rpc(m, p + strlen("RPC iostats version:"), end);
  } else if (starts_with(p, end, "xprt:")) {
    return parse_xprt(ps, line, p + 5, end);
  } else if (starts_with(p, end, "per-op statistics")) {
    ps->in_ops = 1;
    m->have |= MS_HAVE_OPHDR;
  }
  /* Anything else (caps:, sec:, nfsv4:, impl_id:, future labels) is
   * deliberately ignored. */
  return 0;
}

/* The last line, p..end, has no newline. The kernel ends every line with
 * '\n'; a line without one was cut while being read, and a number on it
 * may be cut too: a diagnostic unless it is blank. */
static void truncated_line(parser_t *ps, const char *p, const char *end) {
  if (skip_blanks(p, end) == end)
    return;
  /* Named with the record it belongs to (the current one, unless it is a
   * record header or a line outside NFS records), but not the record's
   * fault: its bad_lines is not counted. */
  ms_mount_t *cur = ps->in_record && is_blank(*p) ? ps->cur : NULL;
  unsigned bad = cur ? cur->bad_lines : 0;
  ms_mount_t *saved = ps->cur;
  ps->cur = cur;
  add_diag(ps, MS_DIAG_TRUNCATED, p, end);
  if (cur)
    cur->bad_lines = bad;
  ps->cur = saved;
}

int ms_parse(ms_snapshot_t *snap, const char *buf, size_t len) {
  snap->nmounts = snap->nops = snap->nxprts = 0;
  snap->ndiags = snap->diags_total = 0;
  snap->lines = snap->fast_lines = snap->records = 0;

  parser_t ps = {.snap = snap, .limit = buf + len};
  const char *p = buf;
  const char *end = buf + len;
  while (p < end) {
#ifdef MS_FAST_OPS
    if (ps.in_ops && is_blank(*p)) {
      const char *fast_nl = op_line_fast(&ps, p);
      if (fast_nl != NULL) {
        ps.line_no++;
        snap->lines++;
        snap->fast_lines++;
        p = fast_nl + 1;
        continue;
      }
    }
#endif
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    ps.line_no++;
    if (nl == NULL) {
      truncated_line(&ps, p, end);
      break;
    }
    snap->lines++;
    const char *le = nl;
    if (le > p && le[-1] == '\r') /* tolerate CRLF files written by hand */
      le--;

    int rc = 0;
    if (p < le && !is_blank(*p)) {
      rc = start_record(&ps, p, le);
      if (rc == -1)
        rc = 0; /* an unknown non-indented line: ignored */
    } else if (ps.in_record) {
      rc = parse_body_line(&ps, p, le);
    }
    if (rc == -ENOMEM)
      return -ENOMEM;
    p = nl + 1;
  }
  return 0;
}
