/* SPDX-License-Identifier: MIT
 *
 * readfile.h: reading a whole file into a reused buffer, without ever
 * blocking on it. The collectd plugin and the dry-run tool read the
 * mountstats and mountinfo files with it; the collector (src/) gets their
 * bytes and does no I/O. No collectd header.
 */
#ifndef MOUNTSTATS_READFILE_H
#define MOUNTSTATS_READFILE_H

#include "collector.h" /* MS_ENOTREG */

#include <stddef.h>

/* A buffer kept across reads. Zero-initialise; free with ms_buffer_free(). */
typedef struct {
  char *buf;
  size_t cap;
} ms_buffer_t;

/* Reads path whole into b (grown as needed, kept for the next call), at
 * most max bytes. Returns 0 with *len set, or a positive errno value
 * (EFBIG: larger than max; EISDIR: a directory), or MS_ENOTREG for a FIFO,
 * device or socket, which are never read since they can block or never end. The
 * file is opened with O_NONBLOCK, so a FIFO without a writer does not block. */
int ms_read_whole(const char *path, ms_buffer_t *b, size_t *len, size_t max);

void ms_buffer_free(ms_buffer_t *b);

/* One interval's files, as both front ends read them: cfg->file into file
 * and, when that worked and cfg->mountinfo_file is set, the mountinfo file
 * into mountinfo (at most cfg->max_file_size bytes each). Sets in's buf,
 * len and err, and mi_buf (NULL when not read), mi_len and mi_err; leaves
 * the rest of in as it is. */
void ms_read_input(const ms_config_t *cfg, ms_buffer_t *file,
                   ms_buffer_t *mountinfo, ms_input_t *in);

#endif
