/* SPDX-License-Identifier: MIT
 *
 * mountinfo.c: see mountinfo.h for the contract.
 */
#include "mountinfo.h"

#include "span.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Splits [p, end) at single spaces into up to max fields. */
static size_t split_fields(const char *p, const char *end, ms_span_t *f,
                           size_t max) {
  size_t n = 0;
  while (p < end && n < max) {
    while (p < end && *p == ' ')
      p++;
    if (p == end)
      break;
    const char *s = p;
    while (p < end && *p != ' ')
      p++;
    f[n].ptr = s;
    f[n].len = (size_t)(p - s);
    n++;
  }
  return n;
}

/* "MAJOR:MINOR" into *dev. Returns 0, or -1 when s is not one. */
static int parse_dev(ms_span_t s, uint64_t *dev) {
  uint64_t major = 0, minor = 0;
  size_t i = 0;
  if (s.len == 0)
    return -1;
  for (; i < s.len && s.ptr[i] != ':'; i++) {
    unsigned d = (unsigned char)s.ptr[i] - '0';
    if (d > 9 || major > 0xffffffffu)
      return -1;
    major = major * 10 + d;
  }
  if (i == 0 || i >= s.len - 1)
    return -1;
  for (i++; i < s.len; i++) {
    unsigned d = (unsigned char)s.ptr[i] - '0';
    if (d > 9 || minor > 0xffffffffu)
      return -1;
    minor = minor * 10 + d;
  }
  if (major > 0xffffffffu || minor > 0xffffffffu)
    return -1;
  *dev = (major << 32) | minor;
  return 0;
}

int ms_mountinfo_parse(ms_mountinfo_t *t, const char *buf, size_t len) {
  t->count = 0;
  t->bad_lines = 0;
  const char *p = buf, *end = buf + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
      break; /* incomplete last line */
    /* 6 fixed fields, optional fields, "-", fstype, source, superopts. */
    ms_span_t f[64];
    size_t n = split_fields(p, nl, f, 64);
    size_t sep = 6;
    while (sep < n && !ms_span_is(f[sep], "-"))
      sep++;
    uint64_t dev = 0;
    if (n < 6 || sep + 1 >= n || parse_dev(f[2], &dev) != 0) {
      t->bad_lines++;
    } else if (ms_span_is(f[sep + 1], "nfs") ||
               ms_span_is(f[sep + 1], "nfs4")) {
      if (t->count == t->cap_) {
        size_t ncap = t->cap_ ? t->cap_ * 2 : 16;
        ms_mountinfo_entry_t *e = realloc(t->entries, ncap * sizeof(*e));
        if (e == NULL)
          return -ENOMEM;
        t->entries = e;
        t->cap_ = ncap;
      }
      ms_mountinfo_entry_t *e = &t->entries[t->count++];
      e->mountpoint = f[4];
      e->fstype = f[sep + 1];
      e->dev = dev;
      e->superopts = sep + 3 < n ? f[sep + 3] : (ms_span_t){"", 0};
    }
    p = nl + 1;
  }
  return 0;
}

void ms_mountinfo_free(ms_mountinfo_t *t) {
  free(t->entries);
  memset(t, 0, sizeof(*t));
}

size_t ms_mountinfo_match(const ms_mountinfo_t *t, const ms_snapshot_t *snap,
                          uint64_t *dev_out) {
  return ms_mountinfo_match_index(t, snap, dev_out, NULL);
}

size_t ms_mountinfo_match_index(const ms_mountinfo_t *t,
                                const ms_snapshot_t *snap, uint64_t *dev_out,
                                size_t *index_out) {
  size_t cursor = 0, matched = 0;
  for (size_t i = 0; i < snap->nmounts; i++) {
    const ms_mount_t *m = &snap->mounts[i];
    dev_out[i] = 0;
    if (index_out != NULL)
      index_out[i] = SIZE_MAX;
    /* Usually the very next line; a search forward skips mounts that were
     * added between the two reads. Not found: leave the cursor, the mount
     * went away between the reads. */
    for (size_t j = cursor; j < t->count; j++) {
      const ms_mountinfo_entry_t *e = &t->entries[j];
      if (ms_span_same(e->mountpoint, m->mountpoint) &&
          ms_span_same(e->fstype, m->fstype)) {
        dev_out[i] = e->dev;
        if (index_out != NULL)
          index_out[i] = j;
        cursor = j + 1;
        matched++;
        break;
      }
    }
  }
  return matched;
}
