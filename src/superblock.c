/* SPDX-License-Identifier: MIT
 *
 * superblock.c: see superblock.h for the contract.
 *
 * Both groupings work the same way: give every record a 64-bit key (a device
 * number, or a hash of what must be equal) and look it up, in file order, in
 * a hash table of the keys seen. The first record with a key leads; a later
 * one joins it when the key is a device number, or when a full comparison
 * with the leader says they are equal, so a hash collision never merges
 * anything. A table rather than a sort: it runs every interval, and is
 * linear in the number of records.
 */
#include "superblock.h"

#include "span.h"
#include "text.h"
#include "xprt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ms_group_item {
  int kind; /* 0: exact device key, 1: hashed content */
  uint64_t key;
  size_t index; /* the leading record; SIZE_MAX: an empty slot */
};

typedef bool (*same_fn)(const ms_snapshot_t *, size_t, size_t);

static uint64_t mix(uint64_t h, uint64_t v) {
  /* FNV-1a over the 8 bytes of v, folded in one multiply per word. */
  h ^= v;
  h *= MS_FNV64_PRIME;
  h ^= h >> 29;
  return h;
}

static uint64_t mix_span(uint64_t h, ms_span_t s) {
  return mix(ms_fnv64(h, s.ptr, s.len), s.len);
}

ms_span_t ms_device_server(ms_span_t d) {
  ms_span_t s = d;
  const char *end = d.ptr + d.len;
  const char *p = d.ptr;
  if (p < end && *p == '[') {
    const char *rb = memchr(p, ']', d.len);
    if (rb != NULL) {
      s.len = (size_t)(rb + 1 - p);
      return s;
    }
  }
  const char *colon = memchr(p, ':', d.len);
  if (colon != NULL)
    s.len = (size_t)(colon - p);
  return s;
}

/* Makes the table empty, with at least twice as many slots as records (a
 * power of two), so probes stay short and there is always an empty slot.
 * Returns 0 or -ENOMEM. */
static int table_reset(ms_group_t *g, size_t records) {
  size_t slots = 16;
  while (slots < 2 * records) {
    if (slots > SIZE_MAX / 4 / sizeof(*g->items_))
      return -ENOMEM;
    slots *= 2;
  }
  if (slots > g->cap_) {
    struct ms_group_item *p = realloc(g->items_, slots * sizeof(*p));
    if (p == NULL)
      return -ENOMEM;
    g->items_ = p;
    g->cap_ = slots;
  }
  g->slots_ = slots;
  for (size_t i = 0; i < slots; i++)
    g->items_[i].index = SIZE_MAX;
  return 0;
}

/* Record index (in file order) with this key: joins the first earlier
 * record with the same key that it matches (always, for a device number;
 * when same() confirms, for a hash), or else leads a group of its own. */
static void table_add(ms_group_t *g, int kind, uint64_t key, size_t index,
                      const ms_snapshot_t *snap, same_fn same, size_t *leader) {
  size_t mask = g->slots_ - 1;
  size_t at =
      (size_t)(((key ^ (uint64_t)kind) * 0x9E3779B97F4A7C15ull) >> 32) & mask;
  for (;; at = (at + 1) & mask) {
    struct ms_group_item *it = &g->items_[at];
    if (it->index == SIZE_MAX) { /* a new group (there is always room) */
      it->kind = kind;
      it->key = key;
      it->index = index;
      return;
    }
    if (it->kind == kind && it->key == key &&
        (kind == 0 || same(snap, it->index, index))) {
      leader[index] = it->index;
      return;
    }
  }
}

static uint64_t content_hash(const ms_snapshot_t *s, size_t i) {
  const ms_mount_t *m = &s->mounts[i];
  uint64_t h = MS_FNV64_OFFSET;
  h = mix_span(h, ms_device_server(m->device));
  h = mix(h, m->age);
  h = mix(h, m->have);
  for (unsigned k = 0; k < m->nevents; k++)
    h = mix(h, m->events[k]);
  /* Counter arrays hold data only where the MS_HAVE_* flags say. */
  if (m->have & MS_HAVE_BYTES)
    for (unsigned k = 0; k < MS_BYTES_COUNT; k++)
      h = mix(h, m->bytes[k]);
  /* Every op's count and execution time, folded without a chain of
   * multiplications (independent products, xor-ed): idle mounts made at
   * the same time share age, events and bytes and differ only here. */
  uint64_t ops = 0, exec = 0;
  for (size_t k = 0; k < m->op_count; k++) {
    const ms_op_t *o = &s->ops[m->op_first + k];
    ops ^= (o->v[MS_OP_OPS] + k) * 0x9E3779B97F4A7C15ull;
    exec ^= (o->v[MS_OP_EXEC_MS] + k) * 0xC2B2AE3D27D4EB4Full;
  }
  h = mix(h, m->op_count);
  h = mix(h, ops);
  h = mix(h, exec);
  return h;
}

static bool same_content(const ms_snapshot_t *s, size_t a, size_t b) {
  const ms_mount_t *x = &s->mounts[a], *y = &s->mounts[b];
  if (!ms_span_same(ms_device_server(x->device), ms_device_server(y->device)) ||
      !ms_span_same(x->fstype, y->fstype) || x->age != y->age ||
      x->have != y->have || x->nevents != y->nevents ||
      x->op_count != y->op_count || x->xprt_count != y->xprt_count)
    return false;
  if (memcmp(x->events, y->events, x->nevents * sizeof(x->events[0])) != 0 ||
      ((x->have & MS_HAVE_BYTES) &&
       memcmp(x->bytes, y->bytes, sizeof(x->bytes)) != 0) ||
      ((x->have & MS_HAVE_FSC) && memcmp(x->fsc, y->fsc, sizeof(x->fsc)) != 0))
    return false;
  for (size_t k = 0; k < x->op_count; k++) {
    const ms_op_t *o = &s->ops[x->op_first + k], *p = &s->ops[y->op_first + k];
    if (!ms_span_same(o->name, p->name) || o->nfields != p->nfields ||
        memcmp(o->v, p->v, sizeof(o->v)) != 0)
      return false;
  }
  for (size_t k = 0; k < x->xprt_count; k++) {
    const ms_xprt_t *o = &s->xprts[x->xprt_first + k];
    const ms_xprt_t *p = &s->xprts[y->xprt_first + k];
    if (!ms_span_same(o->name, p->name) || o->nfields != p->nfields ||
        memcmp(o->v, p->v, o->nfields * sizeof(o->v[0])) != 0)
      return false;
  }
  return true;
}

int ms_group_superblocks(ms_group_t *g, const ms_snapshot_t *snap,
                         const uint64_t *dev, const unsigned char *take_part,
                         size_t *leader) {
  if (table_reset(g, snap->nmounts) != 0)
    return -ENOMEM;
  for (size_t i = 0; i < snap->nmounts; i++) {
    leader[i] = i;
    if (take_part != NULL && !take_part[i])
      continue;
    if (dev != NULL && dev[i] != 0)
      table_add(g, 0, dev[i], i, snap, same_content, leader);
    else
      table_add(g, 1, content_hash(snap, i), i, snap, same_content, leader);
  }
  return 0;
}

static ms_span_t opt_or_empty(ms_span_t opts, const char *key) {
  ms_span_t v = {opts.ptr, 0};
  if (!ms_opt_get(opts, key, &v))
    v.len = 0;
  return v;
}

static uint64_t connection_hash(const ms_snapshot_t *s, size_t i) {
  const ms_mount_t *m = &s->mounts[i];
  uint64_t h = MS_FNV64_OFFSET;
  h = mix_span(h, ms_device_server(m->device));
  h = mix_span(h, opt_or_empty(m->opts, "vers"));
  h = mix_span(h, opt_or_empty(m->opts, "proto"));
  h = mix(h, m->xprt_count);
  for (size_t k = 0; k < m->xprt_count; k++) {
    const ms_xprt_t *x = &s->xprts[m->xprt_first + k];
    h = mix_span(h, x->name);
    h = mix(h, ms_xprt_port(x));
  }
  return h;
}

static bool same_connection(const ms_snapshot_t *s, size_t a, size_t b) {
  const ms_mount_t *x = &s->mounts[a], *y = &s->mounts[b];
  if (!ms_span_same(ms_device_server(x->device), ms_device_server(y->device)) ||
      !ms_span_same(opt_or_empty(x->opts, "vers"),
                    opt_or_empty(y->opts, "vers")) ||
      !ms_span_same(opt_or_empty(x->opts, "proto"),
                    opt_or_empty(y->opts, "proto")) ||
      x->xprt_count != y->xprt_count)
    return false;
  for (size_t k = 0; k < x->xprt_count; k++) {
    const ms_xprt_t *o = &s->xprts[x->xprt_first + k];
    const ms_xprt_t *p = &s->xprts[y->xprt_first + k];
    if (!ms_span_same(o->name, p->name) || ms_xprt_port(o) != ms_xprt_port(p))
      return false;
  }
  return true;
}

int ms_group_transports(ms_group_t *g, const ms_snapshot_t *snap,
                        const unsigned char *take_part, size_t *leader) {
  if (table_reset(g, snap->nmounts) != 0)
    return -ENOMEM;
  for (size_t i = 0; i < snap->nmounts; i++) {
    leader[i] = i;
    if ((take_part != NULL && !take_part[i]) || snap->mounts[i].xprt_count == 0)
      continue;
    table_add(g, 1, connection_hash(snap, i), i, snap, same_connection, leader);
  }
  return 0;
}

void ms_group_free(ms_group_t *g) {
  free(g->items_);
  memset(g, 0, sizeof(*g));
}
