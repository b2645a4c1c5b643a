/* SPDX-License-Identifier: MIT
 *
 * waiting.h: ReportStall's input, per reported mount: what it has waiting
 * for its server. From the kernel's own RPC queues (sunrpc.h) of the
 * switches that carry the mount (rpcmap.h) where the sysfs tree maps it,
 * else the estimate's sums over the mounts that share its transport
 * (stall.h says what both mean). The sysfs layout is read again only when
 * the reported records changed, a read failed, or a mount found no
 * transport a while ago; otherwise only the switches in use are refreshed.
 * Reads sysfs only through the caller's ms_fs_t; no collectd header.
 */
#ifndef MOUNTSTATS_WAITING_H
#define MOUNTSTATS_WAITING_H

#include "fs.h"
#include "log.h"
#include "mountstats.h"
#include "plan.h"
#include "rpcmap.h"
#include "stall.h"
#include "sunrpc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel's queues of the switches that carry one mount. */
typedef struct {
  double waiting;   /* tasks waiting for the server */
  double queued;    /* tasks on the switches (nfs_xprt_queue) */
  double pending;   /* waiting for a reply; NaN while none is connected */
  double connected; /* transports connected */
} ms_queue_totals_t;

/* Zero-initialise; free with ms_waiting_free(). */
typedef struct {
  ms_sunrpc_t rpc_;
  ms_rpcmap_t map_;
  bool valid_;     /* rpc_ and map_ are of the reported records */
  bool read_;      /* this interval had a sysfs to read */
  double scanned_; /* when the tree was last scanned */
  /* the estimate's sums, per record that leads a transport */
  struct ms_waiting_sums {
    uint64_t retrans, timeouts;
  } * sums_;
  size_t cap_;
} ms_waiting_t;

/* Before an interval's records: reads the kernel's queues through fs (NULL:
 * none, every mount gets the estimate) for the plan's reported records of
 * snap, and sums the estimate's counts where a mount has no queues.
 * Returns 0 or -ENOMEM. */
int ms_waiting_prepare(ms_waiting_t *w, const ms_snapshot_t *snap,
                       const ms_plan_t *plan, const ms_fs_t *fs, double now);

/* ReportStall's input of reported record rec: its first transport of a
 * known kind (*first), the sends and recvs of its transports of that kind,
 * and either the kernel's queues (in->sysfs, *q) or the estimate's X.
 * Returns false when the mount has no such transport: no stall values. */
bool ms_waiting_of(const ms_waiting_t *w, const ms_snapshot_t *snap,
                   const ms_plan_t *plan, size_t rec, ms_stall_input_t *in,
                   ms_queue_totals_t *q, const ms_xprt_t **first);

/* Says, with INFO on log, where record rec's ReportStall values come from:
 * the route to its switches, or why it gets the estimate. */
void ms_waiting_log_route(const ms_waiting_t *w, const ms_snapshot_t *snap,
                          size_t rec, const ms_log_t *log);

void ms_waiting_free(ms_waiting_t *w);

#endif
