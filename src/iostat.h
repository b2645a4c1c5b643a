/* SPDX-License-Identifier: MIT
 *
 * iostat.h: nfsiostat's view, computed from two reads: per operation the
 * average queue, RTT and execution time and the kB per operation over the
 * interval, and per mount the read and write rates.
 *
 * Why in the plugin: collectd's threshold plugin can only alert on values it
 * receives, and averages over an interval need the previous read, which only
 * the plugin has. The averages are of one mount over one interval: fleet-wide
 * averages must come from summed counters (docs/integrations.md, ReportIostat).
 *
 * A sample is never compared with one of another superblock or an earlier
 * life of the same mount: a remount (age drops, or any counter goes
 * backwards), an age that advanced more than the wall clock, or another key
 * (name, device, superblock) gives no value for that interval and a fresh
 * baseline. No I/O, no collectd header.
 */
#ifndef MOUNTSTATS_IOSTAT_H
#define MOUNTSTATS_IOSTAT_H

#include "keytab.h"
#include "mountstats.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Averages of one operation over one interval. */
typedef struct {
  double queue_ms;    /* average time queued before transmission, per op */
  double rtt_ms;      /* average round-trip time, per op */
  double exec_ms;     /* average time from start to completion, per op */
  double kb_sent;     /* kB (1024 bytes) sent per op, RPC headers included */
  double kb_recv;     /* kB received per op */
  double retrans_pct; /* retransmissions (trans - ops) per op, in percent */
  double timeouts;    /* major timeouts per second */
} ms_op_avg_t;

/* nfsiostat's per-mount lines, per second over one interval. kB counts
 * request and reply bytes of READ and WRITE, as nfsiostat does. */
typedef struct {
  double ops;       /* RPC requests sent (xprt sends) per second */
  double read_ops;  /* READ operations per second */
  double read_kb;   /* kB per second of READ operations */
  double write_ops; /* WRITE operations per second */
  double write_kb;  /* kB per second of WRITE operations */
  bool have_ops;    /* false when the mount has no xprt line */
} ms_mount_rate_t;

/* The previous sample of one mount. */
typedef struct {
  uint64_t key;
  uint64_t age;
  double time;
  unsigned generation_; /* the interval it was last seen in */
  uint64_t sends;
  size_t nops;
  size_t ops_cap_;
  struct ms_iostat_op *ops_;
} ms_iostat_entry_t;

/* Previous samples of every reported mount. Zero-initialise; free with
 * ms_iostat_free(). */
typedef struct {
  ms_keytab_t samples; /* of ms_iostat_entry_t */
  unsigned generation_;
} ms_iostat_table_t;

/* Outcome of ms_iostat_update(). */
enum ms_iostat_status {
  MS_IOSTAT_VALUES = 0, /* averages computed */
  MS_IOSTAT_BASELINE,   /* first sample of this key: nothing to compare */
  MS_IOSTAT_RESET,      /* remount or another superblock: fresh baseline */
};

/* Starts an interval. */
void ms_iostat_begin(ms_iostat_table_t *t);

/* Compares record rec of snap with the previous sample stored under key,
 * taken at time now (seconds), and stores rec as the new sample.
 * On MS_IOSTAT_VALUES, op_out[k] (one per op of the record, op_out must have
 * room for its op_count entries) holds the averages of op k and
 * op_has[k] is 1, or 0 when the op's count did not move (no value: an
 * average of nothing is not 0); *rate holds the mount's rates.
 * Returns an ms_iostat_status, or -ENOMEM (the previous sample is dropped). */
int ms_iostat_update(ms_iostat_table_t *t, uint64_t key, double now,
                     const ms_snapshot_t *snap, size_t rec, ms_op_avg_t *op_out,
                     unsigned char *op_has, ms_mount_rate_t *rate);

/* Ends an interval: frees the samples of mounts not seen in it. */
void ms_iostat_end(ms_iostat_table_t *t);

void ms_iostat_free(ms_iostat_table_t *t);

#endif
