/* SPDX-License-Identifier: MIT
 *
 * naming.c: see naming.h for the contract.
 */
#include "naming.h"

#include "span.h"

#include "sort.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unique-making passes before giving up on a pathological name set (each
 * pass resolves every clash it sees; a new clash needs a mount literally
 * named like a generated one). */
#define UNIQUE_MAX_PASSES 8

uint32_t ms_fnv1a32(const char *s, size_t len) {
  uint32_t h = MS_FNV32_OFFSET;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)s[i]) * MS_FNV32_PRIME;
  return h;
}

static bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

/* Largest cut <= want that does not split a UTF-8 sequence of s. */
static size_t utf8_cut(const char *s, size_t want) {
  size_t cut = want;
  while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
    cut--;
  return cut;
}

static size_t clamp_max(size_t max_len) {
  return max_len < MS_NAME_MIN   ? MS_NAME_MIN
         : max_len > MS_NAME_MAX ? MS_NAME_MAX
                                 : max_len;
}

size_t ms_name_from_path(ms_name_t *name, const char *src, size_t max_len) {
  char *out = name->s;
  size_t srclen = strlen(src);
  max_len = clamp_max(max_len);
  const char *p = src;
  if (p[0] == '/' && p[1] == '\0')
    p = "root";
  else if (p[0] == '/')
    p++;
  if (*p == '\0')
    p = "root";

  char full[4096];
  size_t n = 0;
  for (; *p != '\0' && n < sizeof(full) - 1; p++) {
    unsigned char c = (unsigned char)*p;
    full[n++] = c == '/' ? '-' : is_control(c) ? '_' : (char)c;
  }
  full[n] = '\0';
  if (n <= max_len && *p == '\0') {
    memcpy(out, full, n + 1);
    return n;
  }
  /* Too long: prefix + "~" + 8 hex digits = max_len at most. */
  size_t keep = utf8_cut(full, max_len - 9);
  memcpy(out, full, keep);
  snprintf(out + keep, MS_NAME_SIZE - keep, "~%08x",
           (unsigned)ms_fnv1a32(src, srclen));
  return keep + 9;
}

/* How write_graphite would see a byte. The terminating NUL stays NUL, so a
 * name never equals itself with "_" appended. */
static unsigned char fold(unsigned char c) {
  if (c == '\0')
    return c;
  return (c == '.' || c == ' ' || c == '\t' || is_control(c)) ? '_' : c;
}

static int cmp_folded(const void *a, const void *b, void *ctx) {
  const ms_name_t *names = ctx;
  size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
  const unsigned char *x = (const unsigned char *)names[ia].s;
  const unsigned char *y = (const unsigned char *)names[ib].s;
  for (;; x++, y++) {
    unsigned char fx = fold(*x), fy = fold(*y);
    if (fx != fy)
      return fx < fy ? -1 : 1;
    if (*x == '\0')
      break;
  }
  return ia < ib ? -1 : ia > ib; /* file order within equal names */
}

static bool same_folded(const char *a, const char *b) {
  for (;; a++, b++) {
    if (fold((unsigned char)*a) != fold((unsigned char)*b))
      return false;
    if (*a == '\0')
      return true;
  }
}

static void add_suffix(ms_name_t *n, size_t k, size_t max_len) {
  char *name = n->s;
  char suffix[24];
  int sl = snprintf(suffix, sizeof(suffix), "~%zu", k);
  size_t len = strlen(name);
  if (len + (size_t)sl > max_len)
    len = utf8_cut(name, max_len - (size_t)sl);
  memcpy(name + len, suffix, (size_t)sl + 1);
}

size_t ms_names_make_unique(ms_name_t *names, size_t n, size_t *order,
                            size_t max_len) {
  size_t changed = 0;
  max_len = clamp_max(max_len);
  for (int pass = 0; pass < UNIQUE_MAX_PASSES; pass++) {
    for (size_t i = 0; i < n; i++)
      order[i] = i;
    ms_sort(order, n, sizeof(*order), cmp_folded, names);
    size_t clashes = 0;
    for (size_t i = 0; i < n;) {
      size_t j = i + 1;
      while (j < n && same_folded(names[order[i]].s, names[order[j]].s))
        j++;
      /* order[i] is the first in file order: it keeps its name. */
      for (size_t k = i + 1; k < j; k++) {
        add_suffix(&names[order[k]], k - i + 1, max_len);
        clashes++;
      }
      i = j;
    }
    changed += clashes;
    if (clashes == 0)
      break;
  }
  return changed;
}
