/* SPDX-License-Identifier: MIT
 *
 * rpcmap.h: which sunrpc switches (sunrpc.h) carry each mount's RPCs, by the
 * most exact route the kernel offers:
 *
 *  1. superblock links (6.x): /sys/fs/nfs/MAJOR:MINOR links the superblock
 *     (its device number, from mountinfo) to its RPC clients, and each
 *     client links to its switch. Exact, also for trunked and shared
 *     transports.
 *  2. source port: a mountstats xprt line whose local port is not 0 (NFSv3
 *     and v4.0 bind a reserved port) is the transport whose xprt_info has
 *     that src_port (and the mount's server address, when known).
 *  3. server address: the switches with a transport of the mount's kind
 *     ("tcp") to the mount's server address (mountinfo's addr=, which names
 *     the transport's peer also for a trunked mount, or a numeric device)
 *     and its port (port= if given; 2049 for NFSv4; any but 0 for v3, which
 *     leaves out the server's own callback clients). NFSv4.1+ prints port 0
 *     on 6.1, which has no links either, so this is its route there. Two
 *     minor versions mounted from one server use two switches that nothing
 *     tells apart; the mount is then given both ("ambiguous").
 *
 * A mount no route maps keeps the estimate (stall.h). An RPC client's own
 * links (6.1's rpc-clients/clnt-K holds nothing but its switch) name no
 * superblock, so there is no route between 1 and 2. No I/O, no collectd
 * header.
 */
#ifndef MOUNTSTATS_RPCMAP_H
#define MOUNTSTATS_RPCMAP_H

#include "mountstats.h"
#include "sunrpc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ms_rpc_route {
  MS_ROUTE_NONE = 0,
  MS_ROUTE_SB_LINKS,
  MS_ROUTE_SRC_PORT,
  MS_ROUTE_ADDRESS,
};

/* Zero-initialise; free with ms_rpcmap_free(). Per record of the snapshot
 * it was built for. */
typedef struct {
  unsigned char *route;  /* enum ms_rpc_route */
  bool *ambiguous;       /* route 3 found more than one switch */
  size_t *first, *count; /* the record's switch ids: ids[first..first+count) */
  uint32_t *ids;
  size_t nids;
  size_t nrecords;
  size_t unmapped; /* wanted records with no route */
  size_t rec_cap_, ids_cap_;
} ms_rpcmap_t;

/* What the map needs of each record, beside the snapshot. */
typedef struct {
  const unsigned char *want; /* map record i only when want[i] */
  const uint64_t *dev; /* device numbers from mountinfo (0: unknown), or NULL */
  const char (*addr)[MS_SUNRPC_ADDR_MAX]; /* server address, "" unknown */
} ms_rpcmap_input_t;

/* Maps the wanted records of snap onto t's switches and marks every switch
 * a record maps to as used (the others unused). Returns 0 or -ENOMEM. */
int ms_rpcmap_build(ms_rpcmap_t *m, const ms_snapshot_t *snap,
                    const ms_rpcmap_input_t *in, ms_sunrpc_t *t);

/* The route's name for the log: "superblock links", "source port", "server
 * address". */
const char *ms_rpcmap_route_name(enum ms_rpc_route route);

/* The server address of a mount, from its mountinfo super options (addr=)
 * or else its device ("192.0.2.1:/export", "[2001:db8::1]:/export") when
 * that is a numeric address; "" when neither says. */
void ms_rpcmap_server_addr(ms_span_t superopts, ms_span_t device,
                           char out[MS_SUNRPC_ADDR_MAX]);

void ms_rpcmap_free(ms_rpcmap_t *m);

#endif
