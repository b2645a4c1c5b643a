/* SPDX-License-Identifier: MIT
 *
 * xprt.h: the kernel's layouts of "xprt:" lines, in one place.
 *
 * Each transport prints its own fields (docs/MOUNTSTATS-FORMAT.md, section
 * 6): tcp, udp, local and rdma differ in where the bind count, the
 * connection counters, the send counters and the slot counters sit. The
 * parser (kind and minimum field count), the superblock grouping (source
 * port), nfsiostat's ops/s (sends) and the collector (one normalised set
 * of values per transport) all read the table here. No I/O, no collectd
 * header.
 */
#ifndef MOUNTSTATS_XPRT_H
#define MOUNTSTATS_XPRT_H

#include "mountstats.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the fields of one transport sit in ms_xprt_t.v[]; -1: not printed. */
typedef struct {
  const char *word;       /* the transport word: "tcp" */
  enum ms_xprt_kind kind; /* MS_XPRT_TCP */
  unsigned min_fields;    /* numbers in the oldest layout */
  int port;               /* source port */
  int bind;               /* bind_count */
  int conn;               /* connect_count, connect_time, idle_time */
  int sends;              /* sends, recvs, bad_xids, req_u, bklog_u */
  int slots;              /* max_slots, sending_u, pending_u (newer) */
} ms_xprt_layout_t;

/* The layout of kind; NULL for MS_XPRT_OTHER. */
const ms_xprt_layout_t *ms_xprt_layout(enum ms_xprt_kind kind);

/* The kind of a transport word of len bytes; *min_fields receives its
 * oldest layout's field count (0 for MS_XPRT_OTHER). */
enum ms_xprt_kind ms_xprt_kind_of(const char *word, size_t len,
                                  unsigned *min_fields);

/* The source port of an xprt line, where its layout has one (tcp and udp:
 * the first number); 0 otherwise. */
uint64_t ms_xprt_port(const ms_xprt_t *x);

/* Sets *sends to the requests sent on x. Returns false (and *sends 0) for
 * an unknown transport or a line too short to hold the field. */
bool ms_xprt_sends(const ms_xprt_t *x, uint64_t *sends);

/* Transport counters normalised so every transport fills the same types. */
typedef struct {
  uint64_t common[6]; /* bind_count sends recvs bad_xids req_u bklog_u */
  bool have_conn, have_slots, have_rdma, have_rdma_mr;
  uint64_t connect_count, connect_time;
  int64_t idle_time;
  uint64_t max_slots, sending_u, pending_u;
  uint64_t rdma[17]; /* rdma fields 11..27 */
} ms_xprt_values_t;

/* Fills *out from x. Returns 0, or -EINVAL for an unknown transport (out is
 * then untouched). */
int ms_xprt_normalise(const ms_xprt_t *x, ms_xprt_values_t *out);

/* Adds b into a: counters summed, max_slots the largest, idle_time the
 * smallest (the most recently used connection); a part is kept only when
 * both have it. */
void ms_xprt_add(ms_xprt_values_t *a, const ms_xprt_values_t *b);

#endif
