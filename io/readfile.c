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

int ms_read_whole(const char *path, ms_buffer_t *b, size_t *len, size_t max) {
  /* O_NONBLOCK: opening a FIFO without a writer must not block the read
   * thread; anything but a regular file is refused below. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return errno;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return err;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return S_ISDIR(st.st_mode) ? EISDIR : MS_ENOTREG;
  }
  /* /proc files report size 0; an ordinary file that is already too large
   * is refused without reading it. */
  if ((uintmax_t)st.st_size > (uintmax_t)max) {
    close(fd);
    return EFBIG;
  }
  /* The buffer may grow to max + 1 bytes: a file of exactly max bytes is
   * accepted, one byte more is refused. */
  size_t used = 0;
  int err = 0;
  for (;;) {
    if (used == b->cap) {
      if (b->cap > max) {
        err = EFBIG;
        break;
      }
      size_t ncap = b->cap ? b->cap * 2 : 65536;
      if (ncap > max + 1)
        ncap = max + 1;
      char *nb = realloc(b->buf, ncap);
      if (nb == NULL) {
        err = ENOMEM;
        break;
      }
      b->buf = nb;
      b->cap = ncap;
    }
    ssize_t n = read(fd, b->buf + used, b->cap - used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      err = errno;
      break;
    }
    if (n == 0)
      break;
    used += (size_t)n;
  }
  if (err == 0 && used > max)
    err = EFBIG;
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
