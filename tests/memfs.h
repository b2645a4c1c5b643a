/* SPDX-License-Identifier: MIT
 *
 * memfs.h: a sysfs in memory for the tests of ReportStall (fs.h): files
 * and links by path, folders implied by the paths below them.
 */
#ifndef MOUNTSTATS_MEMFS_H
#define MOUNTSTATS_MEMFS_H

#include "fs.h"

#include <stddef.h>

/* Most entries the tree holds. */
#define MEMFS_MAX 16

/* A file (text) or a link (link) at path. The strings are not copied. */
typedef struct {
  const char *path, *text, *link;
} memfs_entry_t;

extern memfs_entry_t memfs_tree[MEMFS_MAX];
extern size_t memfs_n;

/* The calls of fs.h over memfs_tree[0..memfs_n). */
extern const ms_fs_t memfs;

/* The tree of one switch, switch-3 to 127.0.0.5: its xprt_switch_info
 * (queue_len 1) first, then xprt-5-tcp's xprt_info (connected, port 2049,
 * 1 task pending a reply) and dstaddr, xprt-6-tcp closed, their states. */
void memfs_switch3(void);

#endif
