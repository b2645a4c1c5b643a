/* SPDX-License-Identifier: MIT
 *
 * superblock.h: which NFS records print the same counters.
 *
 * Superblocks: a bind mount, or another export of the same server file
 * system mounted with sharecache, prints the counters of one superblock under
 * another mount point. Reporting each would count the same traffic twice.
 *
 * Server connections: xprt: counters belong to the RPC transport of the
 * server connection (nfs_client), which every mount of that server with the
 * same version and protocol shares. Reporting them with every mount would
 * make a sum across mounts count each connection several times.
 *
 * No I/O, no collectd header.
 */
#ifndef MOUNTSTATS_SUPERBLOCK_H
#define MOUNTSTATS_SUPERBLOCK_H

#include "mountstats.h"

#include <stddef.h>
#include <stdint.h>

/* Scratch space reused across calls; zero-initialise, free with
 * ms_group_free(). */
typedef struct {
  struct ms_group_item *items_;
  size_t cap_, slots_;
} ms_group_t;

/* Sets leader[i], for every record i of snap with take_part[i] non-zero (all
 * records when take_part is NULL), to the first record in file order that
 * shows the same superblock; leader[i] == i for the first one. Records that
 * do not take part get leader[i] == i.
 *
 * Two records show one superblock when dev (from ms_mountinfo_match, may be
 * NULL) gives both the same non-zero device number; when neither has one, when
 * they have the same server (device up to ":"), the same age and equal counters
 * (events, bytes, fsc, every operation, every xprt line). A record with a
 * device number is never grouped with one without (a mount that came between
 * the reads of the two files stands alone for that interval). The fallback
 * can merge two idle superblocks whose counters are all equal; mountinfo is
 * exact.
 * Returns 0 or -ENOMEM. */
int ms_group_superblocks(ms_group_t *g, const ms_snapshot_t *snap,
                         const uint64_t *dev, const unsigned char *take_part,
                         size_t *leader);

/* Sets leader[i] to the first record in file order (among those taking
 * part) that uses the same server connection as record i: same server (device
 * up to ":"), same opts vers= and proto=, the same number of xprt lines and,
 * line by line, the same transport word and source port. Records without xprt
 * lines are their own leaders. Returns 0 or -ENOMEM. */
int ms_group_transports(ms_group_t *g, const ms_snapshot_t *snap,
                        const unsigned char *take_part, size_t *leader);

void ms_group_free(ms_group_t *g);

/* The server part of an NFS device: "srv" of "srv:/x", "[fe80::1]" of
 * "[fe80::1]:/x"; the whole device when there is no ":". */
ms_span_t ms_device_server(ms_span_t device);

#endif
