/* SPDX-License-Identifier: MIT
 *
 * sunrpc.c: see sunrpc.h for what is read and why.
 */
#define _GNU_SOURCE /* memmem, memrchr */
#include "sunrpc.h"

#include "sort.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SWITCHES "kernel/sunrpc/xprt-switches"
#define CLIENTS "kernel/sunrpc/rpc-clients"
#define NFS_SBS "fs/nfs"
/* A sysfs attribute is at most a page. */
#define ATTR_MAX 4096
/* RPC clients a superblock links to (nfs_client, nfs_state_client,
 * nfsacl_client). */
#define SB_LINKS 3

struct ms_rpc_client {
  uint32_t id, switch_id;
};

struct ms_rpc_sb {
  uint64_t dev;
  uint32_t clients[SB_LINKS];
  unsigned nclients;
};

/* ---- text ------------------------------------------------------------- */

/* The decimal number at p (up to end); false when there is none or it does
 * not fit 64 bits. */
static bool number(const char *p, const char *end, uint64_t *out) {
  uint64_t v = 0;
  if (p == end)
    return false;
  for (; p < end; p++) {
    unsigned d = (unsigned char)*p - '0';
    if (d > 9 || v > (UINT64_MAX - d) / 10)
      return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

static uint32_t clamp32(uint64_t v) {
  return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Calls each(ctx, key, keylen, value) for the "key=value" lines of text
 * whose value is a number. */
typedef void (*field_fn)(void *ctx, const char *key, size_t keylen,
                         uint64_t value);

static size_t each_field(const char *p, size_t len, field_fn each, void *ctx) {
  const char *end = p + len;
  size_t n = 0;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl : end;
    const char *eq = memchr(p, '=', (size_t)(eol - p));
    uint64_t v;
    if (eq != NULL && number(eq + 1, eol, &v)) {
      each(ctx, p, (size_t)(eq - p), v);
      n++;
    }
    p = eol + (nl != NULL);
  }
  return n;
}

static bool key_is(const char *key, size_t len, const char *lit) {
  return strlen(lit) == len && memcmp(key, lit, len) == 0;
}

struct switch_info {
  bool have;
  uint64_t queue_len;
};

static void switch_field(void *ctx, const char *key, size_t len, uint64_t v) {
  struct switch_info *s = ctx;
  if (key_is(key, len, "queue_len")) {
    s->queue_len = v;
    s->have = true;
  }
}

int ms_sunrpc_parse_switch_info(const char *p, size_t len,
                                uint64_t *queue_len) {
  struct switch_info s = {0};
  each_field(p, len, switch_field, &s);
  if (!s.have)
    return -EINVAL;
  *queue_len = s.queue_len;
  return 0;
}

static void xprt_field(void *ctx, const char *key, size_t len, uint64_t v) {
  ms_rpc_queues_t *q = ctx;
  static const struct {
    const char *key;
    size_t offset;
  } fields[] = {
      {"binding_q_len", offsetof(ms_rpc_queues_t, binding)},
      {"sending_q_len", offsetof(ms_rpc_queues_t, sending)},
      {"pending_q_len", offsetof(ms_rpc_queues_t, pending)},
      {"backlog_q_len", offsetof(ms_rpc_queues_t, backlog)},
      {"tasks_queuelen", offsetof(ms_rpc_queues_t, tasks)},
      {"src_port", offsetof(ms_rpc_queues_t, src_port)},
      {"dst_port", offsetof(ms_rpc_queues_t, dst_port)},
  };
  for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
    if (key_is(key, len, fields[i].key)) {
      *(uint32_t *)((char *)q + fields[i].offset) = clamp32(v);
      return;
    }
}

int ms_sunrpc_parse_xprt_info(const char *p, size_t len, ms_rpc_queues_t *q) {
  *q = (ms_rpc_queues_t){0};
  while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == ' '))
    len--;
  if (len == 8 && memcmp(p, "<closed>", 8) == 0)
    return 1;
  /* A transport whose info has no queue at all is not one we know. */
  if (each_field(p, len, xprt_field, q) == 0 ||
      memmem(p, len, "_q_len=", 7) == NULL) {
    *q = (ms_rpc_queues_t){0};
    return -EINVAL;
  }
  q->connected = true;
  return 0;
}

bool ms_sunrpc_parse_xprt_state(const char *p, size_t len) {
  /* "state= CONNECTED   BOUND": the word, not CONNECTING */
  for (const char *w = memmem(p, len, "CONNECTED", 9); w != NULL;
       w = memmem(w + 9, (size_t)(p + len - w - 9), "CONNECTED", 9)) {
    bool start = w == p || w[-1] == ' ' || w[-1] == '=';
    bool end = w + 9 == p + len || w[9] == ' ' || w[9] == '\n';
    if (start && end)
      return true;
  }
  return false;
}

bool ms_sunrpc_name_id(const char *p, size_t len, const char *prefix,
                       uint32_t *id) {
  const char *slash = len ? memrchr(p, '/', len) : NULL;
  if (slash != NULL) {
    len -= (size_t)(slash + 1 - p);
    p = slash + 1;
  }
  while (len > 0 && p[len - 1] == '\n')
    len--;
  size_t plen = strlen(prefix);
  uint64_t v;
  if (len <= plen || memcmp(p, prefix, plen) != 0 ||
      !number(p + plen, p + len, &v) || v > UINT32_MAX)
    return false;
  *id = (uint32_t)v;
  return true;
}

/* "xprt-M-PROTO": M and PROTO (cut to fit). */
static bool xprt_name(const char *name, uint32_t *id, char *proto,
                      size_t proto_size) {
  if (strncmp(name, "xprt-", 5) != 0)
    return false;
  const char *dash = strchr(name + 5, '-');
  uint64_t v;
  if (dash == NULL || !number(name + 5, dash, &v) || v > UINT32_MAX ||
      dash[1] == '\0')
    return false;
  *id = (uint32_t)v;
  snprintf(proto, proto_size, "%s", dash + 1);
  return true;
}

/* "MAJOR:MINOR" as (major << 32) | minor. */
static bool dev_name(const char *name, uint64_t *dev) {
  const char *colon = strchr(name, ':');
  uint64_t major, minor;
  if (colon == NULL || !number(name, colon, &major) ||
      !number(colon + 1, colon + strlen(colon), &minor) || major > UINT32_MAX ||
      minor > UINT32_MAX)
    return false;
  *dev = (major << 32) | minor;
  return true;
}

/* ---- growing arrays --------------------------------------------------- */

static int grow(void **arr, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap)
    return 0;
  size_t ncap = *cap ? *cap : 16;
  while (ncap < need)
    ncap *= 2;
  void *p = realloc(*arr, ncap * elem);
  if (p == NULL)
    return -ENOMEM;
  *arr = p;
  *cap = ncap;
  return 0;
}

#define GROW(t, field, need)                                                   \
  grow((void **)&(t)->field, &(t)->field##_cap_, (need), sizeof(*(t)->field))

/* ---- scan ------------------------------------------------------------- */

struct scan {
  ms_sunrpc_t *t;
  const ms_fs_t *fs;
  int err; /* -ENOMEM */
  size_t sw;
};

static int read_attr(const ms_fs_t *fs, const char *path, char *buf,
                     size_t *len) {
  return fs->read(fs->ctx, path, buf, ATTR_MAX, len);
}

/* Reads the switch's xprt_switch_info, each transport's xprt_state, and
 * the xprt_info of each connected one when the switch has tasks or all is
 * true (xprt_info is the longer text: an idle switch's queues are all 0).
 * Returns 0, or -ENOENT when one could not be read or parsed. */
static int read_queues(ms_sunrpc_t *t, const ms_fs_t *fs, ms_rpc_switch_t *s,
                       bool all) {
  char path[160], buf[ATTR_MAX];
  size_t len;
  snprintf(path, sizeof(path), SWITCHES "/switch-%u/xprt_switch_info", s->id);
  if (read_attr(fs, path, buf, &len) != 0 ||
      ms_sunrpc_parse_switch_info(buf, len, &s->queue_len) != 0)
    return -ENOENT;
  for (size_t k = s->first; k < s->first + s->count; k++) {
    ms_rpc_xprt_t *x = &t->xprts[k];
    snprintf(path, sizeof(path), SWITCHES "/switch-%u/xprt-%u-%s/xprt_state",
             s->id, x->id, x->proto);
    int rc = read_attr(fs, path, buf, &len);
    if (rc != 0)
      return -ENOENT;
    x->q = (ms_rpc_queues_t){.connected = ms_sunrpc_parse_xprt_state(buf, len)};
    if (!x->q.connected || (s->queue_len == 0 && !all))
      continue;
    snprintf(path, sizeof(path), SWITCHES "/switch-%u/xprt-%u-%s/xprt_info",
             s->id, x->id, x->proto);
    rc = read_attr(fs, path, buf, &len);
    if (rc == -ENOTCONN) { /* how some kernels say "<closed>" */
      x->q = (ms_rpc_queues_t){0};
      continue;
    }
    if (rc != 0 || ms_sunrpc_parse_xprt_info(buf, len, &x->q) < 0)
      return -ENOENT;
    if (x->q.connected) {
      x->src_port = x->q.src_port;
      x->dst_port = x->q.dst_port;
    }
  }
  return 0;
}

static int add_switch(void *arg, const char *name) {
  struct scan *sc = arg;
  ms_sunrpc_t *t = sc->t;
  uint32_t id;
  if (!ms_sunrpc_name_id(name, strlen(name), "switch-", &id))
    return 0;
  if (GROW(t, switches, t->nswitches + 1) != 0)
    return sc->err = -ENOMEM;
  t->switches[t->nswitches++] = (ms_rpc_switch_t){.id = id};
  return 0;
}

static int add_xprt(void *arg, const char *name) {
  struct scan *sc = arg;
  ms_sunrpc_t *t = sc->t;
  ms_rpc_xprt_t x = {0};
  if (!xprt_name(name, &x.id, x.proto, sizeof(x.proto)))
    return 0;
  if (GROW(t, xprts, t->nxprts + 1) != 0)
    return sc->err = -ENOMEM;
  t->xprts[t->nxprts++] = x;
  t->switches[sc->sw].count++;
  return 0;
}

static int add_client(void *arg, const char *name) {
  struct scan *sc = arg;
  ms_sunrpc_t *t = sc->t;
  uint32_t id, sw;
  char path[160], target[256];
  size_t len;
  if (!ms_sunrpc_name_id(name, strlen(name), "clnt-", &id))
    return 0;
  snprintf(path, sizeof(path), CLIENTS "/clnt-%u/switch", id);
  if (sc->fs->readlink(sc->fs->ctx, path, target, sizeof(target), &len) != 0 ||
      !ms_sunrpc_name_id(target, len, "switch-", &sw))
    return 0;
  if (grow((void **)&t->clients_, &t->clients_cap_, t->nclients_ + 1,
           sizeof(*t->clients_)) != 0)
    return sc->err = -ENOMEM;
  t->clients_[t->nclients_++] = (struct ms_rpc_client){id, sw};
  return 0;
}

static int add_sb(void *arg, const char *name) {
  static const char *const links[SB_LINKS] = {"nfs_client", "nfs_state_client",
                                              "nfsacl_client"};
  struct scan *sc = arg;
  ms_sunrpc_t *t = sc->t;
  struct ms_rpc_sb sb = {0};
  if (!dev_name(name, &sb.dev))
    return 0;
  t->have_sb_links = true;
  for (size_t i = 0; i < SB_LINKS; i++) {
    char path[160], target[256];
    size_t len;
    uint32_t id;
    snprintf(path, sizeof(path), NFS_SBS "/%s/%s", name, links[i]);
    if (sc->fs->readlink(sc->fs->ctx, path, target, sizeof(target), &len) ==
            0 &&
        ms_sunrpc_name_id(target, len, "clnt-", &id))
      sb.clients[sb.nclients++] = id;
  }
  if (sb.nclients == 0)
    return 0;
  if (grow((void **)&t->sbs_, &t->sbs_cap_, t->nsbs_ + 1, sizeof(*t->sbs_)) !=
      0)
    return sc->err = -ENOMEM;
  t->sbs_[t->nsbs_++] = sb;
  return 0;
}

static int cmp_switch(const void *a, const void *b, void *ctx) {
  (void)ctx;
  uint32_t x = ((const ms_rpc_switch_t *)a)->id;
  uint32_t y = ((const ms_rpc_switch_t *)b)->id;
  return x < y ? -1 : x > y;
}

static int cmp_client(const void *a, const void *b, void *ctx) {
  (void)ctx;
  uint32_t x = ((const struct ms_rpc_client *)a)->id;
  uint32_t y = ((const struct ms_rpc_client *)b)->id;
  return x < y ? -1 : x > y;
}

static int cmp_sb(const void *a, const void *b, void *ctx) {
  (void)ctx;
  uint64_t x = ((const struct ms_rpc_sb *)a)->dev;
  uint64_t y = ((const struct ms_rpc_sb *)b)->dev;
  return x < y ? -1 : x > y;
}

/* Reads the transports of switch s (already in t->switches[i]): names,
 * server addresses, queues. A switch that cannot be read keeps no
 * transports. */
static int scan_switch(struct scan *sc, size_t i) {
  ms_sunrpc_t *t = sc->t;
  char path[160], buf[ATTR_MAX];
  size_t len;
  t->switches[i].first = t->nxprts;
  t->switches[i].count = 0;
  sc->sw = i;
  snprintf(path, sizeof(path), SWITCHES "/switch-%u", t->switches[i].id);
  sc->fs->list(sc->fs->ctx, path, add_xprt, sc);
  if (sc->err != 0)
    return sc->err;
  ms_rpc_switch_t *s = &t->switches[i];
  for (size_t k = s->first; k < s->first + s->count; k++) {
    ms_rpc_xprt_t *x = &t->xprts[k];
    snprintf(path, sizeof(path), SWITCHES "/switch-%u/xprt-%u-%s/dstaddr",
             s->id, x->id, x->proto);
    if (read_attr(sc->fs, path, buf, &len) == 0) {
      while (len > 0 && buf[len - 1] == '\n')
        len--;
      if (len >= sizeof(x->dstaddr))
        len = sizeof(x->dstaddr) - 1;
      memcpy(x->dstaddr, buf, len);
      x->dstaddr[len] = '\0';
    }
  }
  if (read_queues(t, sc->fs, s, true) != 0) {
    t->nxprts = s->first; /* went away while read: left out */
    s->count = 0;
  }
  return 0;
}

int ms_sunrpc_scan(ms_sunrpc_t *t, const ms_fs_t *fs) {
  struct scan sc = {.t = t, .fs = fs};
  t->nswitches = t->nxprts = t->nclients_ = t->nsbs_ = 0;
  t->have_sb_links = false;
  t->have_tree = fs->list(fs->ctx, SWITCHES, add_switch, &sc) == 0;
  if (sc.err != 0)
    return sc.err;
  if (!t->have_tree)
    return 0;
  ms_sort(t->switches, t->nswitches, sizeof(*t->switches), cmp_switch, NULL);
  for (size_t i = 0; i < t->nswitches; i++)
    if (scan_switch(&sc, i) != 0)
      return sc.err;
  fs->list(fs->ctx, CLIENTS, add_client, &sc);
  if (sc.err != 0)
    return sc.err;
  ms_sort(t->clients_, t->nclients_, sizeof(*t->clients_), cmp_client, NULL);
  fs->list(fs->ctx, NFS_SBS, add_sb, &sc);
  if (sc.err != 0)
    return sc.err;
  ms_sort(t->sbs_, t->nsbs_, sizeof(*t->sbs_), cmp_sb, NULL);
  return 0;
}

int ms_sunrpc_refresh(ms_sunrpc_t *t, const ms_fs_t *fs) {
  for (size_t i = 0; i < t->nswitches; i++)
    if (t->switches[i].used && read_queues(t, fs, &t->switches[i], false) != 0)
      return -ENOENT;
  return 0;
}

ms_rpc_switch_t *ms_sunrpc_switch(const ms_sunrpc_t *t, uint32_t id) {
  size_t lo = 0, hi = t->nswitches;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->switches[mid].id == id)
      return &t->switches[mid];
    if (t->switches[mid].id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static const struct ms_rpc_client *find_client(const ms_sunrpc_t *t,
                                               uint32_t id) {
  size_t lo = 0, hi = t->nclients_;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->clients_[mid].id == id)
      return &t->clients_[mid];
    if (t->clients_[mid].id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

size_t ms_sunrpc_sb_switches(const ms_sunrpc_t *t, uint64_t dev, uint32_t *out,
                             size_t max) {
  size_t lo = 0, hi = t->nsbs_;
  const struct ms_rpc_sb *sb = NULL;
  while (lo < hi && sb == NULL) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->sbs_[mid].dev == dev)
      sb = &t->sbs_[mid];
    else if (t->sbs_[mid].dev < dev)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (sb == NULL)
    return 0;
  size_t n = 0;
  for (unsigned i = 0; i < sb->nclients; i++) {
    const struct ms_rpc_client *c = find_client(t, sb->clients[i]);
    if (c == NULL || ms_sunrpc_switch(t, c->switch_id) == NULL)
      return 0;
    bool seen = false;
    for (size_t k = 0; k < n; k++)
      seen |= out[k] == c->switch_id;
    if (!seen && n < max)
      out[n++] = c->switch_id;
  }
  return n;
}

void ms_sunrpc_free(ms_sunrpc_t *t) {
  free(t->switches);
  free(t->xprts);
  free(t->clients_);
  free(t->sbs_);
  *t = (ms_sunrpc_t){0};
}
