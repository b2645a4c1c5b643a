/* SPDX-License-Identifier: MIT
 *
 * sunrpc.h: the kernel's own RPC queues, from the sunrpc sysfs tree (5.14
 * and later) and the NFS superblock links (6.x), read through the caller's
 * ms_fs_t (fs.h). ReportStall uses them where the kernel prints them: they
 * need no baseline, stay valid while a transport is disconnected, and are
 * world-readable. See docs/MOUNTSTATS-FORMAT.md, "sunrpc sysfs".
 *
 * What is read, relative to the root ("/sys"):
 *   kernel/sunrpc/xprt-switches/switch-N/xprt_switch_info
 *       num_xprts=, num_active=, num_unique_destaddr=, queue_len=
 *       (queue_len: RPC tasks of the switch's clients that hold one of its
 *       transports, counted also while the transport is closed)
 *   kernel/sunrpc/xprt-switches/switch-N/xprt-M-PROTO/xprt_info
 *       "<closed>" while the transport is not connected, else one
 *       "name=value" a line: binding_q_len, sending_q_len, pending_q_len,
 *       backlog_q_len, tasks_queuelen, src_port, dst_port, ...
 *   kernel/sunrpc/xprt-switches/switch-N/xprt-M-PROTO/xprt_state
 *       "state=" and flag words: CONNECTED, CONNECTING, BOUND, CLOSE_WAIT,
 *       ... ("state=CLOSED" for a transport never connected)
 *   kernel/sunrpc/xprt-switches/switch-N/xprt-M-PROTO/dstaddr
 *       the server's address ("127.0.0.1", or a socket path for "local")
 *   kernel/sunrpc/rpc-clients/clnt-K/switch
 *       a link "../../xprt-switches/switch-N"
 *   fs/nfs/MAJOR:MINOR/{nfs_client,nfs_state_client,nfsacl_client}
 *       links "../../../kernel/sunrpc/rpc-clients/clnt-K" (6.x; 6.1 has none)
 *
 * The layout (switches, transports, addresses, links) is read by
 * ms_sunrpc_scan(), when the mount set changes; each interval
 * ms_sunrpc_refresh() reads again only the switches marked used: their
 * xprt_switch_info and each transport's xprt_state, and xprt_info only of a
 * switch that has tasks (an idle switch's queues are all 0). No collectd
 * header; no I/O of its own.
 */
#ifndef MOUNTSTATS_SUNRPC_H
#define MOUNTSTATS_SUNRPC_H

#include "fs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest address kept from dstaddr (an IPv6 address with scope fits). */
#define MS_SUNRPC_ADDR_MAX 64

/* The queues of one transport, from its xprt_info. */
typedef struct {
  bool connected; /* xprt_info printed its fields (not "<closed>") */
  uint32_t binding, sending, pending, backlog; /* tasks in each queue */
  uint32_t tasks;                              /* tasks_queuelen */
  uint32_t src_port, dst_port;                 /* 0: not printed */
} ms_rpc_queues_t;

typedef struct {
  uint32_t id;   /* M of xprt-M-PROTO */
  char proto[8]; /* PROTO: "tcp", "udp", "rdma", "local", ... */
  char dstaddr[MS_SUNRPC_ADDR_MAX];
  uint32_t dst_port, src_port; /* from the last xprt_info that had them */
  ms_rpc_queues_t q;
} ms_rpc_xprt_t;

typedef struct {
  uint32_t id;         /* N of switch-N */
  uint64_t queue_len;  /* from xprt_switch_info */
  size_t first, count; /* its transports: xprts[first .. first+count) */
  bool used;           /* refreshed each interval (set by the caller) */
} ms_rpc_switch_t;

/* Zero-initialise; free with ms_sunrpc_free(). Fields ending in _ are
 * sunrpc.c's. */
typedef struct {
  bool have_tree;            /* kernel/sunrpc/xprt-switches could be listed */
  bool have_sb_links;        /* fs/nfs held at least one superblock folder */
  ms_rpc_switch_t *switches; /* sorted by id */
  size_t nswitches;
  ms_rpc_xprt_t *xprts;
  size_t nxprts;
  struct ms_rpc_client *clients_; /* clnt id -> switch id, sorted */
  struct ms_rpc_sb *sbs_;         /* dev -> clnt ids, sorted */
  size_t nclients_, nsbs_, switches_cap_, xprts_cap_, clients_cap_, sbs_cap_;
} ms_sunrpc_t;

/* Parses xprt_switch_info text; sets *queue_len. Returns 0, or -EINVAL when
 * the text has no queue_len line. */
int ms_sunrpc_parse_switch_info(const char *p, size_t len, uint64_t *queue_len);

/* Parses xprt_info text into *q. Returns 0 (connected: q filled), 1 (the
 * transport is closed: "<closed>"; q zeroed), or -EINVAL (neither: q
 * zeroed). Unknown lines are skipped; a queue line that is missing counts
 * as 0. */
int ms_sunrpc_parse_xprt_info(const char *p, size_t len, ms_rpc_queues_t *q);

/* True when xprt_state text ("state= CONNECTED   BOUND") has the word
 * CONNECTED. */
bool ms_sunrpc_parse_xprt_state(const char *p, size_t len);

/* The number after prefix in the last component of a path or name
 * ("../../xprt-switches/switch-12" with "switch-": 12). Returns false when
 * the component is not prefix followed by decimal digits only. */
bool ms_sunrpc_name_id(const char *p, size_t len, const char *prefix,
                       uint32_t *id);

/* Reads the whole layout and the queues into t. Returns 0 (t->have_tree
 * false when the tree is absent: an older kernel, or no sysfs), or -ENOMEM.
 * Files that cannot be read or parsed leave their parts out. */
int ms_sunrpc_scan(ms_sunrpc_t *t, const ms_fs_t *fs);

/* Reads again the queues of the switches marked used. Returns 0, or
 * -ENOENT when a switch or transport went away or stopped parsing (the
 * layout changed: scan again). */
int ms_sunrpc_refresh(ms_sunrpc_t *t, const ms_fs_t *fs);

/* The switch whose id is id; NULL when there is none. */
ms_rpc_switch_t *ms_sunrpc_switch(const ms_sunrpc_t *t, uint32_t id);

/* Adds to out (room for max) the distinct switch ids the RPC clients linked
 * from the superblock dev ((major << 32) | minor) use, and returns how many
 * it added; 0 when the superblock has no links or one of its clients is
 * unknown. */
size_t ms_sunrpc_sb_switches(const ms_sunrpc_t *t, uint64_t dev, uint32_t *out,
                             size_t max);

void ms_sunrpc_free(ms_sunrpc_t *t);

#endif
