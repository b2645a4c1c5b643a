/* SPDX-License-Identifier: MIT
 *
 * text.h: the kernel's text conventions the parser leaves to its readers:
 * \ooo escapes in device names and mount points, and comma separated
 * option lists ("vers=4.2,port=2049"). Text in, data out; no I/O, no
 * collectd header.
 */
#ifndef MOUNTSTATS_TEXT_H
#define MOUNTSTATS_TEXT_H

#include "span.h"

#include <stdbool.h>
#include <stddef.h>

/* Decodes the kernel's \ooo escapes of src[0..len) into dst, which receives
 * at most dst_size - 1 bytes and a terminating NUL (dst_size must be > 0).
 * A backslash not followed by three octal digits is copied as is. Returns the
 * length of the whole decoded string, which is >= dst_size when dst was too
 * small (as snprintf does). */
size_t ms_unescape(char *dst, size_t dst_size, const char *src, size_t len);

/* Looks up the value of key in a comma separated opts list ("vers=4.2,...").
 * Returns true and sets *value when key=value is present, true with an empty
 * value for a bare key, false (*value untouched) when absent. */
bool ms_opt_get(ms_span_t opts, const char *key, ms_span_t *value);

#endif
