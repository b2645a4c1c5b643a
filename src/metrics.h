/* SPDX-License-Identifier: MIT
 *
 * metrics.h: the metric contract as data. Every type the collector emits,
 * with its data sources in order, DERIVE or GAUGE, and their minimum; and
 * the kernel's names of the counters whose names the contract uses.
 *
 * The plugin registers the types that are not stock from this table (so
 * LoadPlugin alone works with the stock types.db), plugin/mountstats.types.db
 * holds the same lines (tests/check_config.c compares them), and the dry-run
 * tool prints its JSON from it. Every type has at most 8 data sources:
 * write_graphite formats a value list in a 1428-byte buffer and drops it
 * whole when it does not fit; rrdtool allows data source names of 19
 * characters at most. No I/O, no collectd header.
 */
#ifndef MOUNTSTATS_METRICS_H
#define MOUNTSTATS_METRICS_H

#include "mountstats.h" /* MS_EVENTS_NAMED, MS_BYTES_COUNT */

#include <stdbool.h>
#include <stddef.h>

#define MS_PLUGIN_NAME "mountstats"
/* Most data sources of any type (the 9 per-op counters, sent as 8 + 1). */
#define MS_METRIC_DS_MAX 9

typedef struct {
  const char *name;            /* collectd type: "nfs_op" */
  const char *const *ds_names; /* ds_num data source names */
  size_t ds_num;
  const unsigned char *gauge; /* per data source: 1 GAUGE; NULL: see below */
  bool all_gauge;             /* every data source a GAUGE */
  bool stock;                 /* in collectd's types.db: not registered */
  unsigned first; /* a type of consecutive counters of one kernel line: the
                     first it takes (in events[], an op's v[], the RDMA
                     fields of xprt:); else 0 */
} ms_metric_type_t;

/* Indexes into ms_metric_types[]. */
enum ms_metric_type_id {
  MS_TYPE_NFS_OP = 0,
  MS_TYPE_NFS_OP_ERRORS,
  MS_TYPE_NFS_EVENTS_CACHE,
  MS_TYPE_NFS_EVENTS_VFS,
  MS_TYPE_NFS_EVENTS_FILE,
  MS_TYPE_NFS_EVENTS_IO,
  MS_TYPE_NFS_EVENTS_PNFS,
  MS_TYPE_NFS_BYTES,
  MS_TYPE_NFS_FSCACHE,
  MS_TYPE_NFS_XPRT,
  MS_TYPE_NFS_XPRT_CONN,
  MS_TYPE_NFS_XPRT_SLOTS,
  MS_TYPE_NFS_XPRT_RDMA,
  MS_TYPE_NFS_XPRT_RDMA_COPY,
  MS_TYPE_NFS_XPRT_RDMA_MR,
  MS_TYPE_NFS_OP_AVG,
  MS_TYPE_NFS_IOSTAT,
  MS_TYPE_NFS_XPRT_STALL,
  MS_TYPE_NFS_XPRT_QUEUE,
  MS_TYPE_UPTIME, /* stock: "age" */
  MS_TYPE_COUNT,  /* stock: "transports" */
  MS_TYPES_NUM
};

/* The event types, in the order of the kernel's events: line. */
#define MS_TYPE_EVENTS_FIRST MS_TYPE_NFS_EVENTS_CACHE
#define MS_TYPE_EVENTS_LAST MS_TYPE_NFS_EVENTS_PNFS

/* The table, in the order of plugin/mountstats.types.db; the stock types
 * come last. */
extern const ms_metric_type_t ms_metric_types[MS_TYPES_NUM];

/* True when data source i of t is a GAUGE (otherwise a DERIVE). */
bool ms_metric_is_gauge(const ms_metric_type_t *t, size_t i);

/* The minimum of data source i of t: 0, or NAN (no minimum: idle_time). */
double ms_metric_min(const ms_metric_type_t *t, size_t i);

/* The type called name; NULL when the contract has none. */
const ms_metric_type_t *ms_metric_find(const char *name);

/* The kernel's names of the event counters, in print order. */
extern const char *const ms_event_names[MS_EVENTS_NAMED];

/* Names of the bytes: counters, in print order. */
extern const char *const ms_bytes_names[MS_BYTES_COUNT];

/* The kernel's name for event counter i (0..26), e.g. "inode_revalidate";
 * NULL for i >= MS_EVENTS_NAMED. */
const char *ms_event_name(unsigned i);

/* Names of the bytes: counters, e.g. "normal_read" (i < MS_BYTES_COUNT). */
const char *ms_bytes_name(unsigned i);

#endif
