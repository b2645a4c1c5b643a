/* SPDX-License-Identifier: MIT
 *
 * naming.h: collectd instance names for mounts.
 *
 * The rule is collectd's df plugin's, applied to the decoded mount point (or
 * device): "/" becomes "root", the leading "/" is dropped and every other
 * "/" becomes "-". On top of it, so that every name is valid everywhere
 * collectd sends it:
 *   - control bytes (0x01-0x1f, 0x7f) become "_";
 *   - a name longer than max_len bytes (at most MS_NAME_MAX) keeps its first
 *     bytes (cut on a UTF-8 character boundary) and ends in "~" and 8 hex
 *     digits of the FNV-1a 32-bit hash of the whole decoded string, so two
 *     long paths that share a prefix stay apart;
 *   - names that would be equal once write_graphite has escaped them (".",
 *     white space and control bytes become "_") are made unique: the first
 *     mount in file order keeps the name, the k-th gets "~k" appended
 *     (shortening the name to fit). Same input, same names.
 * No I/O, no collectd header.
 */
#ifndef MOUNTSTATS_NAMING_H
#define MOUNTSTATS_NAMING_H

#include <stddef.h>
#include <stdint.h>

#define MS_NAME_MAX 127 /* collectd's DATA_MAX_NAME_LEN (128) less the NUL */
#define MS_NAME_SIZE (MS_NAME_MAX + 1)
#define MS_NAME_MIN 16 /* shortest max_len: room for a prefix and "~hash" */

/* An instance name and its NUL. A struct, not an array typedef: passed by
 * pointer, sizeof(*name) is still MS_NAME_SIZE. */
typedef struct {
  char s[MS_NAME_SIZE];
} ms_name_t;

/* Writes the instance name for the decoded, NUL-terminated string src (a
 * mount point or a device) into out->s, at most max_len bytes (clamped to
 * MS_NAME_MIN..MS_NAME_MAX). Returns its length. */
size_t ms_name_from_path(ms_name_t *out, const char *src, size_t max_len);

/* Makes the n names unique as described above, in place, keeping each at
 * most max_len bytes (clamped as above). names are in file order. order is
 * scratch space for n indexes. Returns the number of renames made. */
size_t ms_names_make_unique(ms_name_t *names, size_t n, size_t *order,
                            size_t max_len);

/* FNV-1a 32-bit hash, the one used in the long-name suffix. */
uint32_t ms_fnv1a32(const char *s, size_t len);

#endif
