/* SPDX-License-Identifier: MIT
 *
 * collector.c: see collector.h for the contract.
 */
#define _GNU_SOURCE /* strerror_r returning char * */
#include "collector.h"

#include "iostat.h"
#include "keyset.h"
#include "log.h"
#include "mountinfo.h"
#include "mountstats.h"
#include "naming.h"
#include "plan.h"
#include "span.h"
#include "stall.h"
#include "superblock.h"
#include "text.h"
#include "waiting.h"
#include "xprt.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read errors of the file are repeated at most this often, seconds. */
#define FILE_ERROR_REPEAT 60.0
/* Malformed-line messages per interval; persistent ones are logged once. */
#define DIAG_LOG_MAX 10

/* Everything that lives across intervals. */
struct ms_collector {
  const ms_config_t *cfg;
  ms_sink_fn sink;
  void *ctx;
  ms_log_t log; /* the caller's logger, rate limits */
  ms_snapshot_t snap;
  ms_plan_t plan;     /* what is reported, under which names */
  bool derived_valid; /* the last interval completed: its plan may be kept */
  /* rate limiting */
  bool file_failing;      /* the last read failed */
  bool file_error_logged; /* ...and an error was logged since it worked */
  bool mountinfo_failing;
  ms_keyset_t diag_prev, diag_cur;
  ms_keyset_t other_xprt_prev, other_xprt_cur;
  /* ReportIostat: previous samples, and per-op results of one mount */
  ms_iostat_table_t iostat;
  /* ReportStall: each mount's state, and its input */
  ms_stall_table_t stall;
  ms_waiting_t waiting;
  ms_op_avg_t *op_avg;
  unsigned char *op_has;
  size_t op_avg_cap;
};

/* ---- small helpers ------------------------------------------------------- */

static const char *errno_text(int err, char *buf, size_t size) {
  return strerror_r(err, buf, size);
}

int64_t ms_derive(uint64_t v) {
  return v <= (uint64_t)INT64_MAX ? (int64_t)v : -(int64_t)(UINT64_MAX - v) - 1;
}

/* ---- failures to read ---------------------------------------------------- */

/* Logs a failure to read the file: each kind (errno value) at most once a
 * minute, however often the file flaps between good and bad. */
static void file_error(ms_collector_t *c, int err, double now) {
  c->file_failing = true;
  if (!ms_log_due(&c->log, err, now, FILE_ERROR_REPEAT))
    return;
  c->file_error_logged = true;
  const ms_config_t *cfg = c->cfg;
  if (err == EFBIG)
    ms_log(&c->log, MS_LOG_ERR,
           MS_LOG_PREFIX "\"%s\" is larger than MaxFileSize (%zu bytes); "
                         "nothing reported until it is smaller.",
           cfg->file, cfg->max_file_size);
  else if (err == MS_ENOTREG)
    ms_log(&c->log, MS_LOG_ERR,
           MS_LOG_PREFIX "\"%s\" is not a regular file (a FIFO, device or "
                         "socket); nothing reported until it is.",
           cfg->file);
  else {
    char buf[256];
    ms_log(&c->log, MS_LOG_ERR,
           MS_LOG_PREFIX "reading \"%s\" failed: %s (errno %d); nothing "
                         "reported until it is readable.",
           cfg->file, errno_text(err, buf, sizeof(buf)), err);
  }
}

/* The mountinfo text of this interval, or NULL when there is none or it
 * could not be read (superblocks then come from identical counters). */
static const char *mountinfo_of(ms_collector_t *c, const ms_input_t *in) {
  const char *path = c->cfg->mountinfo_file;
  if (path == NULL)
    return NULL;
  if (in->mi_err != 0 || in->mi_buf == NULL) {
    if (!c->mountinfo_failing) {
      char buf[256];
      int err = in->mi_err != 0 ? in->mi_err : ENOENT;
      ms_log(&c->log, MS_LOG_WARNING,
             MS_LOG_PREFIX "reading \"%s\" failed: %s; superblocks are "
                           "recognised by identical counters instead.",
             path,
             err == MS_ENOTREG ? "not a regular file"
                               : errno_text(err, buf, sizeof(buf)));
    }
    c->mountinfo_failing = true;
    return NULL;
  }
  if (c->mountinfo_failing)
    ms_log(&c->log, MS_LOG_INFO, MS_LOG_PREFIX "\"%s\" is readable again.",
           path);
  c->mountinfo_failing = false;
  return in->mi_buf;
}

/* ---- the steps of one read ----------------------------------------------- */

/* Logs malformed lines: each (mount, reason, label) once while it persists,
 * at most DIAG_LOG_MAX new ones per interval. A problem not logged for lack
 * of room is not remembered, so it is logged in a later interval. */
static void log_diags(ms_collector_t *c) {
  const ms_snapshot_t *s = &c->snap;
  size_t logged = 0, suppressed = 0;
  for (size_t i = 0; i < s->ndiags; i++) {
    const ms_diag_t *d = &s->diags[i];
    ms_span_t mp = {"", 0};
    if (d->mount != MS_NO_MOUNT)
      mp = s->mounts[d->mount].mountpoint;
    /* The line's label: up to its first ':' (op name, "events", ...). */
    const char *colon = memchr(d->text.ptr, ':', d->text.len);
    size_t label_len = colon ? (size_t)(colon - d->text.ptr) : d->text.len;
    if (label_len > 64)
      label_len = 64;
    uint64_t key = ms_fnv64(MS_FNV64_OFFSET, mp.ptr, mp.len);
    key = ms_fnv64(key ^ (uint64_t)d->reason, d->text.ptr, label_len);
    if (ms_keyset_has(&c->diag_prev, key)) {
      ms_keyset_add(&c->diag_cur, key); /* still there: stays quiet */
      continue;
    }
    if (ms_keyset_has_unsorted(&c->diag_cur, key))
      continue; /* the same problem twice in this file */
    if (logged >= DIAG_LOG_MAX) {
      suppressed++;
      continue;
    }
    ms_keyset_add(&c->diag_cur, key);
    char mount[256], line[128];
    ms_log_path(mount, sizeof(mount), mp);
    ms_printable(line, sizeof(line), d->text.ptr, d->text.len);
    ms_log(&c->log, MS_LOG_WARNING,
           MS_LOG_PREFIX "%s line %zu (mount \"%s\"): %s; line skipped: \"%s\"",
           c->cfg->file, d->line, d->mount == MS_NO_MOUNT ? "-" : mount,
           ms_diag_reason_str(d->reason), line);
    logged++;
  }
  size_t unkept = s->diags_total - s->ndiags;
  if (suppressed > 0 || (unkept > 0 && logged > 0))
    ms_log(&c->log, MS_LOG_WARNING,
           MS_LOG_PREFIX "%s: %zu more malformed lines not logged this "
                         "interval.",
           c->cfg->file, suppressed + unkept);
  ms_keyset_rotate(&c->diag_prev, &c->diag_cur);
}

/* ---- records ------------------------------------------------------------- */

static void emit(ms_collector_t *c, const char *pi, enum ms_metric_type_id type,
                 const char *ti, size_t ti_len, const ms_value_t *v, size_t n) {
  ms_record_t r = {.plugin_instance = pi,
                   .type = &ms_metric_types[type],
                   .type_instance = ti != NULL ? ti : "",
                   .type_instance_len = ti != NULL ? ti_len : 0,
                   .values = v,
                   .values_len = n};
  c->sink(c->ctx, &r);
}

static void emit_str(ms_collector_t *c, const char *pi,
                     enum ms_metric_type_id type, const char *ti,
                     const ms_value_t *v, size_t n) {
  emit(c, pi, type, ti, ti != NULL ? strlen(ti) : 0, v, n);
}

static void emit_counters(ms_collector_t *c, const char *pi,
                          enum ms_metric_type_id type, const char *ti,
                          const uint64_t *u, size_t n) {
  ms_value_t v[32];
  for (size_t i = 0; i < n && i < sizeof(v) / sizeof(v[0]); i++)
    v[i].derive = ms_derive(u[i]);
  emit_str(c, pi, type, ti, v, n);
}

static bool op_selected(const ms_collector_t *c, const char *name) {
  return ms_matcher_selects(&c->cfg->sel_op, name);
}

static void emit_ops(ms_collector_t *c, const char *pi, const ms_mount_t *m) {
  const ms_config_t *cfg = c->cfg;
  const ms_snapshot_t *s = &c->snap;
  char name[MS_OP_NAME_MAX + 1];
  ms_value_t v[MS_OP_FIELDS];
  for (size_t k = 0; k < m->op_count; k++) {
    const ms_op_t *o = &s->ops[m->op_first + k];
    if (o->v[MS_OP_OPS] == 0 && !cfg->report_zero_ops)
      continue;
    if (cfg->sel_op.count > 0) {
      memcpy(name, o->name.ptr, o->name.len);
      name[o->name.len] = '\0';
      if (!op_selected(c, name))
        continue;
    }
    for (size_t i = 0; i < MS_OP_FIELDS; i++)
      v[i].derive = ms_derive(o->v[i]);
    /* The parser keeps op names to MS_OP_NAME_MAX bytes. */
    emit(c, pi, MS_TYPE_NFS_OP, o->name.ptr, o->name.len, v, 8);
    if (cfg->report_op_errors && o->nfields >= MS_OP_FIELDS)
      emit(c, pi, MS_TYPE_NFS_OP_ERRORS, o->name.ptr, o->name.len,
           &v[MS_OP_ERRORS], 1);
  }
}

static void emit_xprt_values(ms_collector_t *c, const char *pi, const char *ti,
                             const ms_xprt_values_t *x) {
  emit_counters(c, pi, MS_TYPE_NFS_XPRT, ti, x->common, 6);
  if (x->have_conn) {
    ms_value_t v[] = {{.derive = ms_derive(x->connect_count)},
                      {.derive = ms_derive(x->connect_time)},
                      {.gauge = (double)x->idle_time}};
    emit_str(c, pi, MS_TYPE_NFS_XPRT_CONN, ti, v, 3);
  }
  if (x->have_slots) {
    ms_value_t v[] = {{.gauge = (double)x->max_slots},
                      {.derive = ms_derive(x->sending_u)},
                      {.derive = ms_derive(x->pending_u)}};
    emit_str(c, pi, MS_TYPE_NFS_XPRT_SLOTS, ti, v, 3);
  }
  if (x->have_rdma) {
    emit_counters(c, pi, MS_TYPE_NFS_XPRT_RDMA, ti, x->rdma, 5);
    emit_counters(c, pi, MS_TYPE_NFS_XPRT_RDMA_COPY, ti, x->rdma + 5, 5);
  }
  if (x->have_rdma_mr)
    emit_counters(c, pi, MS_TYPE_NFS_XPRT_RDMA_MR, ti, x->rdma + 10, 7);
}

/* Notes an unknown transport word once per mount while it persists. */
static void note_other_xprt(ms_collector_t *c, const ms_mount_t *m,
                            const ms_xprt_t *x) {
  uint64_t key =
      ms_fnv64(MS_FNV64_OFFSET, m->mountpoint.ptr, m->mountpoint.len);
  key = ms_fnv64(key, x->name.ptr, x->name.len);
  ms_keyset_add(&c->other_xprt_cur, key);
  if (ms_keyset_has(&c->other_xprt_prev, key))
    return;
  char mp[256], word[64];
  ms_log_path(mp, sizeof(mp), m->mountpoint);
  ms_printable(word, sizeof(word), x->name.ptr, x->name.len);
  ms_log(&c->log, MS_LOG_NOTICE,
         MS_LOG_PREFIX "%s line %zu (mount \"%s\"): unknown transport \"%s\" "
                       "is not reported.",
         c->cfg->file, x->line, mp, word);
}

static void emit_transports(ms_collector_t *c, const char *pi,
                            const ms_mount_t *m) {
  const ms_snapshot_t *s = &c->snap;
  ms_xprt_values_t sum;
  size_t summed = 0;
  const ms_xprt_t *first = NULL;
  for (size_t k = 0; k < m->xprt_count; k++) {
    const ms_xprt_t *x = &s->xprts[m->xprt_first + k];
    ms_xprt_values_t one;
    if (ms_xprt_normalise(x, &one) != 0) {
      note_other_xprt(c, m, x);
      continue;
    }
    char ti[MS_NAME_SIZE];
    if (c->cfg->report_per_transport) {
      snprintf(ti, sizeof(ti), "%.*s-%zu", (int)x->name.len, x->name.ptr, k);
      emit_xprt_values(c, pi, ti, &one);
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
    emit_xprt_values(c, pi, ti, &sum);
    ms_value_t count = {.gauge = (double)summed};
    emit_str(c, pi, MS_TYPE_COUNT, "transports", &count, 1);
  }
}

/* The key of what the collector remembers of a reported mount between
 * reads (ReportIostat, ReportStall): name, device and superblock, so that
 * another mount taking the name is never compared with the one before it. */
static uint64_t mount_key(const ms_collector_t *c, const char *pi, size_t rec) {
  const ms_mount_t *m = &c->snap.mounts[rec];
  uint64_t key = ms_fnv64(MS_FNV64_OFFSET, pi, strlen(pi) + 1);
  key = ms_fnv64(key, m->device.ptr, m->device.len);
  if (c->plan.have_dev)
    key = ms_fnv64(key, &c->plan.dev[rec], sizeof(c->plan.dev[rec]));
  return key;
}

/* ---- ReportStall ----------------------------------------------------------
 */

/* ReportStall: per reported mount, whether its server answers (stall.h);
 * once per transport, the kernel's queues. */
static void emit_stall(ms_collector_t *c, const char *pi, size_t rec,
                       double now) {
  const ms_snapshot_t *s = &c->snap;
  ms_stall_input_t in;
  ms_queue_totals_t q;
  const ms_xprt_t *first;
  if (!ms_waiting_of(&c->waiting, s, &c->plan, rec, &in, &q, &first))
    return;
  ms_stall_t st;
  if (ms_stall_update(&c->stall, mount_key(c, pi, rec), now, &in, &st) != 0)
    return; /* learned again from the next read */
  if (st.route_changed)
    ms_waiting_log_route(&c->waiting, s, rec, &c->log);
  ms_value_t v[] = {
      {.gauge = st.waiting}, {.gauge = st.since_reply}, {.gauge = st.stalled}};
  emit_str(c, pi, MS_TYPE_NFS_XPRT_STALL, in.sysfs ? "sysfs" : "estimate", v,
           3);
  if (in.sysfs && c->plan.xprt_leader[rec] == rec) {
    ms_value_t qv[] = {
        {.gauge = q.queued}, {.gauge = q.pending}, {.gauge = q.connected}};
    emit(c, pi, MS_TYPE_NFS_XPRT_QUEUE, first->name.ptr, first->name.len, qv,
         3);
  }
}

/* nfsiostat's averages over the interval since the previous read. Returns
 * 0, or -ENOMEM: the mount's averages are missing from this interval, and
 * its baseline from the next. */
static int emit_iostat(ms_collector_t *c, const char *pi, size_t rec,
                       double now) {
  const ms_snapshot_t *s = &c->snap;
  const ms_mount_t *m = &s->mounts[rec];
  if (m->op_count > c->op_avg_cap) {
    ms_op_avg_t *avg = realloc(c->op_avg, m->op_count * sizeof(*avg));
    if (avg == NULL)
      return -ENOMEM;
    c->op_avg = avg;
    unsigned char *has = realloc(c->op_has, m->op_count);
    if (has == NULL)
      return -ENOMEM;
    c->op_has = has;
    c->op_avg_cap = m->op_count;
  }
  uint64_t key = mount_key(c, pi, rec);
  ms_mount_rate_t rate;
  int rc = ms_iostat_update(&c->iostat, key, now, s, rec, c->op_avg, c->op_has,
                            &rate);
  if (rc < 0)
    return rc;
  if (rc != MS_IOSTAT_VALUES)
    return 0; /* first sample, or a remount: a fresh baseline, no value */

  ms_value_t mount_values[] = {{.gauge = rate.have_ops ? rate.ops : NAN},
                               {.gauge = rate.read_ops},
                               {.gauge = rate.read_kb},
                               {.gauge = rate.write_ops},
                               {.gauge = rate.write_kb}};
  emit(c, pi, MS_TYPE_NFS_IOSTAT, NULL, 0, mount_values, 5);
  char name[MS_OP_NAME_MAX + 1];
  for (size_t k = 0; k < m->op_count; k++) {
    if (!c->op_has[k])
      continue; /* the op did not move: an average of nothing */
    const ms_op_t *o = &s->ops[m->op_first + k];
    memcpy(name, o->name.ptr, o->name.len);
    name[o->name.len] = '\0';
    if (!op_selected(c, name))
      continue;
    const ms_op_avg_t *a = &c->op_avg[k];
    ms_value_t v[] = {{.gauge = a->queue_ms}, {.gauge = a->rtt_ms},
                      {.gauge = a->exec_ms},  {.gauge = a->kb_sent},
                      {.gauge = a->kb_recv},  {.gauge = a->retrans_pct},
                      {.gauge = a->timeouts}};
    emit(c, pi, MS_TYPE_NFS_OP_AVG, name, o->name.len, v, 7);
  }
  return 0;
}

/* The event types; a group the kernel did not print (pNFS before 2.6.39)
 * is left out. */
static const struct {
  enum ms_metric_type_id type;
  unsigned first; /* in events[] */
} event_groups[] = {
    {MS_TYPE_NFS_EVENTS_CACHE, 0}, {MS_TYPE_NFS_EVENTS_VFS, 4},
    {MS_TYPE_NFS_EVENTS_FILE, 12}, {MS_TYPE_NFS_EVENTS_IO, 18},
    {MS_TYPE_NFS_EVENTS_PNFS, 25},
};

/* The records of one reported mount. Returns 0, or -ENOMEM when some
 * could not be made (the others are emitted). */
static int emit_mount(ms_collector_t *c, const char *pi, size_t rec,
                      double now) {
  const ms_config_t *cfg = c->cfg;
  const ms_mount_t *m = &c->snap.mounts[rec];
  if (cfg->report_age && (m->have & MS_HAVE_AGE)) {
    ms_value_t age = {.gauge = (double)m->age};
    emit_str(c, pi, MS_TYPE_UPTIME, "age", &age, 1);
  }
  if (cfg->report_events && (m->have & MS_HAVE_EVENTS)) {
    for (size_t g = 0; g < sizeof(event_groups) / sizeof(event_groups[0]);
         g++) {
      unsigned first = event_groups[g].first;
      size_t count = ms_metric_types[event_groups[g].type].ds_num;
      if (m->nevents >= first + count)
        emit_counters(c, pi, event_groups[g].type, NULL, m->events + first,
                      count);
    }
  }
  if (cfg->report_bytes && (m->have & MS_HAVE_BYTES))
    emit_counters(c, pi, MS_TYPE_NFS_BYTES, NULL, m->bytes, MS_BYTES_COUNT);
  if (cfg->report_fscache && (m->have & MS_HAVE_FSC))
    emit_counters(c, pi, MS_TYPE_NFS_FSCACHE, NULL, m->fsc, MS_FSC_COUNT);
  if (cfg->report_transport && c->plan.xprt_leader[rec] == rec)
    emit_transports(c, pi, m);
  if (cfg->report_stall)
    emit_stall(c, pi, rec, now);
  if (cfg->report_ops)
    emit_ops(c, pi, m);
  if (cfg->report_iostat)
    return emit_iostat(c, pi, rec, now);
  return 0;
}

/* Everything after reading: parse, select, group, name, emit. */
static int process(ms_collector_t *c, const char *buf, size_t len,
                   const char *mi_buf, size_t mi_len, const ms_fs_t *sysfs,
                   double now) {
  const ms_config_t *cfg = c->cfg;
  bool derived_valid = c->derived_valid;
  c->derived_valid = false; /* until this interval completes */
  if (ms_parse(&c->snap, buf, len) != 0) {
    ms_log(&c->log, MS_LOG_ERR, MS_LOG_PREFIX "out of memory parsing \"%s\".",
           cfg->file);
    return -ENOMEM;
  }
  log_diags(c);
  const ms_snapshot_t *s = &c->snap;
  if (ms_plan_make(&c->plan, cfg, s, mi_buf, mi_len, derived_valid, &c->log) !=
      0) {
    ms_log(&c->log, MS_LOG_ERR, MS_LOG_PREFIX "out of memory.");
    return -ENOMEM;
  }
  size_t n = c->plan.nreported;
  if (cfg->report_stall &&
      ms_waiting_prepare(&c->waiting, s, &c->plan, sysfs, now) != 0) {
    ms_log(&c->log, MS_LOG_ERR, MS_LOG_PREFIX "out of memory.");
    return -ENOMEM;
  }
  if (cfg->report_iostat)
    ms_iostat_begin(&c->iostat);
  /* A mount whose records could not all be made costs those records
   * only: the others are emitted, the interval ends as usual, the failure
   * is logged once. */
  int rc = 0;
  for (size_t k = 0; k < n; k++)
    if (emit_mount(c, c->plan.names[k].s, c->plan.reported[k], now) != 0)
      rc = -ENOMEM;
  if (cfg->report_iostat)
    ms_iostat_end(&c->iostat); /* forgets mounts that went away */
  if (cfg->report_stall)
    ms_stall_end(&c->stall); /* forgets mounts that went away */
  ms_keyset_rotate(&c->other_xprt_prev, &c->other_xprt_cur);
  c->derived_valid = true;
  if (rc != 0)
    ms_log(&c->log, MS_LOG_ERR, MS_LOG_PREFIX "out of memory.");
  return rc;
}

/* ---- the object ---------------------------------------------------------- */

ms_collector_t *ms_collector_new(const ms_config_t *cfg, ms_sink_fn sink,
                                 ms_logger_fn logger, void *ctx) {
  ms_collector_t *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return NULL;
  c->cfg = cfg;
  c->sink = sink;
  c->ctx = ctx;
  c->log.fn = logger;
  c->log.ctx = ctx;
  return c;
}

int ms_collector_run(ms_collector_t *c, const ms_input_t *in) {
  if (in->err != 0) {
    file_error(c, in->err, in->now);
    return 0; /* keep the normal interval: values resume when readable */
  }
  if (c->file_failing && c->file_error_logged)
    ms_log(&c->log, MS_LOG_INFO, MS_LOG_PREFIX "\"%s\" is readable again.",
           c->cfg->file);
  c->file_failing = c->file_error_logged = false;
  const char *mi_buf = mountinfo_of(c, in);
  return process(c, in->buf, in->len, mi_buf, mi_buf ? in->mi_len : 0,
                 in->sysfs, in->now);
}

size_t ms_collector_snapshot_bytes(const ms_collector_t *c) {
  return ms_snapshot_bytes(&c->snap);
}

void ms_collector_free(ms_collector_t *c) {
  if (c == NULL)
    return;
  ms_snapshot_free(&c->snap);
  ms_plan_free(&c->plan);
  ms_iostat_free(&c->iostat);
  ms_stall_free(&c->stall);
  ms_waiting_free(&c->waiting);
  free(c->op_avg);
  free(c->op_has);
  ms_keyset_free(&c->diag_prev);
  ms_keyset_free(&c->diag_cur);
  ms_keyset_free(&c->other_xprt_prev);
  ms_keyset_free(&c->other_xprt_cur);
  free(c);
}
