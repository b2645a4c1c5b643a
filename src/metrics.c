/* SPDX-License-Identifier: MIT
 *
 * metrics.c: see metrics.h for the contract.
 */
#include "metrics.h"

#include "mountstats.h"

#include <math.h>
#include <string.h>

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

/* The 27 event counters come in five groups, the 17 RDMA counters in three. */
const ms_metric_type_t ms_metric_types[MS_TYPES_NUM] = {
    [MS_TYPE_NFS_OP] = {"nfs_op", op_ds, N(op_ds), NULL, false, false},
    [MS_TYPE_NFS_OP_ERRORS] = {"nfs_op_errors", value_ds, 1, NULL, false,
                               false},
    /* inode_revalidate .. attr_invalidate */
    [MS_TYPE_NFS_EVENTS_CACHE] = {"nfs_events_cache", ms_event_names + 0, 4,
                                  NULL, false, false},
    /* vfs_open .. vfs_write_pages */
    [MS_TYPE_NFS_EVENTS_VFS] = {"nfs_events_vfs", ms_event_names + 4, 8, NULL,
                                false, false},
    /* vfs_getdents .. vfs_release */
    [MS_TYPE_NFS_EVENTS_FILE] = {"nfs_events_file", ms_event_names + 12, 6,
                                 NULL, false, false},
    /* congestion_wait .. delay */
    [MS_TYPE_NFS_EVENTS_IO] = {"nfs_events_io", ms_event_names + 18, 7, NULL,
                               false, false},
    /* pnfs_read, pnfs_write: 2.6.39+ */
    [MS_TYPE_NFS_EVENTS_PNFS] = {"nfs_events_pnfs", ms_event_names + 25, 2,
                                 NULL, false, false},
    [MS_TYPE_NFS_BYTES] = {"nfs_bytes", ms_bytes_names, MS_BYTES_COUNT, NULL,
                           false, false},
    [MS_TYPE_NFS_FSCACHE] = {"nfs_fscache", fscache_ds, N(fscache_ds), NULL,
                             false, false},
    [MS_TYPE_NFS_XPRT] = {"nfs_xprt", xprt_ds, N(xprt_ds), NULL, false, false},
    [MS_TYPE_NFS_XPRT_CONN] = {"nfs_xprt_conn", conn_ds, N(conn_ds), conn_gauge,
                               false, false},
    [MS_TYPE_NFS_XPRT_SLOTS] = {"nfs_xprt_slots", slots_ds, N(slots_ds),
                                slots_gauge, false, false},
    [MS_TYPE_NFS_XPRT_RDMA] = {"nfs_xprt_rdma", rdma_ds + 0, 5, NULL, false,
                               false},
    [MS_TYPE_NFS_XPRT_RDMA_COPY] = {"nfs_xprt_rdma_copy", rdma_ds + 5, 5, NULL,
                                    false, false},
    [MS_TYPE_NFS_XPRT_RDMA_MR] = {"nfs_xprt_rdma_mr", rdma_ds + 10, 7, NULL,
                                  false, false},
    [MS_TYPE_NFS_OP_AVG] = {"nfs_op_avg", op_avg_ds, N(op_avg_ds), NULL, true,
                            false},
    [MS_TYPE_NFS_IOSTAT] = {"nfs_iostat", iostat_ds, N(iostat_ds), NULL, true,
                            false},
    [MS_TYPE_NFS_XPRT_STALL] = {"nfs_xprt_stall", stall_ds, N(stall_ds), NULL,
                                true, false},
    [MS_TYPE_NFS_XPRT_QUEUE] = {"nfs_xprt_queue", queue_ds, N(queue_ds), NULL,
                                true, false},
    [MS_TYPE_UPTIME] = {"uptime", value_ds, 1, NULL, true, true},
    [MS_TYPE_COUNT] = {"count", value_ds, 1, NULL, true, true},
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
