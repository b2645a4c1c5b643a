/* SPDX-License-Identifier: MIT
 *
 * metrics.c: see metrics.h for the contract.
 */
#include "metrics.h"

#include <math.h>
#include <string.h>

const char *const ms_event_names[MS_EVENTS_NAMED] = {
    "inode_revalidate",
    "dentry_revalidate",
    "data_invalidate",
    "attr_invalidate",
    "vfs_open",
    "vfs_lookup",
    "vfs_access",
    "vfs_update_page",
    "vfs_read_page",
    "vfs_read_pages",
    "vfs_write_page",
    "vfs_write_pages",
    "vfs_getdents",
    "vfs_setattr",
    "vfs_flush",
    "vfs_fsync",
    "vfs_lock",
    "vfs_release",
    "congestion_wait",
    "setattr_trunc",
    "extend_write",
    "silly_rename",
    "short_read",
    "short_write",
    "delay",
    "pnfs_read",
    "pnfs_write",
};

const char *const ms_bytes_names[MS_BYTES_COUNT] = {
    "normal_read", "normal_write", "direct_read", "direct_write",
    "server_read", "server_write", "read_pages",  "write_pages",
};

const char *ms_event_name(unsigned i) {
  return i < MS_EVENTS_NAMED ? ms_event_names[i] : NULL;
}

const char *ms_bytes_name(unsigned i) {
  return i < MS_BYTES_COUNT ? ms_bytes_names[i] : NULL;
}

static const char *const op_ds[] = {"ops",        "trans",      "timeouts",
                                    "bytes_sent", "bytes_recv", "queue_ms",
                                    "rtt_ms",     "exec_ms"};
static const char *const value_ds[] = {"value"};
static const char *const xprt_ds[] = {"bind_count", "sends", "recvs",
                                      "bad_xids",   "req_u", "bklog_u"};
static const char *const conn_ds[] = {"connect_count", "connect_time",
                                      "idle_time"};
static const unsigned char conn_gauge[] = {0, 0, 1};
static const char *const slots_ds[] = {"max_slots", "sending_u", "pending_u"};
static const unsigned char slots_gauge[] = {1, 0, 0};
static const char *const fscache_ds[] = {
    "pages_read_ok", "pages_read_fail", "pages_written_ok",
    "pages_written_fail", "pages_uncached"};
/* RDMA fields 11-27 in print order, in three types of at most 8. */
static const char *const rdma_ds[] = {
    "read_chunks",     "write_chunks",  "reply_chunks",     "rdma_request",
    "rdma_reply",      "pullup_copy",   "fixup_copy",       "hardway_register",
    "failed_marshal",  "bad_reply",     "nomsg_call",       "mrs_recycled",
    "mrs_orphaned",    "mrs_allocated", "local_inv_needed", "empty_sendctx_q",
    "reply_waits_send"};
static const char *const op_avg_ds[] = {"queue_ms", "rtt_ms",  "exec_ms",
                                        "kb_sent",  "kb_recv", "retrans_pct",
                                        "timeouts"};
static const char *const stall_ds[] = {"waiting", "since_reply", "stalled"};
static const char *const queue_ds[] = {"queued", "pending", "connected"};
static const char *const iostat_ds[] = {"ops", "read_ops", "read_kb",
                                        "write_ops", "write_kb"};

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* A type of n counters of one of the kernel's lines, from its counter
 * first on: named after them (events:, the RDMA fields of xprt:). */
#define EVENTS(type, first, n)                                                 \
  { type, ms_event_names + (first), n, NULL, false, false, first }
#define RDMA(type, first, n)                                                   \
  { type, rdma_ds + (first), n, NULL, false, false, first }

/* The 27 event counters come in five groups, the 17 RDMA counters in three. */
const ms_metric_type_t ms_metric_types[MS_TYPES_NUM] = {
    [MS_TYPE_NFS_OP] = {"nfs_op", op_ds, N(op_ds), NULL, false, false,
                        MS_OP_OPS},
    [MS_TYPE_NFS_OP_ERRORS] = {"nfs_op_errors", value_ds, 1, NULL, false, false,
                               MS_OP_ERRORS},
    /* inode_revalidate .. attr_invalidate */
    [MS_TYPE_NFS_EVENTS_CACHE] = EVENTS("nfs_events_cache", 0, 4),
    /* vfs_open .. vfs_write_pages */
    [MS_TYPE_NFS_EVENTS_VFS] = EVENTS("nfs_events_vfs", 4, 8),
    /* vfs_getdents .. vfs_release */
    [MS_TYPE_NFS_EVENTS_FILE] = EVENTS("nfs_events_file", 12, 6),
    /* congestion_wait .. delay */
    [MS_TYPE_NFS_EVENTS_IO] = EVENTS("nfs_events_io", 18, 7),
    /* pnfs_read, pnfs_write: 2.6.39+ */
    [MS_TYPE_NFS_EVENTS_PNFS] = EVENTS("nfs_events_pnfs", 25, 2),
    [MS_TYPE_NFS_BYTES] = {"nfs_bytes", ms_bytes_names, MS_BYTES_COUNT, NULL,
                           false, false, 0},
    [MS_TYPE_NFS_FSCACHE] = {"nfs_fscache", fscache_ds, N(fscache_ds), NULL,
                             false, false, 0},
    [MS_TYPE_NFS_XPRT] = {"nfs_xprt", xprt_ds, N(xprt_ds), NULL, false, false,
                          0},
    [MS_TYPE_NFS_XPRT_CONN] = {"nfs_xprt_conn", conn_ds, N(conn_ds), conn_gauge,
                               false, false, 0},
    [MS_TYPE_NFS_XPRT_SLOTS] = {"nfs_xprt_slots", slots_ds, N(slots_ds),
                                slots_gauge, false, false, 0},
    [MS_TYPE_NFS_XPRT_RDMA] = RDMA("nfs_xprt_rdma", 0, 5),
    [MS_TYPE_NFS_XPRT_RDMA_COPY] = RDMA("nfs_xprt_rdma_copy", 5, 5),
    [MS_TYPE_NFS_XPRT_RDMA_MR] = RDMA("nfs_xprt_rdma_mr", 10, 7),
    [MS_TYPE_NFS_OP_AVG] = {"nfs_op_avg", op_avg_ds, N(op_avg_ds), NULL, true,
                            false, 0},
    [MS_TYPE_NFS_IOSTAT] = {"nfs_iostat", iostat_ds, N(iostat_ds), NULL, true,
                            false, 0},
    [MS_TYPE_NFS_XPRT_STALL] = {"nfs_xprt_stall", stall_ds, N(stall_ds), NULL,
                                true, false, 0},
    [MS_TYPE_NFS_XPRT_QUEUE] = {"nfs_xprt_queue", queue_ds, N(queue_ds), NULL,
                                true, false, 0},
    [MS_TYPE_UPTIME] = {"uptime", value_ds, 1, NULL, true, true, 0},
    [MS_TYPE_COUNT] = {"count", value_ds, 1, NULL, true, true, 0},
};

bool ms_metric_is_gauge(const ms_metric_type_t *t, size_t i) {
  return t->all_gauge || (t->gauge != NULL && t->gauge[i]);
}

double ms_metric_min(const ms_metric_type_t *t, size_t i) {
  return ms_metric_is_gauge(t, i) && strcmp(t->ds_names[i], "idle_time") == 0
             ? NAN
             : 0.0;
}

const ms_metric_type_t *ms_metric_find(const char *name) {
  for (size_t i = 0; i < MS_TYPES_NUM; i++)
    if (strcmp(ms_metric_types[i].name, name) == 0)
      return &ms_metric_types[i];
  return NULL;
}
