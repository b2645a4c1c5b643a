/* SPDX-License-Identifier: MIT
 *
 * fs.h: the few file system calls the collector core makes, as functions
 * the caller gives. The core itself does no I/O: the collectd plugin and the
 * dry-run tool pass io/sysfs.h's implementation (openat() below one root
 * folder, "/sys" by default), tests pass one over a captured tree. Only
 * sysfs is ever read through it; never an NFS mount point.
 */
#ifndef MOUNTSTATS_FS_H
#define MOUNTSTATS_FS_H

#include <stddef.h>

/* Called for each name in a folder ("." and ".." left out); a non-zero
 * return stops the listing and is returned by list(). */
typedef int (*ms_fs_each_fn)(void *arg, const char *name);

typedef struct {
  void *ctx;
  /* Reads up to cap bytes of the file at path (relative to the root) into
   * buf and sets *len. Returns 0 or a negative errno value. */
  int (*read)(void *ctx, const char *path, char *buf, size_t cap, size_t *len);
  /* Reads the target of the symbolic link at path into buf, at most cap
   * bytes, and sets *len. Returns 0 or a negative errno value. */
  int (*readlink)(void *ctx, const char *path, char *buf, size_t cap,
                  size_t *len);
  /* Calls each(arg, name) for every name in the folder at path. Returns 0,
   * each()'s non-zero return, or a negative errno value. */
  int (*list)(void *ctx, const char *path, ms_fs_each_fn each, void *arg);
} ms_fs_t;

#endif
