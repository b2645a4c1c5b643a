/* SPDX-License-Identifier: MIT
 *
 * sysfs.c: see sysfs.h.
 */
#define _GNU_SOURCE /* O_PATH */
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SLOTS (2 * MS_SYSFS_OPEN_MAX) /* open addressing, half full at most */

struct ms_sysfs_open {
  char *path; /* NULL: free slot */
  int fd;
};

static size_t slot_of(const char *path) {
  uint64_t h = 14695981039346656037ull;
  for (const unsigned char *p = (const unsigned char *)path; *p; p++)
    h = (h ^ *p) * 1099511628211ull;
  return (size_t)(h % SLOTS);
}

/* The slot that holds path, or the free slot where it would go. */
static struct ms_sysfs_open *find_slot(ms_sysfs_t *s, const char *path) {
  size_t i = slot_of(path);
  while (s->open_[i].path != NULL && strcmp(s->open_[i].path, path) != 0)
    i = (i + 1) % SLOTS;
  return &s->open_[i];
}

/* Closes and frees the slot at e, moving later entries of its run back so
 * that every entry stays reachable from its home slot. */
static void drop_slot(ms_sysfs_t *s, struct ms_sysfs_open *e) {
  size_t i = (size_t)(e - s->open_);
  close(e->fd);
  free(e->path);
  e->path = NULL;
  s->nopen_--;
  for (size_t j = (i + 1) % SLOTS; s->open_[j].path != NULL;
       j = (j + 1) % SLOTS) {
    size_t home = slot_of(s->open_[j].path);
    /* j's entry may move to i when i lies cyclically in [home, j). */
    if ((j > i && (home <= i || home > j)) ||
        (j < i && home <= i && home > j)) {
      s->open_[i] = s->open_[j];
      s->open_[j].path = NULL;
      i = j;
    }
  }
}

/* Reads fd from offset 0 into buf until EOF or cap bytes. */
static int read_from_start(int fd, char *buf, size_t cap, size_t *len) {
  size_t used = 0;
  while (used < cap) {
    ssize_t n = pread(fd, buf + used, cap - used, (off_t)used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      *len = used;
      return -errno;
    }
    if (n == 0)
      break;
    used += (size_t)n;
  }
  *len = used;
  return 0;
}

static int fs_read(void *ctx, const char *path, char *buf, size_t cap,
                   size_t *len) {
  ms_sysfs_t *s = ctx;
  *len = 0;
  if (s->dirfd < 0)
    return -ENOENT;
  struct ms_sysfs_open *e = s->open_ != NULL ? find_slot(s, path) : NULL;
  if (e != NULL && e->path != NULL) {
    int rc = read_from_start(e->fd, buf, cap, len);
    if (rc == 0)
      return 0;
    drop_slot(s, e); /* gone (ENODEV) or failing: opened afresh below */
    e = find_slot(s, path);
  }
  /* O_NONBLOCK: a FIFO planted under a test root never blocks the read. */
  int fd = openat(s->dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  int rc = read_from_start(fd, buf, cap, len);
  char *copy = NULL;
  if (rc == 0 && e != NULL && s->nopen_ < MS_SYSFS_OPEN_MAX &&
      (copy = strdup(path)) != NULL) {
    e->path = copy;
    e->fd = fd;
    s->nopen_++;
    return 0;
  }
  close(fd);
  return rc;
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
  s->open_ = calloc(SLOTS, sizeof(*s->open_)); /* NULL: nothing kept open */
  s->nopen_ = 0;
  s->dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return s->dirfd < 0 ? -errno : 0;
}

void ms_sysfs_close(ms_sysfs_t *s) {
  if (s->open_ != NULL)
    for (size_t i = 0; i < SLOTS; i++)
      if (s->open_[i].path != NULL) {
        close(s->open_[i].fd);
        free(s->open_[i].path);
      }
  free(s->open_);
  s->open_ = NULL;
  s->nopen_ = 0;
  if (s->dirfd >= 0)
    close(s->dirfd);
  s->dirfd = -1;
}
