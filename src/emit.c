/* SPDX-License-Identifier: MIT
 *
 * emit.c: see emit.h for the contract.
 */
#include "emit.h"

#include "span.h"
#include "xprt.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The mount whose records are being made. */
typedef struct {
  ms_emit_t *e;
  const ms_emit_input_t *in;
  const char *pi; /* its plugin instance */
  size_t rec;     /* its record */
} mount_t;

int64_t ms_derive(uint64_t v) {
  return v <= (uint64_t)INT64_MAX ? (int64_t)v : -(int64_t)(UINT64_MAX - v) - 1;
}

/* One record of type: as many values at v as the type has data sources. */
static void emit(const mount_t *m, enum ms_metric_type_id type, const char *ti,
                 size_t ti_len, const ms_value_t *v) {
  const ms_metric_type_t *t = &ms_metric_types[type];
  ms_record_t r = {.plugin_instance = m->pi,
                   .type = t,
                   .type_instance = ti != NULL ? ti : "",
                   .type_instance_len = ti != NULL ? ti_len : 0,
                   .values = v,
                   .values_len = t->ds_num};
  m->e->sink(m->e->ctx, &r);
}

/* A record whose values the code lists one by one: the list must be as
 * long as the type's data sources, which the table decides. */
#define EMIT_LISTED(m, type, ti, ti_len, v)                                    \
  do {                                                                         \
    assert(sizeof(v) / sizeof((v)[0]) == ms_metric_types[type].ds_num);        \
    emit(m, type, ti, ti_len, v);                                              \
  } while (0)

static size_t len_of(const char *ti) { return ti != NULL ? strlen(ti) : 0; }

/* A type of the kernel's counters, from u[t->first] on, as DERIVE. */
static void emit_counters(const mount_t *m, enum ms_metric_type_id type,
                          const char *ti, const uint64_t *u) {
  const ms_metric_type_t *t = &ms_metric_types[type];
  ms_value_t v[MS_METRIC_DS_MAX];
  for (size_t i = 0; i < t->ds_num; i++)
    v[i].derive = ms_derive(u[t->first + i]);
  emit(m, type, ti, len_of(ti), v);
}

static bool op_selected(const ms_config_t *cfg, const char *name) {
  return ms_matcher_selects(&cfg->sel_op, name);
}

/* ---- operations ---------------------------------------------------------- */

static void emit_ops(const mount_t *m) {
  const ms_config_t *cfg = m->in->cfg;
  const ms_snapshot_t *s = m->in->snap;
  const ms_mount_t *mt = &s->mounts[m->rec];
  const ms_metric_type_t *op = &ms_metric_types[MS_TYPE_NFS_OP];
  const ms_metric_type_t *err = &ms_metric_types[MS_TYPE_NFS_OP_ERRORS];
  char name[MS_OP_NAME_MAX + 1];
  ms_value_t v[MS_OP_FIELDS];
  for (size_t k = 0; k < mt->op_count; k++) {
    const ms_op_t *o = &s->ops[mt->op_first + k];
    if (o->v[MS_OP_OPS] == 0 && !cfg->report_zero_ops)
      continue;
    if (cfg->sel_op.count > 0) {
      memcpy(name, o->name.ptr, o->name.len);
      name[o->name.len] = '\0';
      if (!op_selected(cfg, name))
        continue;
    }
    for (size_t i = 0; i < MS_OP_FIELDS; i++)
      v[i].derive = ms_derive(o->v[i]);
    /* The parser keeps op names to MS_OP_NAME_MAX bytes. */
    emit(m, MS_TYPE_NFS_OP, o->name.ptr, o->name.len, &v[op->first]);
    if (cfg->report_op_errors && o->nfields > err->first)
      emit(m, MS_TYPE_NFS_OP_ERRORS, o->name.ptr, o->name.len, &v[err->first]);
  }
}

/* ---- transports ---------------------------------------------------------- */

static void emit_xprt_values(const mount_t *m, const char *ti,
                             const ms_xprt_values_t *x) {
  emit_counters(m, MS_TYPE_NFS_XPRT, ti, x->common);
  if (x->have_conn) {
    ms_value_t v[] = {{.derive = ms_derive(x->connect_count)},
                      {.derive = ms_derive(x->connect_time)},
                      {.gauge = (double)x->idle_time}};
    EMIT_LISTED(m, MS_TYPE_NFS_XPRT_CONN, ti, len_of(ti), v);
  }
  if (x->have_slots) {
    ms_value_t v[] = {{.gauge = (double)x->max_slots},
                      {.derive = ms_derive(x->sending_u)},
                      {.derive = ms_derive(x->pending_u)}};
    EMIT_LISTED(m, MS_TYPE_NFS_XPRT_SLOTS, ti, len_of(ti), v);
  }
  if (x->have_rdma) {
    emit_counters(m, MS_TYPE_NFS_XPRT_RDMA, ti, x->rdma);
    emit_counters(m, MS_TYPE_NFS_XPRT_RDMA_COPY, ti, x->rdma);
  }
  if (x->have_rdma_mr)
    emit_counters(m, MS_TYPE_NFS_XPRT_RDMA_MR, ti, x->rdma);
}

/* Notes an unknown transport word once per mount while it persists.
 * Returns 0, or -ENOMEM when the note could not be remembered (it is made
 * again the next read). */
static int note_other_xprt(const mount_t *m, const ms_xprt_t *x) {
  const ms_mount_t *mt = &m->in->snap->mounts[m->rec];
  uint64_t key =
      ms_fnv64(MS_FNV64_OFFSET, mt->mountpoint.ptr, mt->mountpoint.len);
  key = ms_fnv64(key, x->name.ptr, x->name.len);
  int rc = ms_keyset_add(&m->e->other_xprt_cur_, key);
  if (ms_keyset_has(&m->e->other_xprt_prev_, key))
    return rc;
  char mp[256], word[64];
  ms_log_path(mp, sizeof(mp), mt->mountpoint);
  ms_printable(word, sizeof(word), x->name.ptr, x->name.len);
  ms_log(m->in->log, MS_LOG_NOTICE,
         MS_LOG_PREFIX "%s line %zu (mount \"%s\"): unknown transport \"%s\" "
                       "is not reported.",
         m->in->cfg->file, x->line, mp, word);
  return rc;
}

/* The mount's transports: each (ReportPerTransport), or the sum of those of
 * the first one's kind and how many they are. Returns 0, or -ENOMEM when
 * an unknown transport's note could not be remembered. */
static int emit_transports(const mount_t *m) {
  const ms_snapshot_t *s = m->in->snap;
  const ms_mount_t *mt = &s->mounts[m->rec];
  ms_xprt_values_t sum;
  size_t summed = 0;
  const ms_xprt_t *first = NULL;
  int rc = 0;
  for (size_t k = 0; k < mt->xprt_count; k++) {
    const ms_xprt_t *x = &s->xprts[mt->xprt_first + k];
    ms_xprt_values_t one;
    if (ms_xprt_normalise(x, &one) != 0) {
      if (note_other_xprt(m, x) != 0)
        rc = -ENOMEM;
      continue;
    }
    char ti[MS_NAME_SIZE];
    if (m->in->cfg->report_per_transport) {
      snprintf(ti, sizeof(ti), "%.*s-%zu", (int)x->name.len, x->name.ptr, k);
      emit_xprt_values(m, ti, &one);
      continue;
    }
    if (first == NULL) {
      first = x;
      sum = one;
      summed = 1;
    } else if (x->kind == first->kind) {
      ms_xprt_add(&sum, &one);
      summed++;
    }
  }
  if (summed > 0) {
    char ti[MS_NAME_SIZE];
    snprintf(ti, sizeof(ti), "%.*s", (int)first->name.len, first->name.ptr);
    emit_xprt_values(m, ti, &sum);
    ms_value_t count[] = {{.gauge = (double)summed}};
    EMIT_LISTED(m, MS_TYPE_COUNT, "transports", len_of("transports"), count);
  }
  return rc;
}

/* ---- what is kept between reads ------------------------------------------ */

/* The key of what is remembered of a reported mount between reads
 * (ReportIostat, ReportStall): name, device and superblock, so that
 * another mount taking the name is never compared with the one before it. */
static uint64_t mount_key(const mount_t *m) {
  const ms_plan_t *p = m->in->plan;
  const ms_mount_t *mt = &m->in->snap->mounts[m->rec];
  uint64_t key = ms_fnv64(MS_FNV64_OFFSET, m->pi, strlen(m->pi) + 1);
  key = ms_fnv64(key, mt->device.ptr, mt->device.len);
  if (p->have_dev)
    key = ms_fnv64(key, &p->dev[m->rec], sizeof(p->dev[m->rec]));
  return key;
}

/* ReportStall: whether the mount's server answers (stall.h); once per
 * connection, the kernel's queues. Returns 0, or -ENOMEM: the mount's
 * stall records are missing from this interval, and its state is learned
 * again from the next read. */
static int emit_stall(const mount_t *m) {
  const ms_emit_input_t *in = m->in;
  ms_stall_input_t si;
  ms_queue_totals_t q;
  const ms_xprt_t *first;
  if (!ms_waiting_of(in->waiting, in->snap, in->plan, m->rec, &si, &q, &first))
    return 0;
  ms_stall_t st;
  int rc = ms_stall_update(&m->e->stall_, mount_key(m), in->now, &si, &st);
  if (rc < 0)
    return rc;
  if (st.route_changed)
    ms_waiting_log_route(in->waiting, in->snap, m->rec, in->log);
  const char *source = si.sysfs ? "sysfs" : "estimate";
  ms_value_t v[] = {
      {.gauge = st.waiting}, {.gauge = st.since_reply}, {.gauge = st.stalled}};
  EMIT_LISTED(m, MS_TYPE_NFS_XPRT_STALL, source, len_of(source), v);
  if (si.sysfs && in->plan->xprt_leader[m->rec] == m->rec) {
    ms_value_t qv[] = {
        {.gauge = q.queued}, {.gauge = q.pending}, {.gauge = q.connected}};
    EMIT_LISTED(m, MS_TYPE_NFS_XPRT_QUEUE, first->name.ptr, first->name.len,
                qv);
  }
  return 0;
}

/* Room for n per-op averages. Returns 0 or -ENOMEM. */
static int grow_op_avg(ms_emit_t *e, size_t n) {
  if (n <= e->op_avg_cap_)
    return 0;
  ms_op_avg_t *avg = realloc(e->op_avg_, n * sizeof(*avg));
  if (avg == NULL)
    return -ENOMEM;
  e->op_avg_ = avg;
  unsigned char *has = realloc(e->op_has_, n);
  if (has == NULL)
    return -ENOMEM;
  e->op_has_ = has;
  e->op_avg_cap_ = n;
  return 0;
}

/* The averages of the ops that moved and were selected. */
static void emit_op_avgs(const mount_t *m) {
  const ms_snapshot_t *s = m->in->snap;
  const ms_mount_t *mt = &s->mounts[m->rec];
  char name[MS_OP_NAME_MAX + 1];
  for (size_t k = 0; k < mt->op_count; k++) {
    if (!m->e->op_has_[k])
      continue; /* the op did not move: an average of nothing */
    const ms_op_t *o = &s->ops[mt->op_first + k];
    memcpy(name, o->name.ptr, o->name.len);
    name[o->name.len] = '\0';
    if (!op_selected(m->in->cfg, name))
      continue;
    const ms_op_avg_t *a = &m->e->op_avg_[k];
    ms_value_t v[] = {{.gauge = a->queue_ms}, {.gauge = a->rtt_ms},
                      {.gauge = a->exec_ms},  {.gauge = a->kb_sent},
                      {.gauge = a->kb_recv},  {.gauge = a->retrans_pct},
                      {.gauge = a->timeouts}};
    EMIT_LISTED(m, MS_TYPE_NFS_OP_AVG, name, o->name.len, v);
  }
}

/* nfsiostat's averages over the interval since the previous read. Returns
 * 0, or -ENOMEM: the mount's averages are missing from this interval, and
 * its baseline from the next. */
static int emit_iostat(const mount_t *m) {
  const ms_mount_t *mt = &m->in->snap->mounts[m->rec];
  if (grow_op_avg(m->e, mt->op_count) != 0)
    return -ENOMEM;
  ms_mount_rate_t rate;
  int rc =
      ms_iostat_update(&m->e->iostat_, mount_key(m), m->in->now, m->in->snap,
                       m->rec, m->e->op_avg_, m->e->op_has_, &rate);
  if (rc < 0)
    return rc;
  if (rc != MS_IOSTAT_VALUES)
    return 0; /* first sample, or a remount: a fresh baseline, no value */
  ms_value_t v[] = {{.gauge = rate.have_ops ? rate.ops : NAN},
                    {.gauge = rate.read_ops},
                    {.gauge = rate.read_kb},
                    {.gauge = rate.write_ops},
                    {.gauge = rate.write_kb}};
  EMIT_LISTED(m, MS_TYPE_NFS_IOSTAT, NULL, 0, v);
  emit_op_avgs(m);
  return 0;
}

/* ---- per mount ----------------------------------------------------------- */

/* The records of one reported mount. Returns 0, or -ENOMEM when some could
 * not be made, or a note not remembered (the others are emitted). */
static int emit_mount(const mount_t *m) {
  const ms_config_t *cfg = m->in->cfg;
  const ms_mount_t *mt = &m->in->snap->mounts[m->rec];
  if (cfg->report_age && (mt->have & MS_HAVE_AGE)) {
    ms_value_t age[] = {{.gauge = (double)mt->age}};
    EMIT_LISTED(m, MS_TYPE_UPTIME, "age", len_of("age"), age);
  }
  if (cfg->report_events && (mt->have & MS_HAVE_EVENTS)) {
    /* a group the kernel did not print (pNFS before 2.6.39) is left out */
    for (int t = MS_TYPE_EVENTS_FIRST; t <= MS_TYPE_EVENTS_LAST; t++)
      if (mt->nevents >= ms_metric_types[t].first + ms_metric_types[t].ds_num)
        emit_counters(m, t, NULL, mt->events);
  }
  if (cfg->report_bytes && (mt->have & MS_HAVE_BYTES))
    emit_counters(m, MS_TYPE_NFS_BYTES, NULL, mt->bytes);
  if (cfg->report_fscache && (mt->have & MS_HAVE_FSC))
    emit_counters(m, MS_TYPE_NFS_FSCACHE, NULL, mt->fsc);
  int rc = 0;
  if (cfg->report_transport && m->in->plan->xprt_leader[m->rec] == m->rec)
    rc = emit_transports(m);
  if (cfg->report_stall && emit_stall(m) != 0)
    rc = -ENOMEM;
  if (cfg->report_ops)
    emit_ops(m);
  if (cfg->report_iostat && emit_iostat(m) != 0)
    rc = -ENOMEM;
  return rc;
}

int ms_emit_records(ms_emit_t *e, const ms_emit_input_t *in) {
  const ms_config_t *cfg = in->cfg;
  const ms_plan_t *p = in->plan;
  if (cfg->report_iostat)
    ms_iostat_begin(&e->iostat_);
  int rc = 0;
  for (size_t k = 0; k < p->nreported; k++) {
    mount_t m = {e, in, p->names[k].s, p->reported[k]};
    if (emit_mount(&m) != 0)
      rc = -ENOMEM;
  }
  if (cfg->report_iostat)
    ms_iostat_end(&e->iostat_); /* forgets mounts that went away */
  if (cfg->report_stall)
    ms_stall_end(&e->stall_); /* forgets mounts that went away */
  ms_keyset_rotate(&e->other_xprt_prev_, &e->other_xprt_cur_);
  return rc;
}

void ms_emit_free(ms_emit_t *e) {
  ms_keyset_free(&e->other_xprt_prev_);
  ms_keyset_free(&e->other_xprt_cur_);
  ms_iostat_free(&e->iostat_);
  free(e->op_avg_);
  free(e->op_has_);
  ms_stall_free(&e->stall_);
  memset(e, 0, sizeof(*e));
}
