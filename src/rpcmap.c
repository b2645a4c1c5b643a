/* SPDX-License-Identifier: MIT
 *
 * rpcmap.c: see rpcmap.h for the routes and why.
 */
#include "rpcmap.h"

#include "span.h"
#include "text.h"
#include "xprt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Switches one record may map to (a superblock links at most 3 clients; an
 * ambiguous address rarely matches more than the minor versions). */
#define MAX_SWITCHES 8
#define NFS4_PORT 2049

static int grow_records(ms_rpcmap_t *m, size_t n) {
  if (n <= m->rec_cap_)
    return 0;
  size_t cap = m->rec_cap_ ? m->rec_cap_ : 64;
  while (cap < n)
    cap *= 2;
  unsigned char *route = realloc(m->route, cap * sizeof(*route));
  if (route == NULL)
    return -ENOMEM;
  m->route = route;
  bool *amb = realloc(m->ambiguous, cap * sizeof(*amb));
  if (amb == NULL)
    return -ENOMEM;
  m->ambiguous = amb;
  size_t *first = realloc(m->first, cap * sizeof(*first));
  if (first == NULL)
    return -ENOMEM;
  m->first = first;
  size_t *count = realloc(m->count, cap * sizeof(*count));
  if (count == NULL)
    return -ENOMEM;
  m->count = count;
  m->rec_cap_ = cap;
  return 0;
}

static int add_ids(ms_rpcmap_t *m, const uint32_t *ids, size_t n) {
  if (m->nids + n > m->ids_cap_) {
    size_t cap = m->ids_cap_ ? m->ids_cap_ : 64;
    while (cap < m->nids + n)
      cap *= 2;
    uint32_t *p = realloc(m->ids, cap * sizeof(*p));
    if (p == NULL)
      return -ENOMEM;
    m->ids = p;
    m->ids_cap_ = cap;
  }
  memcpy(m->ids + m->nids, ids, n * sizeof(*ids));
  m->nids += n;
  return 0;
}

static size_t add_unique(uint32_t *ids, size_t n, uint32_t id) {
  for (size_t i = 0; i < n; i++)
    if (ids[i] == id)
      return n;
  if (n < MAX_SWITCHES)
    ids[n++] = id;
  return n;
}

static bool word_is(ms_span_t word, const char *proto) {
  return ms_span_is(word, proto);
}

/* The switch with a transport of kind word from local port port (to addr,
 * when known); NULL when there is none. */
static const ms_rpc_switch_t *switch_by_port(const ms_sunrpc_t *t,
                                             ms_span_t word, uint64_t port,
                                             const char *addr) {
  for (size_t i = 0; i < t->nswitches; i++) {
    const ms_rpc_switch_t *s = &t->switches[i];
    for (size_t k = s->first; k < s->first + s->count; k++) {
      const ms_rpc_xprt_t *sx = &t->xprts[k];
      if (sx->src_port == port && word_is(word, sx->proto) &&
          (addr[0] == '\0' || strcmp(addr, sx->dstaddr) == 0))
        return s;
    }
  }
  return NULL;
}

/* Route 2: every xprt line with a local port found by src_port. */
static size_t by_src_port(const ms_snapshot_t *snap, const ms_mount_t *mt,
                          const char *addr, const ms_sunrpc_t *t,
                          uint32_t *ids) {
  size_t n = 0, lines = 0;
  for (size_t k = 0; k < mt->xprt_count; k++) {
    const ms_xprt_t *x = &snap->xprts[mt->xprt_first + k];
    uint64_t port = ms_xprt_port(x);
    if (x->kind == MS_XPRT_OTHER || port == 0)
      continue;
    lines++;
    const ms_rpc_switch_t *s = switch_by_port(t, x->name, port, addr);
    if (s != NULL)
      n = add_unique(ids, n, s->id);
  }
  return lines > 0 ? n : 0;
}

/* The port the mount's server listens on, as far as the options say: port=
 * when given, 2049 for NFSv4, else 0 (any, but not 0). */
static uint32_t server_port(const ms_mount_t *mt) {
  ms_span_t v;
  if (ms_opt_get(mt->opts, "port", &v) && v.len > 0 && v.len < 6) {
    uint32_t p = 0;
    for (size_t i = 0; i < v.len; i++) {
      if (v.ptr[i] < '0' || v.ptr[i] > '9')
        return 0;
      p = p * 10 + (uint32_t)(v.ptr[i] - '0');
    }
    if (p != 0)
      return p;
  }
  return ms_span_is(mt->fstype, "nfs4") ? NFS4_PORT : 0;
}

/* Route 3: the switches with a transport of the mount's kind to its
 * server's address; with strict, also on the mount's server port. */
static size_t by_address_port(const ms_xprt_t *first, const char *addr,
                              uint32_t port, bool strict, const ms_sunrpc_t *t,
                              uint32_t *ids) {
  size_t n = 0;
  for (size_t i = 0; i < t->nswitches; i++) {
    const ms_rpc_switch_t *s = &t->switches[i];
    for (size_t k = s->first; k < s->first + s->count; k++) {
      const ms_rpc_xprt_t *sx = &t->xprts[k];
      /* A transport never seen connected has no ports yet: its address
       * and kind decide. */
      bool ports_known = sx->dst_port != 0 || sx->src_port != 0;
      bool port_ok = !ports_known || (strict && port != 0 ? sx->dst_port == port
                                                          : sx->dst_port != 0);
      if (port_ok && word_is(first->name, sx->proto) &&
          strcmp(addr, sx->dstaddr) == 0) {
        n = add_unique(ids, n, s->id);
        break;
      }
    }
  }
  return n;
}

static size_t by_address(const ms_snapshot_t *snap, const ms_mount_t *mt,
                         const char *addr, const ms_sunrpc_t *t,
                         uint32_t *ids) {
  const ms_xprt_t *first = NULL;
  for (size_t k = 0; k < mt->xprt_count && first == NULL; k++)
    if (snap->xprts[mt->xprt_first + k].kind != MS_XPRT_OTHER)
      first = &snap->xprts[mt->xprt_first + k];
  if (first == NULL || addr[0] == '\0')
    return 0;
  size_t n = by_address_port(first, addr, server_port(mt), true, t, ids);
  /* An NFSv4.1+ mount of a server the client already has a connection to
   * (another address, another port=) uses that connection: mountinfo's
   * addr= names its peer, port= does not. */
  if (n == 0)
    n = by_address_port(first, addr, 0, false, t, ids);
  return n;
}

int ms_rpcmap_build(ms_rpcmap_t *m, const ms_snapshot_t *snap,
                    const ms_rpcmap_input_t *in, ms_sunrpc_t *t) {
  if (grow_records(m, snap->nmounts) != 0)
    return -ENOMEM;
  m->nids = 0;
  m->nrecords = snap->nmounts;
  m->unmapped = 0;
  for (size_t i = 0; i < t->nswitches; i++)
    t->switches[i].used = false;
  for (size_t r = 0; r < snap->nmounts; r++) {
    uint32_t ids[MAX_SWITCHES];
    size_t n = 0;
    enum ms_rpc_route route = MS_ROUTE_NONE;
    m->first[r] = m->nids;
    m->count[r] = 0;
    m->ambiguous[r] = false;
    m->route[r] = MS_ROUTE_NONE;
    if (!in->want[r])
      continue;
    if (!t->have_tree) {
      m->unmapped++;
      continue;
    }
    const ms_mount_t *mt = &snap->mounts[r];
    const char *addr = in->addr != NULL ? in->addr[r] : "";
    if (in->dev != NULL && in->dev[r] != 0 &&
        (n = ms_sunrpc_sb_switches(t, in->dev[r], ids, MAX_SWITCHES)) > 0)
      route = MS_ROUTE_SB_LINKS;
    else if ((n = by_src_port(snap, mt, addr, t, ids)) > 0)
      route = MS_ROUTE_SRC_PORT;
    else if ((n = by_address(snap, mt, addr, t, ids)) > 0) {
      route = MS_ROUTE_ADDRESS;
      m->ambiguous[r] = n > 1;
    }
    if (route == MS_ROUTE_NONE) {
      m->unmapped++;
      continue;
    }
    if (add_ids(m, ids, n) != 0)
      return -ENOMEM;
    m->route[r] = (unsigned char)route;
    m->count[r] = n;
    for (size_t k = 0; k < n; k++)
      ms_sunrpc_switch(t, ids[k])->used = true;
  }
  return 0;
}

const char *ms_rpcmap_route_name(enum ms_rpc_route route) {
  switch (route) {
  case MS_ROUTE_SB_LINKS:
    return "superblock links";
  case MS_ROUTE_SRC_PORT:
    return "source port";
  case MS_ROUTE_ADDRESS:
    return "server address";
  default:
    return "none";
  }
}

/* True when s[0..len) is a numeric IPv4 or IPv6 address (a host name is
 * never resolved: that could block). */
static bool numeric_addr(const char *s, size_t len) {
  bool colon = memchr(s, ':', len) != NULL;
  if (len == 0)
    return false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    bool ok = (c >= '0' && c <= '9') || c == '.' ||
              (colon && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                         c == ':' || c == '%'));
    if (!ok)
      return false;
  }
  return true;
}

static void copy_addr(char out[MS_SUNRPC_ADDR_MAX], const char *p, size_t len) {
  if (len >= MS_SUNRPC_ADDR_MAX || !numeric_addr(p, len)) {
    out[0] = '\0';
    return;
  }
  memcpy(out, p, len);
  out[len] = '\0';
}

void ms_rpcmap_server_addr(ms_span_t superopts, ms_span_t device,
                           char out[MS_SUNRPC_ADDR_MAX]) {
  ms_span_t v;
  out[0] = '\0';
  if (superopts.len > 0 && ms_opt_get(superopts, "addr", &v)) {
    copy_addr(out, v.ptr, v.len);
    return;
  }
  /* "host:/path": the host is before the first ":/"; "[v6]:/path". */
  const char *d = device.ptr, *end = device.ptr + device.len;
  if (device.len > 2 && d[0] == '[') {
    const char *close = memchr(d, ']', device.len);
    if (close != NULL)
      copy_addr(out, d + 1, (size_t)(close - d - 1));
    return;
  }
  for (const char *p = d; p + 1 < end; p++)
    if (p[0] == ':' && p[1] == '/') {
      copy_addr(out, d, (size_t)(p - d));
      return;
    }
}

void ms_rpcmap_free(ms_rpcmap_t *m) {
  free(m->route);
  free(m->ambiguous);
  free(m->first);
  free(m->count);
  free(m->ids);
  *m = (ms_rpcmap_t){0};
}
