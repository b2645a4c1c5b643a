/* SPDX-License-Identifier: MIT
 *
 * readfile.c: see readfile.h for the contract.
 */
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens path if it is a regular file of at most max bytes as far as
 * fstat knows. Returns 0 with *fd set, or what ms_read_whole returns. */
static int open_regular(const char *path, size_t max, int *fd) {
  /* O_NONBLOCK: opening a FIFO without a writer must not block the read
   * thread; anything but a regular file is refused below. */
  int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (f < 0)
    return errno;
  struct stat st;
  int err = 0;
  if (fstat(f, &st) != 0)
    err = errno;
  else if (!S_ISREG(st.st_mode))
    err = S_ISDIR(st.st_mode) ? EISDIR : MS_ENOTREG;
  /* /proc files report size 0; an ordinary file that is already too large
   * is refused without reading it. */
  else if ((uintmax_t)st.st_size > (uintmax_t)max)
    err = EFBIG;
  if (err != 0) {
    close(f);
    return err;
  }
  *fd = f;
  return 0;
}

/* Room after the cap bytes of b, which are full. The buffer may grow to
 * max + 1 bytes: a file of exactly max bytes is accepted, one byte more is
 * refused. Returns 0, EFBIG (b holds more than max bytes) or ENOMEM. */
static int grow_buffer(ms_buffer_t *b, size_t max) {
  if (b->cap > max)
    return EFBIG;
  size_t ncap = b->cap ? b->cap * 2 : 65536;
  if (ncap > max + 1)
    ncap = max + 1;
  char *nb = realloc(b->buf, ncap);
  if (nb == NULL)
    return ENOMEM;
  b->buf = nb;
  b->cap = ncap;
  return 0;
}

/* Reads fd to its end into b, growing it. Returns 0, or a positive errno
 * value (EFBIG: more than max bytes); *used: the bytes read, either way. */
static int read_fd(int fd, ms_buffer_t *b, size_t max, size_t *used) {
  *used = 0;
  for (;;) {
    if (*used == b->cap) {
      int err = grow_buffer(b, max);
      if (err != 0)
        return err;
    }
    ssize_t n = read(fd, b->buf + *used, b->cap - *used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno;
    }
    if (n == 0)
      return *used > max ? EFBIG : 0;
    *used += (size_t)n;
  }
}

int ms_read_whole(const char *path, ms_buffer_t *b, size_t *len, size_t max) {
  int fd = -1;
  int err = open_regular(path, max, &fd);
  if (err != 0)
    return err;
  size_t used = 0;
  err = read_fd(fd, b, max, &used);
  close(fd);
  *len = used;
  return err;
}

void ms_buffer_free(ms_buffer_t *b) {
  free(b->buf);
  b->buf = NULL;
  b->cap = 0;
}

void ms_read_input(const ms_config_t *cfg, ms_buffer_t *file,
                   ms_buffer_t *mountinfo, ms_input_t *in) {
  in->err = ms_read_whole(cfg->file, file, &in->len, cfg->max_file_size);
  in->buf = file->buf;
  in->mi_buf = NULL;
  in->mi_len = 0;
  in->mi_err = 0;
  if (in->err != 0 || cfg->mountinfo_file == NULL)
    return;
  in->mi_err = ms_read_whole(cfg->mountinfo_file, mountinfo, &in->mi_len,
                             cfg->max_file_size);
  in->mi_buf = in->mi_err == 0 ? mountinfo->buf : NULL;
}
