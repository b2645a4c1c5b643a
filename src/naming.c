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

/* ---- NamingScheme "auto" ------------------------------------------------ */

/* The last components of a path, last first. */
#define TAIL_MAX 7

typedef struct {
  const char *p;
  size_t len;
} comp_t;

static size_t tail_components(const char *path, comp_t *c) {
  size_t n = 0;
  const char *end = path + strlen(path);
  while (end > path && n < TAIL_MAX) {
    const char *e = end;
    while (e > path && e[-1] == '/')
      e--;
    const char *s = e;
    while (s > path && s[-1] != '/')
      s--;
    if (s == e)
      break;
    c[n++] = (comp_t){s, (size_t)(e - s)};
    end = s;
  }
  return n;
}

static bool comp_is(comp_t c, const char *lit) {
  return c.len == strlen(lit) && memcmp(c.p, lit, c.len) == 0;
}

static bool all_hex(comp_t c, size_t len) {
  if (c.len != len)
    return false;
  for (size_t i = 0; i < len; i++)
    if (!((c.p[i] >= '0' && c.p[i] <= '9') || (c.p[i] >= 'a' && c.p[i] <= 'f')))
      return false;
  return true;
}

enum ms_name_rule ms_name_container(ms_name_t *out, const char *mp,
                                    size_t max_len) {
  comp_t c[TAIL_MAX]; /* c[0] is the last component */
  size_t n = tail_components(mp, c);
  char name[4096];
  enum ms_name_rule rule = MS_RULE_PATH;
  /* kubelet: pods/UID/volumes/kubernetes.io~nfs/NAME (pkg/volume/nfs) */
  if (n >= 5 && comp_is(c[1], "kubernetes.io~nfs") &&
      comp_is(c[2], "volumes") && comp_is(c[4], "pods")) {
    snprintf(name, sizeof(name), "k8s-%.*s", (int)c[0].len, c[0].p);
    rule = MS_RULE_K8S_NFS;
  } else if (n >= 6 && comp_is(c[0], "mount") &&
             comp_is(c[2], "kubernetes.io~csi") && comp_is(c[3], "volumes") &&
             comp_is(c[5], "pods")) {
    /* pods/UID/volumes/kubernetes.io~csi/PV/mount (pkg/volume/csi,
     * getTargetPath) */
    snprintf(name, sizeof(name), "k8s-%.*s", (int)c[1].len, c[1].p);
    rule = MS_RULE_K8S_CSI;
  } else if (n >= 6 && comp_is(c[0], "globalmount") && comp_is(c[2], "pv") &&
             comp_is(c[3], "csi") && comp_is(c[4], "kubernetes.io") &&
             comp_is(c[5], "plugins")) {
    /* plugins/kubernetes.io/csi/pv/PV/globalmount (kubelet before 1.24) */
    snprintf(name, sizeof(name), "k8s-%.*s", (int)c[1].len, c[1].p);
    rule = MS_RULE_K8S_CSI_PV;
  } else if (n >= 6 && comp_is(c[0], "globalmount") && all_hex(c[1], 64) &&
             comp_is(c[3], "csi") && comp_is(c[4], "kubernetes.io") &&
             comp_is(c[5], "plugins")) {
    /* plugins/kubernetes.io/csi/DRIVER/sha256(volume handle)/globalmount:
     * the handle's hash names the volume, stable on every node */
    snprintf(name, sizeof(name), "k8s-csi-%.*s-%.12s", (int)c[2].len, c[2].p,
             c[1].p);
    rule = MS_RULE_K8S_CSI_GLOBAL;
  } else if (n >= 4 && comp_is(c[0], "_data") && comp_is(c[2], "volumes") &&
             comp_is(c[3], "docker")) {
    snprintf(name, sizeof(name), "docker-%.*s", (int)c[1].len, c[1].p);
    rule = MS_RULE_DOCKER;
  } else if (n >= 5 && comp_is(c[0], "_data") && comp_is(c[2], "volumes") &&
             comp_is(c[3], "storage") && comp_is(c[4], "containers")) {
    snprintf(name, sizeof(name), "podman-%.*s", (int)c[1].len, c[1].p);
    rule = MS_RULE_PODMAN;
  }
  if (rule != MS_RULE_PATH)
    ms_name_from_path(out, name, max_len);
  return rule;
}

const char *ms_name_rule_str(enum ms_name_rule rule) {
  switch (rule) {
  case MS_RULE_K8S_NFS:
    return "k8s-nfs";
  case MS_RULE_K8S_CSI:
    return "k8s-csi";
  case MS_RULE_K8S_CSI_PV:
    return "k8s-csi-pv";
  case MS_RULE_K8S_CSI_GLOBAL:
    return "k8s-csi-global";
  case MS_RULE_DOCKER:
    return "docker";
  case MS_RULE_PODMAN:
    return "podman";
  default:
    return "path";
  }
}

/* True when the df rule maps name, as write_graphite shows it, back to
 * path exactly: "a-b" is "/a/b", "root" is "/". */
static bool maps_back(const char *name, const char *path) {
  if (strcmp(name, "root") == 0)
    return strcmp(path, "/") == 0;
  if (path[0] != '/')
    return false;
  /* as write_graphite shows the name: "x.y" is "x_y", which is "/x_y"'s */
  for (path++; *name != '\0' && *path != '\0'; name++, path++) {
    unsigned char c = fold((unsigned char)*name);
    if ((c == '-' ? '/' : c) != (unsigned char)*path)
      return false;
  }
  return *name == '\0' && *path == '\0';
}

static void add_hash_suffix(ms_name_t *n, const char *path, size_t max_len) {
  char suffix[16];
  snprintf(suffix, sizeof(suffix), "~%08x",
           (unsigned)ms_fnv1a32(path, strlen(path)));
  size_t len = strlen(n->s);
  if (len + 9 > max_len)
    len = utf8_cut(n->s, max_len - 9);
  memcpy(n->s + len, suffix, 10);
}

size_t ms_names_make_unique_stable(ms_name_t *names, size_t n, size_t *order,
                                   size_t max_len, const char *const *paths) {
  max_len = clamp_max(max_len);
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  ms_sort(order, n, sizeof(*order), cmp_folded, names);
  size_t changed = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && same_folded(names[order[i]].s, names[order[j]].s))
      j++;
    size_t keeper = SIZE_MAX, exact = 0;
    for (size_t k = i; k < j && j - i > 1; k++)
      if (maps_back(names[order[k]].s, paths[order[k]])) {
        keeper = order[k];
        exact++;
      }
    for (size_t k = i; k < j && j - i > 1; k++) {
      if (exact == 1 && order[k] == keeper)
        continue;
      add_hash_suffix(&names[order[k]], paths[order[k]], max_len);
      changed++;
    }
    i = j;
  }
  /* Left over only where the hashes do not tell mounts apart: two mounts
   * on one path (one over the other), or a hash collision. */
  return changed + ms_names_make_unique(names, n, order, max_len);
}
