/* SPDX-License-Identifier: MIT
 *
 * waiting.c: see waiting.h for the contract.
 */
#include "waiting.h"

#include "grow.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* How often a mount no route maps is tried again, seconds (its transport
 * may have been closed at the last scan). */
#define RESCAN_UNMAPPED 60.0

/* The estimate's sums for n records. Returns 0 or -ENOMEM. */
static int grow(ms_waiting_t *w, size_t n) {
  if (n <= w->cap_)
    return 0;
  size_t cap = ms_grow_cap(w->cap_, n);
  struct ms_waiting_sums *grown = realloc(w->sums_, cap * sizeof(*grown));
  if (grown == NULL)
    return -ENOMEM;
  w->sums_ = grown;
  w->cap_ = cap;
  return 0;
}

/* The kernel's queues: the whole sysfs layout again when the reported
 * records changed, a read failed, or a mount found no transport a while ago
 * (it may have been closed then); else only the switches in use. */
static int read_sysfs(ms_waiting_t *w, const ms_snapshot_t *s,
                      const ms_plan_t *plan, const ms_fs_t *fs, double now) {
  w->read_ = fs != NULL;
  if (fs == NULL) {
    w->valid_ = false;
    return 0;
  }
  bool rescan = !plan->same_records || !w->valid_ ||
                (w->map_.unmapped > 0 &&
                 !(now >= w->scanned_ && now - w->scanned_ < RESCAN_UNMAPPED));
  if (!rescan && ms_sunrpc_refresh(&w->rpc_, fs) != 0)
    rescan = true;
  if (!rescan)
    return 0;
  w->valid_ = false;
  if (ms_sunrpc_scan(&w->rpc_, fs) != 0)
    return -ENOMEM;
  ms_rpcmap_input_t in = {plan->in_report, plan->have_dev ? plan->dev : NULL,
                          plan->addr};
  if (ms_rpcmap_build(&w->map_, s, &in, &w->rpc_) != 0)
    return -ENOMEM;
  w->valid_ = true;
  w->scanned_ = now;
  return 0;
}

int ms_waiting_prepare(ms_waiting_t *w, const ms_snapshot_t *s,
                       const ms_plan_t *plan, const ms_fs_t *fs, double now) {
  if (grow(w, s->nmounts) != 0)
    return -ENOMEM;
  int rc = read_sysfs(w, s, plan, fs, now);
  if (rc != 0)
    return rc;
  if (w->valid_ && w->map_.unmapped == 0)
    return 0; /* every reported mount has the kernel's queues */
  for (size_t i = 0; i < s->nmounts; i++)
    w->sums_[i] = (struct ms_waiting_sums){0, 0};
  for (size_t k = 0; k < plan->nreported; k++) {
    size_t rec = plan->reported[k];
    struct ms_waiting_sums *sum = &w->sums_[plan->xprt_leader[rec]];
    ms_stall_op_counts(s, rec, &sum->retrans, &sum->timeouts);
  }
  return 0;
}

/* The kernel's queues of the switches that carry record rec. Tasks wait for
 * the server in a connected transport's queues (binding, sending, pending
 * a reply, backlog); a closed transport prints none, but the switch still
 * counts its tasks, so the switch's tasks beyond its connected transports'
 * are waiting for a connection. */
static void queue_totals(const ms_waiting_t *w, size_t rec,
                         ms_queue_totals_t *out) {
  const ms_rpcmap_t *m = &w->map_;
  *out = (ms_queue_totals_t){0};
  for (size_t k = m->first[rec]; k < m->first[rec] + m->count[rec]; k++) {
    const ms_rpc_switch_t *sw = ms_sunrpc_switch(&w->rpc_, m->ids[k]);
    if (sw == NULL)
      continue;
    uint64_t waiting = 0, tasks = 0;
    bool closed = false;
    for (size_t j = sw->first; j < sw->first + sw->count; j++) {
      const ms_rpc_queues_t *q = &w->rpc_.xprts[j].q;
      if (!q->connected) {
        closed = true;
        continue;
      }
      waiting += (uint64_t)q->binding + q->sending + q->pending + q->backlog;
      tasks += q->tasks;
      out->pending += q->pending;
      out->connected++;
    }
    if (closed && sw->queue_len > tasks)
      waiting += sw->queue_len - tasks;
    out->waiting += (double)waiting;
    out->queued += (double)sw->queue_len;
  }
  if (out->connected == 0)
    out->pending = NAN; /* no transport prints its queues */
}

static enum ms_rpc_route route_of(const ms_waiting_t *w, size_t rec) {
  return w->valid_ ? (enum ms_rpc_route)w->map_.route[rec] : MS_ROUTE_NONE;
}

bool ms_waiting_of(const ms_waiting_t *w, const ms_snapshot_t *s,
                   const ms_plan_t *plan, size_t rec, ms_stall_input_t *in,
                   ms_queue_totals_t *q, const ms_xprt_t **first) {
  const ms_mount_t *m = &s->mounts[rec];
  *first = NULL;
  for (size_t k = 0; k < m->xprt_count && *first == NULL; k++)
    if (s->xprts[m->xprt_first + k].kind != MS_XPRT_OTHER)
      *first = &s->xprts[m->xprt_first + k];
  uint64_t sends, recvs;
  if (*first == NULL ||
      !ms_stall_transport_counts(s, rec, (*first)->kind, &sends, &recvs))
    return false;
  enum ms_rpc_route route = route_of(w, rec);
  *in = (ms_stall_input_t){.recvs = recvs, .route = route};
  *q = (ms_queue_totals_t){0};
  if (route != MS_ROUTE_NONE) {
    queue_totals(w, rec, q);
    in->sysfs = true;
    in->waiting = q->waiting;
  } else {
    const struct ms_waiting_sums *sum = &w->sums_[plan->xprt_leader[rec]];
    in->x = ms_stall_x(sends, recvs, sum->retrans, sum->timeouts);
  }
  return true;
}

void ms_waiting_log_route(const ms_waiting_t *w, const ms_snapshot_t *s,
                          size_t rec, const ms_log_t *log) {
  const ms_rpcmap_t *m = &w->map_;
  enum ms_rpc_route route = route_of(w, rec);
  char mp[256];
  ms_log_path(mp, sizeof(mp), s->mounts[rec].mountpoint);
  if (route == MS_ROUTE_NONE) {
    ms_log(log, MS_LOG_INFO,
           MS_LOG_PREFIX "mount \"%s\": ReportStall estimates from mountstats "
                         "(%s).",
           mp,
           !w->read_            ? "SysfsRoot is \"\""
           : !w->rpc_.have_tree ? "no sunrpc sysfs tree: a kernel before "
                                  "5.14, or sysfs not mounted"
                                : "no transport in the sunrpc sysfs tree "
                                  "matches it");
    return;
  }
  ms_log(log, MS_LOG_INFO,
         MS_LOG_PREFIX
         "mount \"%s\": ReportStall reads the kernel's RPC queues "
         "(route: %s; switch-%u%s).",
         mp, ms_rpcmap_route_name(route), m->ids[m->first[rec]],
         m->ambiguous[rec] ? " and the other switches of its server address "
                             "(ambiguous)"
                           : "");
}

void ms_waiting_free(ms_waiting_t *w) {
  ms_sunrpc_free(&w->rpc_);
  ms_rpcmap_free(&w->map_);
  free(w->sums_);
  memset(w, 0, sizeof(*w));
}
