/* SPDX-License-Identifier: MIT
 *
 * stall.h: is the server answering? ReportStall's estimate, per reported
 * mount, of the requests its transports sent that have no answer yet, and of
 * how long they have waited.
 *
 * Why it is computed here: while a server is dead, mountstats moves almost
 * nothing. Per-op counters count completed RPCs only, recvs stands still,
 * and sends moves only when a request is sent again (after timeo, 60 s by
 * default over TCP). What grows is idle_time, the seconds since an RPC last
 * completed on the transport, and it grows on an idle, healthy mount too.
 * The difference is a request waiting for its answer, which the kernel
 * never prints (debugfs aside); it shows as sends - recvs rising above the
 * level it has when nothing waits. That level has to be learned across
 * reads, which only the plugin can do.
 *
 * The estimate: X = (sends - recvs) - sum over the mount's operations of
 * (trans - ops) - sum of major timeouts. A completed RPC adds as much to
 * sends as to recvs + (trans - ops), a request still waiting adds its
 * transmissions to sends only, a soft RPC that gave up adds one major
 * timeout in place of its answer. So X is 0 when nothing waits, and
 * "unanswered" is X minus its level: 0 at first, lower when X goes lower.
 * While unanswered is above 0, "stalled" is idle_time, otherwise 0: a busy
 * mount completes RPCs all the time, so its requests on the wire never
 * make it stall.
 *
 * What the kernel does not let the estimate see raises X for good: a request
 * abandoned with no answer and no major timeout (its process killed), a
 * transmission on the transport that no operation line of this mount counts
 * (another superblock's retransmission, an NFSv4.1 callback reply). X is
 * then taken as the new level once it has not risen, and the mount has not
 * reconnected, for twice the time a waiting request takes to be sent again
 * (timeo x (retrans + 1) from the mount's options): a request that really
 * waits is sent again, and raises X, before that. The same holds at the
 * first read of a mount whose idle_time is already that long. No I/O, no
 * collectd header.
 */
#ifndef MOUNTSTATS_STALL_H
#define MOUNTSTATS_STALL_H

#include "mountstats.h"

#include <stddef.h>
#include <stdint.h>

/* What one read says of one mount's transports of one kind. */
typedef struct {
  uint64_t sends, recvs, connect_count; /* summed over the connections */
  int64_t idle_time;    /* the smallest: seconds since an RPC completed */
  uint64_t op_retrans;  /* sum of trans - ops where trans > ops */
  uint64_t op_timeouts; /* sum of major timeouts */
  double resend_s;      /* timeo x (retrans + 1), seconds */
} ms_stall_input_t;

typedef struct {
  double unanswered; /* requests sent with no answer yet (an estimate) */
  double stalled;    /* seconds since an RPC last completed while requests
                        wait; 0 when none waits */
} ms_stall_t;

/* The state of every reported mount. Zero-initialise; free with
 * ms_stall_free(). */
typedef struct {
  struct ms_stall_entry *prev_, *cur_; /* prev_ sorted by key */
  size_t nprev_, ncur_, prev_cap_, cur_cap_;
} ms_stall_table_t;

/* Fills *in from record rec of snap, for the transports of kind (the kind of
 * the mount's first known transport). Returns false when the mount has no
 * transport of that kind that prints idle_time (udp does not). */
bool ms_stall_input(const ms_snapshot_t *snap, size_t rec,
                    enum ms_xprt_kind kind, ms_stall_input_t *in);

/* Updates the state of the mount keyed key with in, read at now (seconds),
 * and sets *out. Returns 0, or -ENOMEM (the mount's state is then lost and
 * learned again from the next read; *out is still set). */
int ms_stall_update(ms_stall_table_t *t, uint64_t key, double now,
                    const ms_stall_input_t *in, ms_stall_t *out);

/* Ends an interval: mounts not updated in it are forgotten. */
void ms_stall_end(ms_stall_table_t *t);

void ms_stall_free(ms_stall_table_t *t);

#endif
