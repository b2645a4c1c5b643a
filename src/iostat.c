/* SPDX-License-Identifier: MIT
 *
 * iostat.c: see iostat.h for the contract.
 */
#include "iostat.h"

#include "span.h"
#include "xprt.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* An age may run ahead of the wall clock by rounding only (it is printed in
 * whole seconds); more means another superblock took the name. */
#define AGE_SLACK_S 2.0

struct ms_iostat_op {
  uint64_t name_hash;
  unsigned nfields;
  uint64_t v[MS_OP_FIELDS];
};

/* Requests sent over all of a mount's known transports, in *sends. False
 * when no transport of the mount counts them. */
static bool mount_sends(const ms_snapshot_t *snap, const ms_mount_t *m,
                        uint64_t *sends) {
  uint64_t sum = 0, one = 0;
  bool any = false;
  for (size_t k = 0; k < m->xprt_count; k++) {
    if (!ms_xprt_sends(&snap->xprts[m->xprt_first + k], &one))
      continue;
    sum += one;
    any = true;
  }
  *sends = sum;
  return any;
}

void ms_iostat_begin(ms_iostat_table_t *t) { t->generation_++; }

_Static_assert(offsetof(ms_iostat_entry_t, key) == 0 &&
                   sizeof(ms_iostat_entry_t) <= MS_KEYTAB_RECORD_MAX,
               "a keytab record: its key first, small enough to sort");

static ms_iostat_entry_t *find(ms_iostat_table_t *t, uint64_t key) {
  return ms_keytab_find(&t->samples, sizeof(ms_iostat_entry_t), key);
}

static ms_iostat_entry_t *append(ms_iostat_table_t *t, uint64_t key) {
  return ms_keytab_append(&t->samples, sizeof(ms_iostat_entry_t), key);
}

/* The previous sample of op k of the current record: usually at the same
 * position; searched by name when the list changed. */
static const struct ms_iostat_op *prev_op(const ms_iostat_entry_t *e, size_t k,
                                          uint64_t name_hash) {
  if (k < e->nops && e->ops_[k].name_hash == name_hash)
    return &e->ops_[k];
  for (size_t i = 0; i < e->nops; i++)
    if (e->ops_[i].name_hash == name_hash)
      return &e->ops_[i];
  return NULL;
}

/* True when any counter of op went backwards since prev. */
static bool op_backwards(const struct ms_iostat_op *prev, const ms_op_t *op) {
  unsigned n = prev->nfields < op->nfields ? prev->nfields : op->nfields;
  for (unsigned f = 0; f < n; f++)
    if (op->v[f] < prev->v[f])
      return true;
  return false;
}

static void op_average(const struct ms_iostat_op *prev, const ms_op_t *op,
                       double dt, ms_op_avg_t *out) {
  double ops = (double)(op->v[MS_OP_OPS] - prev->v[MS_OP_OPS]);
  double trans = (double)(op->v[MS_OP_TRANS] - prev->v[MS_OP_TRANS]);
  out->queue_ms =
      (double)(op->v[MS_OP_QUEUE_MS] - prev->v[MS_OP_QUEUE_MS]) / ops;
  out->rtt_ms = (double)(op->v[MS_OP_RTT_MS] - prev->v[MS_OP_RTT_MS]) / ops;
  out->exec_ms = (double)(op->v[MS_OP_EXEC_MS] - prev->v[MS_OP_EXEC_MS]) / ops;
  out->kb_sent = (double)(op->v[MS_OP_BYTES_SENT] - prev->v[MS_OP_BYTES_SENT]) /
                 1024.0 / ops;
  out->kb_recv = (double)(op->v[MS_OP_BYTES_RECV] - prev->v[MS_OP_BYTES_RECV]) /
                 1024.0 / ops;
  /* Kernels before 4.10 could count fewer transmissions than ops. */
  out->retrans_pct = trans > ops ? (trans - ops) * 100.0 / ops : 0.0;
  out->timeouts =
      (double)(op->v[MS_OP_TIMEOUTS] - prev->v[MS_OP_TIMEOUTS]) / dt;
}

/* Keeps record m as e's sample. Returns 0 or -ENOMEM. */
static int store(ms_iostat_entry_t *e, const ms_snapshot_t *snap,
                 const ms_mount_t *m, double now, unsigned generation) {
  if (m->op_count > e->ops_cap_) {
    struct ms_iostat_op *ops = realloc(e->ops_, m->op_count * sizeof(*ops));
    if (ops == NULL) {
      e->nops = 0;
      return -ENOMEM;
    }
    e->ops_ = ops;
    e->ops_cap_ = m->op_count;
  }
  for (size_t k = 0; k < m->op_count; k++) {
    const ms_op_t *op = &snap->ops[m->op_first + k];
    e->ops_[k].name_hash =
        ms_fnv64(MS_FNV64_OFFSET, op->name.ptr, op->name.len);
    e->ops_[k].nfields = op->nfields;
    memcpy(e->ops_[k].v, op->v, sizeof(op->v));
  }
  e->nops = m->op_count;
  e->age = m->age;
  e->time = now;
  e->generation_ = generation;
  if (!mount_sends(snap, m, &e->sends))
    e->sends = UINT64_MAX; /* no transport: no ops/s */
  return 0;
}

/* Whether record m continues e's sample dt seconds later:
 * MS_IOSTAT_VALUES, or MS_IOSTAT_RESET when another superblock took the
 * name (its age does not follow the clock) or a counter of an op went
 * backwards (a remount). */
static int continues(const ms_iostat_entry_t *e, const ms_snapshot_t *snap,
                     const ms_mount_t *m, double dt) {
  if (!(m->have & MS_HAVE_AGE) || dt <= 0 || m->age < e->age ||
      (double)(m->age - e->age) > dt + AGE_SLACK_S)
    return MS_IOSTAT_RESET;
  for (size_t k = 0; k < m->op_count; k++) {
    const ms_op_t *op = &snap->ops[m->op_first + k];
    const struct ms_iostat_op *p =
        prev_op(e, k, ms_fnv64(MS_FNV64_OFFSET, op->name.ptr, op->name.len));
    if (p != NULL && op_backwards(p, op))
      return MS_IOSTAT_RESET;
  }
  return MS_IOSTAT_VALUES;
}

/* When op is READ or WRITE: rate's reads or writes per second and their
 * KiB per second, from op's average avg. */
static void add_read_write(const struct ms_iostat_op *prev, const ms_op_t *op,
                           const ms_op_avg_t *avg, double dt,
                           ms_mount_rate_t *rate) {
  bool is_read = ms_span_is(op->name, "READ");
  if (!is_read && !ms_span_is(op->name, "WRITE"))
    return;
  double ops = (double)(op->v[MS_OP_OPS] - prev->v[MS_OP_OPS]) / dt;
  double kb = (avg->kb_sent + avg->kb_recv) * ops;
  if (is_read) {
    rate->read_ops = ops;
    rate->read_kb = kb;
  } else {
    rate->write_ops = ops;
    rate->write_kb = kb;
  }
}

/* The averages of record m's ops over the dt seconds since e's sample
 * (op_out, op_has) and the mount's rates (rate). */
static void averages(const ms_iostat_entry_t *e, const ms_snapshot_t *snap,
                     const ms_mount_t *m, double dt, ms_op_avg_t *op_out,
                     unsigned char *op_has, ms_mount_rate_t *rate) {
  memset(rate, 0, sizeof(*rate));
  for (size_t k = 0; k < m->op_count; k++) {
    const ms_op_t *op = &snap->ops[m->op_first + k];
    const struct ms_iostat_op *p =
        prev_op(e, k, ms_fnv64(MS_FNV64_OFFSET, op->name.ptr, op->name.len));
    op_has[k] = p != NULL && op->v[MS_OP_OPS] > p->v[MS_OP_OPS];
    if (!op_has[k])
      continue;
    op_average(p, op, dt, &op_out[k]);
    add_read_write(p, op, &op_out[k], dt, rate);
  }
  uint64_t sends = 0;
  /* A transport going offline lowers the sum: then no ops/s this time. */
  if (mount_sends(snap, m, &sends) && e->sends != UINT64_MAX &&
      sends >= e->sends) {
    rate->ops = (double)(sends - e->sends) / dt;
    rate->have_ops = true;
  }
}

int ms_iostat_update(ms_iostat_table_t *t, uint64_t key, double now,
                     const ms_snapshot_t *snap, size_t rec, ms_op_avg_t *op_out,
                     unsigned char *op_has, ms_mount_rate_t *rate) {
  const ms_mount_t *m = &snap->mounts[rec];
  ms_iostat_entry_t *e = find(t, key);
  if (e == NULL) {
    e = append(t, key);
    if (e == NULL)
      return -ENOMEM;
    return store(e, snap, m, now, t->generation_) == 0 ? MS_IOSTAT_BASELINE
                                                       : -ENOMEM;
  }
  double dt = now - e->time;
  int status = continues(e, snap, m, dt);
  if (status == MS_IOSTAT_VALUES)
    averages(e, snap, m, dt, op_out, op_has, rate);
  if (store(e, snap, m, now, t->generation_) != 0)
    return -ENOMEM;
  return status;
}

/* Keeps the samples of mounts seen in this interval. */
static bool seen(void *record, void *ctx) {
  ms_iostat_entry_t *e = record;
  if (e->generation_ == *(const unsigned *)ctx)
    return true;
  free(e->ops_); /* the mount is gone */
  return false;
}

void ms_iostat_end(ms_iostat_table_t *t) {
  ms_keytab_filter(&t->samples, sizeof(ms_iostat_entry_t), seen,
                   &t->generation_);
}

void ms_iostat_free(ms_iostat_table_t *t) {
  for (size_t i = 0; i < t->samples.count; i++) {
    ms_iostat_entry_t *e =
        ms_keytab_at(&t->samples, sizeof(ms_iostat_entry_t), i);
    free(e->ops_);
  }
  ms_keytab_free(&t->samples);
  t->generation_ = 0;
}
