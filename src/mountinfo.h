/* SPDX-License-Identifier: MIT
 *
 * mountinfo.h: reader for the text of /proc/<pid>/mountinfo, and the match
 * of its lines to mountstats records.
 *
 * Why: several mount points can show one NFS superblock (bind mounts, several
 * exports of one server file system with sharecache). mountinfo gives each
 * mount's superblock as "major:minor" without touching the file system, so
 * the plugin never has to stat() a mount point (which hangs on a dead
 * server). Text in, data out: no I/O, no collectd header.
 *
 * Line format (proc(5)):
 *   ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE
 * SUPEROPTS
 */
#ifndef MOUNTSTATS_MOUNTINFO_H
#define MOUNTSTATS_MOUNTINFO_H

#include "mountstats.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
  ms_span_t mountpoint; /* still \ooo-escaped, as in mountstats */
  ms_span_t fstype;
  uint64_t dev;        /* (major << 32) | minor */
  ms_span_t superopts; /* the super options ("rw,vers=3,...,addr=...") */
} ms_mountinfo_entry_t;

/* Zero-initialise; reuse across parses; free with ms_mountinfo_free(). */
typedef struct {
  ms_mountinfo_entry_t *entries;
  size_t count;
  size_t bad_lines; /* lines that are not mountinfo lines */
  size_t cap_;
} ms_mountinfo_t;

/* Parses buf into t, keeping only lines whose fstype is "nfs" or "nfs4".
 * Returns 0, or -ENOMEM (t keeps the lines parsed before). Malformed lines
 * are counted in bad_lines and skipped; a last line without '\n' is skipped. */
int ms_mountinfo_parse(ms_mountinfo_t *t, const char *buf, size_t len);

void ms_mountinfo_free(ms_mountinfo_t *t);

/* Gives each NFS record of snap the device number of its mountinfo line, in
 * dev_out[0..snap->nmounts), 0 where no line matched. Both files list the
 * mounts of one namespace in the same order, but they are read at different
 * moments, so a record is matched to the next unused line (in order) with
 * the same mount point and fstype, and a mount that came or went between the
 * two reads simply stays unmatched. Returns the number of records matched. */
size_t ms_mountinfo_match(const ms_mountinfo_t *t, const ms_snapshot_t *snap,
                          uint64_t *dev_out);

/* The same, and also each record's line in t->entries in index_out
 * (SIZE_MAX where none matched). */
size_t ms_mountinfo_match_index(const ms_mountinfo_t *t,
                                const ms_snapshot_t *snap, uint64_t *dev_out,
                                size_t *index_out);

#endif
