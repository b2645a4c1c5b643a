/* SPDX-License-Identifier: MIT
 *
 * gen.h: generates /proc/self/mountstats text in the kernel's exact layout
 * (see docs/MOUNTSTATS-FORMAT.md), with the matching mountinfo, and
 * computes from its own model what a correct parser and plugin must produce.
 *
 * The mix, for mount index i of n:
 *   - even i: NFSv4.2 (fstype nfs4, statvers=1.1, impl_id, nfsv4 lines,
 *     RPC iostats 1.1, 69 ops with 9 fields, nconnect=4: 4 tcp xprt lines);
 *   - odd i: NFSv3 (fstype nfs, RPC iostats 1.0, 22 ops with 8 fields, one
 *     13-field tcp xprt line);
 *   - 10 mounts of each version per server, and all mounts of one server
 *     and version share one RPC connection (identical xprt lines), as the
 *     kernel prints them;
 *   - every 25th mount (i % 25 == 24) is a bind mount of mount i - 2: the
 *     same superblock, printed again under another mount point;
 *   - every 7th mount point has a space (printed "\040");
 *   - most ops are 0, used ones have log-uniform counts up to 10^8, byte
 *     counters up to 10^13, and some NFSv3 queue times are near 2^64 (a
 *     negative time printed unsigned);
 *   - non-NFS records (sysfs, proc, tmpfs, autofs, cifs with its trailing
 *     space, nfsd) at the top and between NFS records;
 *   - epoch e moves every used op, event, byte and transport counter on by
 *     an amount that grows with e (the age stays), so that successive epochs
 *     are successive reads of a busy client: ReportIostat then reports every
 *     used op.
 */
#ifndef BENCH_GEN_H
#define BENCH_GEN_H

#include "gen_text.h"

#include <stddef.h>
#include <stdint.h>

/* Plugin options that change what is dispatched, as bits of a config. */
#define GEN_ZERO_OPS 1u      /* ReportZeroOps true */
#define GEN_PER_TRANSPORT 2u /* ReportPerTransport true */
#define GEN_ALL_MOUNTS 4u    /* ReportAllMountPoints true */
#define GEN_IOSTAT 8u        /* ReportIostat true, counters moving */
#define GEN_NCONF 16u
#define GEN_ALL_ON                                                             \
  (GEN_ZERO_OPS | GEN_PER_TRANSPORT | GEN_ALL_MOUNTS | GEN_IOSTAT)

#define GEN_MAX_PROBES 32
#define GEN_PROBE_MAX_VALUES 32

/* One value list that must (or must not) be dispatched. */
typedef struct {
  char plugin_instance[128];
  char type[64];
  char type_instance[64];
  unsigned present; /* bit c set: expected exactly once under config c */
  size_t n;
  uint64_t raw[GEN_PROBE_MAX_VALUES]; /* value_t bits: derive, or a double */
} gen_probe_t;

typedef struct {
  size_t mounts;  /* NFS records */
  size_t records; /* record headers, NFS or not */
  size_t lines;
  size_t ops, xprts;
  uint64_t parse_checksum; /* see gen_parse_checksum() in the harness */
  /* Per config (bits above): what the plugin dispatches per interval (with
   * GEN_IOSTAT: per interval after the first, the epoch moving on). */
  size_t reported[GEN_NCONF];
  size_t lists[GEN_NCONF];
  size_t values[GEN_NCONF];
  /* Sum of gen_list_checksum() over the lists, ReportIostat's excepted (its
   * values depend on the clock). */
  uint64_t checksum[GEN_NCONF];
  gen_probe_t probes[GEN_MAX_PROBES];
  size_t nprobes;
} gen_expect_t;

/* Checksum of one value list: sum of raw value bits times (2j+1). */
static inline uint64_t gen_list_checksum(const uint64_t *raw, size_t n) {
  uint64_t c = 0;
  for (size_t j = 0; j < n; j++)
    c += raw[j] * (2 * j + 1);
  return c;
}

/* Generates n NFS mounts at epoch into ms (mountstats) and mi (mountinfo),
 * both reset first, and fills ex. Returns 0, or -1 when out of memory. */
int gen_mountstats(size_t n, uint64_t epoch, gen_buf_t *ms, gen_buf_t *mi,
                   gen_expect_t *ex);

#endif
