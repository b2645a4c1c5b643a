/* SPDX-License-Identifier: MIT
 *
 * sysfs.c: see sysfs.h.
 */
#define _GNU_SOURCE /* O_PATH */
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int fs_read(void *ctx, const char *path, char *buf, size_t cap,
                   size_t *len) {
  const ms_sysfs_t *s = ctx;
  *len = 0;
  if (s->dirfd < 0)
    return -ENOENT;
  /* O_NONBLOCK: a FIFO planted under a test root never blocks the read. */
  int fd = openat(s->dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  size_t used = 0;
  int err = 0;
  while (used < cap) {
    ssize_t n = read(fd, buf + used, cap - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      err = -errno;
      break;
    }
    if (n == 0)
      break;
    used += (size_t)n;
  }
  close(fd);
  *len = used;
  return err;
}

static int fs_readlink(void *ctx, const char *path, char *buf, size_t cap,
                       size_t *len) {
  const ms_sysfs_t *s = ctx;
  *len = 0;
  if (s->dirfd < 0)
    return -ENOENT;
  ssize_t n = readlinkat(s->dirfd, path, buf, cap);
  if (n < 0)
    return -errno;
  *len = (size_t)n;
  return 0;
}

static int fs_list(void *ctx, const char *path, ms_fs_each_fn each, void *arg) {
  const ms_sysfs_t *s = ctx;
  if (s->dirfd < 0)
    return -ENOENT;
  int fd = openat(s->dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  DIR *d = fdopendir(fd);
  if (d == NULL) {
    int err = -errno;
    close(fd);
    return err;
  }
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      rc = each(arg, e->d_name);
  closedir(d);
  return rc;
}

int ms_sysfs_open(ms_sysfs_t *s, const char *root) {
  s->fs = (ms_fs_t){s, fs_read, fs_readlink, fs_list};
  s->dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return s->dirfd < 0 ? -errno : 0;
}

void ms_sysfs_close(ms_sysfs_t *s) {
  if (s->dirfd >= 0)
    close(s->dirfd);
  s->dirfd = -1;
}
