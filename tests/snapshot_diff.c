/* SPDX-License-Identifier: MIT
 *
 * snapshot_diff.c: see parser_reference.h.
 */
#include "parser_reference.h"

#include <stdio.h>
#include <string.h>

static char what[256];

#define DIFF(cond, ...)                                                        \
  do {                                                                         \
    if (cond) {                                                                \
      snprintf(what, sizeof(what), __VA_ARGS__);                               \
      return what;                                                             \
    }                                                                          \
  } while (0)

static int span_differs(ms_span_t x, ms_span_t y) {
  /* An empty span's pointer carries no information. */
  if (x.len == 0 && y.len == 0)
    return 0;
  return x.ptr != y.ptr || x.len != y.len;
}

static const char *mount_diff(const ms_mount_t *x, const ms_mount_t *y,
                              size_t i) {
  DIFF(span_differs(x->device, y->device) ||
           span_differs(x->mountpoint, y->mountpoint) ||
           span_differs(x->fstype, y->fstype) ||
           span_differs(x->statvers, y->statvers) ||
           span_differs(x->opts, y->opts) ||
           span_differs(x->rpc_version, y->rpc_version),
       "mount %zu: a header, opts or RPC version span", i);
  DIFF(x->line != y->line || x->have != y->have || x->bad_lines != y->bad_lines,
       "mount %zu: line %zu/%zu, have %#x/%#x, bad lines %u/%u", i, x->line,
       y->line, x->have, y->have, x->bad_lines, y->bad_lines);
  DIFF((x->have & MS_HAVE_AGE) && x->age != y->age, "mount %zu: age", i);
  DIFF(x->nevents != y->nevents ||
           ((x->have & MS_HAVE_EVENTS) &&
            (x->events_printed != y->events_printed ||
             memcmp(x->events, y->events, x->nevents * sizeof(x->events[0])) !=
                 0)),
       "mount %zu: events", i);
  DIFF((x->have & MS_HAVE_BYTES) &&
           memcmp(x->bytes, y->bytes, sizeof(x->bytes)) != 0,
       "mount %zu: bytes", i);
  DIFF((x->have & MS_HAVE_FSC) && memcmp(x->fsc, y->fsc, sizeof(x->fsc)) != 0,
       "mount %zu: fsc", i);
  DIFF(x->rpc_prog != y->rpc_prog || x->rpc_vers != y->rpc_vers,
       "mount %zu: p/v", i);
  DIFF(x->xprt_first != y->xprt_first || x->xprt_count != y->xprt_count ||
           x->op_first != y->op_first || x->op_count != y->op_count,
       "mount %zu: ops %zu+%zu/%zu+%zu, xprts %zu+%zu/%zu+%zu", i, x->op_first,
       x->op_count, y->op_first, y->op_count, x->xprt_first, x->xprt_count,
       y->xprt_first, y->xprt_count);
  return NULL;
}

const char *ms_snapshot_diff(const ms_snapshot_t *a, const ms_snapshot_t *b) {
  DIFF(a->nmounts != b->nmounts || a->nops != b->nops || a->nxprts != b->nxprts,
       "counts: mounts %zu/%zu, ops %zu/%zu, xprts %zu/%zu", a->nmounts,
       b->nmounts, a->nops, b->nops, a->nxprts, b->nxprts);
  DIFF(a->ndiags != b->ndiags || a->diags_total != b->diags_total ||
           a->lines != b->lines || a->records != b->records,
       "diags %zu(%zu)/%zu(%zu), lines %zu/%zu, records %zu/%zu", a->ndiags,
       a->diags_total, b->ndiags, b->diags_total, a->lines, b->lines,
       a->records, b->records);
  for (size_t i = 0; i < a->nmounts; i++) {
    const char *d = mount_diff(&a->mounts[i], &b->mounts[i], i);
    if (d != NULL)
      return d;
  }
  for (size_t i = 0; i < a->nops; i++) {
    const ms_op_t *x = &a->ops[i], *y = &b->ops[i];
    DIFF(span_differs(x->name, y->name) || x->nfields != y->nfields ||
             memcmp(x->v, y->v, sizeof(x->v)) != 0,
         "op %zu (%.*s)", i, (int)x->name.len, x->name.ptr);
  }
  for (size_t i = 0; i < a->nxprts; i++) {
    const ms_xprt_t *x = &a->xprts[i], *y = &b->xprts[i];
    DIFF(span_differs(x->name, y->name) || x->kind != y->kind ||
             x->nfields != y->nfields ||
             x->nfields_printed != y->nfields_printed || x->line != y->line ||
             memcmp(x->v, y->v, x->nfields * sizeof(x->v[0])) != 0,
         "xprt %zu", i);
  }
  for (size_t i = 0; i < a->ndiags; i++) {
    const ms_diag_t *x = &a->diags[i], *y = &b->diags[i];
    DIFF(x->line != y->line || x->mount != y->mount || x->reason != y->reason ||
             span_differs(x->text, y->text),
         "diag %zu: line %zu/%zu, reason %d/%d", i, x->line, y->line,
         (int)x->reason, (int)y->reason);
  }
  return NULL;
}
