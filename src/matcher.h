/* SPDX-License-Identifier: MIT
 *
 * matcher.h: a list of exact strings and /regex/ patterns, the way
 * collectd's df and disk plugins select mounts and devices.
 *
 * collectd's own ignorelist is not exported by the daemon (a plugin that
 * links it fails at dlopen), so this is our own. No I/O, no collectd header.
 */
#ifndef MOUNTSTATS_MATCHER_H
#define MOUNTSTATS_MATCHER_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ms_pattern {
  char *text;    /* exact string, or the regex source without slashes */
  bool is_regex; /* the pattern was written "/.../" */
  regex_t re;
} ms_pattern_t;

/* Zero-initialise; free with ms_matcher_free(). */
typedef struct {
  ms_pattern_t *items;
  size_t count;
  bool invert; /* select what no pattern matches (IgnoreSelected), as
                  collectd's ignorelist_set_invert() does */
} ms_matcher_t;

/* Adds a pattern. A pattern of two or more characters that starts and ends
 * with '/' is a POSIX extended regex, matched anywhere in the string unless
 * anchored; anything else must match the whole string exactly.
 * Returns 0, -EINVAL for a regex that does not compile (err, when not NULL,
 * receives regerror's text), or -ENOMEM. */
int ms_matcher_add(ms_matcher_t *m, const char *pattern, char *err,
                   size_t err_size);

/* True when any pattern matches s; false otherwise (also for an empty list
 * and a NULL s). */
bool ms_matcher_match(const ms_matcher_t *m, const char *s);

/* True when the list selects s: an empty list selects everything; else s
 * is selected when a pattern matches it, or with invert when none does. */
bool ms_matcher_selects(const ms_matcher_t *m, const char *s);

/* Frees the patterns and zeroes m (invert too). */
void ms_matcher_free(ms_matcher_t *m);

/* The selection rule of df: a value is kept when every list selects its
 * value (so with invert set on every non-empty list, when no list matches
 * it). lists and values are parallel arrays of n entries; a NULL list
 * selects everything, a NULL value is matched by no pattern. */
bool ms_selected(const ms_matcher_t *const *lists, const char *const *values,
                 size_t n);

#endif
