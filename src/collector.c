/* SPDX-License-Identifier: MIT
 *
 * collector.c: see collector.h for the contract.
 */
#define _GNU_SOURCE /* strerror_r returning char * */
#include "collector.h"

#include "emit.h"
#include "keyset.h"
#include "log.h"
#include "mountstats.h"
#include "plan.h"
#include "span.h"
#include "waiting.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Read errors of the file are repeated at most this often, seconds. */
#define FILE_ERROR_REPEAT 60.0
/* Malformed-line messages per interval; persistent ones are logged once. */
#define DIAG_LOG_MAX 10

/* Everything that lives across intervals. */
struct ms_collector {
  const ms_config_t *cfg;
  ms_log_t log; /* the caller's logger, with the rate limits */
  ms_snapshot_t snap;
  ms_plan_t plan;       /* what is reported, under which names */
  bool derived_valid;   /* the last interval completed: its plan may be kept */
  ms_waiting_t waiting; /* ReportStall's input */
  ms_emit_t emit;       /* the records, and what they keep between reads */
  /* what was said of the reads */
  bool file_failing;      /* the last read failed */
  bool file_error_logged; /* ...and an error was logged since it worked */
  bool mountinfo_failing;
  ms_keyset_t diag_prev, diag_cur; /* malformed lines logged */
};

/* ---- small helpers ------------------------------------------------------- */

static const char *errno_text(int err, char *buf, size_t size) {
  return strerror_r(err, buf, size);
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
 * of room is not remembered, so it is logged in a later interval. Returns
 * 0, or -ENOMEM when a problem could not be remembered (it is logged again
 * in a later interval). */
static int log_diags(ms_collector_t *c) {
  const ms_snapshot_t *s = &c->snap;
  size_t logged = 0, suppressed = 0;
  int rc = 0;
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
      if (ms_keyset_add(&c->diag_cur, key) != 0) /* still there: quiet */
        rc = -ENOMEM;
      continue;
    }
    if (ms_keyset_has_unsorted(&c->diag_cur, key))
      continue; /* the same problem twice in this file */
    if (logged >= DIAG_LOG_MAX) {
      suppressed++;
      continue;
    }
    if (ms_keyset_add(&c->diag_cur, key) != 0)
      rc = -ENOMEM;
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
  return rc;
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
  /* A problem whose logging could not be remembered costs a line logged
   * again: the run goes on, the failure is returned with the rest. */
  int rc = log_diags(c);
  const ms_snapshot_t *s = &c->snap;
  if (ms_plan_make(&c->plan, cfg, s, mi_buf, mi_len, derived_valid, &c->log) !=
      0) {
    ms_log(&c->log, MS_LOG_ERR, MS_LOG_PREFIX "out of memory.");
    return -ENOMEM;
  }
  if (cfg->report_stall &&
      ms_waiting_prepare(&c->waiting, s, &c->plan, sysfs, now) != 0) {
    ms_log(&c->log, MS_LOG_ERR, MS_LOG_PREFIX "out of memory.");
    return -ENOMEM;
  }
  /* A mount whose records could not all be made costs those records
   * only: the others are emitted, the interval ends as usual, the failure
   * is logged once. */
  ms_emit_input_t records = {.cfg = cfg,
                             .snap = s,
                             .plan = &c->plan,
                             .waiting = &c->waiting,
                             .log = &c->log,
                             .now = now};
  if (ms_emit_records(&c->emit, &records) != 0)
    rc = -ENOMEM;
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
  c->emit.sink = sink;
  c->emit.ctx = ctx;
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

size_t ms_collector_explain_names(const ms_collector_t *c,
                                  ms_name_explain_t *out, size_t max) {
  if (!c->derived_valid)
    return 0;
  return ms_plan_explain_names(&c->plan, &c->snap, out, max);
}

size_t ms_collector_snapshot_bytes(const ms_collector_t *c) {
  return ms_snapshot_bytes(&c->snap);
}

void ms_collector_free(ms_collector_t *c) {
  if (c == NULL)
    return;
  ms_snapshot_free(&c->snap);
  ms_plan_free(&c->plan);
  ms_waiting_free(&c->waiting);
  ms_emit_free(&c->emit);
  ms_keyset_free(&c->diag_prev);
  ms_keyset_free(&c->diag_cur);
  free(c);
}
