/* SPDX-License-Identifier: MIT
 *
 * stall.h: is the server answering? ReportStall's per-mount alert values,
 * kept across reads.
 *
 *   waiting      requests of the mount's transports waiting for the server
 *   since_reply  seconds since a read last saw the transports' recvs rise
 *                (a reply arrived); 0 at the first read of a mount
 *   stalled      while waiting > 0: the seconds it has been above 0 at every
 *                read, but at most since_reply; else 0
 *
 * stalled is what the alert watches: requests wait and no reply has come
 * for that long. A busy mount receives replies all the time, so its
 * requests on the wire never make it stall; an idle mount has nothing
 * waiting; a request that is merely slow shows for less than an interval.
 *
 * Where waiting comes from (the "source", the type instance):
 * - "sysfs": the kernel's own queues (sunrpc.h), counted by the caller from
 *   the switches that carry the mount (rpcmap.h). Exact, no baseline, valid
 *   while the transport is disconnected.
 * - "estimate", where the kernel prints no queue (before 5.14, or a mount
 *   that could not be mapped): the transmissions that have no reply, from
 *   mountstats alone. X = (sends - recvs) - sum of (trans - ops) - sum of
 *   major timeouts, the sums over the mounts that share the transport. A
 *   completed RPC adds as much to both sides, a soft RPC that gave up adds
 *   one timeout in place of its reply, a request still waiting adds its
 *   transmissions to sends only. X also rises for good when a waiter is
 *   killed or the client sends an NFSv4.1 callback reply (a send that gets no
 *   reply), so only X above a level counts, and the level is learned again at
 *   every read that saw replies arrive (the server answers: whatever is on
 *   the wire then is not a stall) and follows X down. It starts at X, so a
 *   restart never re-arms an alarm. What it cannot see: a request sent
 *   before the last reply that never gets one (until the client sends again:
 *   a retransmission, a lease renewal, another request), and a server that is
 *   already dead when the plugin starts.
 *
 * No I/O, no collectd header.
 */
#ifndef MOUNTSTATS_STALL_H
#define MOUNTSTATS_STALL_H

#include "keytab.h"
#include "mountstats.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one read says of one mount. */
typedef struct {
  uint64_t recvs; /* summed over the mount's transports */
  bool sysfs;     /* waiting is the kernel's; else x is the estimate's */
  double waiting; /* sysfs: requests waiting for the server */
  int64_t x;      /* estimate: X, see above */
  unsigned route; /* the caller's note of how waiting was found */
} ms_stall_input_t;

typedef struct {
  double waiting, since_reply, stalled;
  bool route_changed; /* first read of the mount, or another route */
} ms_stall_t;

/* The state of every reported mount. Zero-initialise; free with
 * ms_stall_free(). */
typedef struct {
  ms_keytab_t prev_; /* the last interval's, in update order until sorted */
  ms_keytab_t cur_;  /* this interval's, in update order */
} ms_stall_table_t;

/* Sends and recvs summed over record rec's transports of kind. Returns
 * false when it has none that prints them. */
bool ms_stall_transport_counts(const ms_snapshot_t *snap, size_t rec,
                               enum ms_xprt_kind kind, uint64_t *sends,
                               uint64_t *recvs);

/* Adds record rec's retransmissions (trans - ops where trans > ops) and
 * major timeouts, over its operations, to *retrans and *timeouts. */
void ms_stall_op_counts(const ms_snapshot_t *snap, size_t rec,
                        uint64_t *retrans, uint64_t *timeouts);

/* X from the counts above: differences of counters that wrap as the
 * kernel's do. */
int64_t ms_stall_x(uint64_t sends, uint64_t recvs, uint64_t retrans,
                   uint64_t timeouts);

/* Updates the state of the mount keyed key with in, read at now (seconds),
 * and sets *out. Returns 0, or -ENOMEM (the mount's state is then lost and
 * learned again from the next read; *out is still set). */
int ms_stall_update(ms_stall_table_t *t, uint64_t key, double now,
                    const ms_stall_input_t *in, ms_stall_t *out);

/* Ends an interval: mounts not updated in it are forgotten. */
void ms_stall_end(ms_stall_table_t *t);

void ms_stall_free(ms_stall_table_t *t);

#endif
