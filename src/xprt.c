/* SPDX-License-Identifier: MIT
 *
 * xprt.c: see xprt.h for the contract.
 */
#include "xprt.h"

#include "span.h"

#include <errno.h>
#include <string.h>

static const ms_xprt_layout_t layouts[] = {
    /* word, kind, min_fields, port, bind, conn, sends, slots */
    {"tcp", MS_XPRT_TCP, 10, 0, 1, 2, 5, 10},
    {"udp", MS_XPRT_UDP, 7, 0, 1, -1, 2, 7},
    {"local", MS_XPRT_LOCAL, 9, -1, 0, 1, 4, 9},
    {"rdma", MS_XPRT_RDMA, 20, -1, 1, 2, 5, -1},
};

const ms_xprt_layout_t *ms_xprt_layout(enum ms_xprt_kind kind) {
  for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
    if (layouts[i].kind == kind)
      return &layouts[i];
  return NULL;
}

enum ms_xprt_kind ms_xprt_kind_of(const char *word, size_t len,
                                  unsigned *min_fields) {
  ms_span_t w = {word, len};
  for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
    if (ms_span_is(w, layouts[i].word)) {
      *min_fields = layouts[i].min_fields;
      return layouts[i].kind;
    }
  *min_fields = 0;
  return MS_XPRT_OTHER;
}

uint64_t ms_xprt_port(const ms_xprt_t *x) {
  const ms_xprt_layout_t *l = ms_xprt_layout(x->kind);
  return l != NULL && l->port >= 0 && x->nfields > (unsigned)l->port
             ? x->v[l->port]
             : 0;
}

bool ms_xprt_sends(const ms_xprt_t *x, uint64_t *sends) {
  const ms_xprt_layout_t *l = ms_xprt_layout(x->kind);
  *sends = 0;
  if (l == NULL || (unsigned)l->sends >= x->nfields)
    return false;
  *sends = x->v[l->sends];
  return true;
}

int ms_xprt_normalise(const ms_xprt_t *x, ms_xprt_values_t *o) {
  const ms_xprt_layout_t *l = ms_xprt_layout(x->kind);
  if (l == NULL)
    return -EINVAL;
  memset(o, 0, sizeof(*o));
  o->common[0] = x->v[l->bind];
  for (int i = 0; i < 5; i++)
    o->common[1 + i] = x->v[l->sends + i];
  if (l->conn >= 0) {
    o->have_conn = true;
    o->connect_count = x->v[l->conn];
    o->connect_time = x->v[l->conn + 1];
    o->idle_time = (int64_t)x->v[l->conn + 2];
  }
  if (l->slots >= 0 && x->nfields >= (unsigned)l->slots + 3) {
    o->have_slots = true;
    o->max_slots = x->v[l->slots];
    o->sending_u = x->v[l->slots + 1];
    o->pending_u = x->v[l->slots + 2];
  }
  if (x->kind == MS_XPRT_RDMA) {
    o->have_rdma = true; /* fields 11-20: every rdma layout has them */
    o->have_rdma_mr = x->nfields >= 27;
    memcpy(o->rdma, &x->v[10],
           (o->have_rdma_mr ? 17 : 10) * sizeof(o->rdma[0]));
  }
  return 0;
}

void ms_xprt_add(ms_xprt_values_t *a, const ms_xprt_values_t *b) {
  for (int i = 0; i < 6; i++)
    a->common[i] += b->common[i];
  a->have_conn = a->have_conn && b->have_conn;
  a->connect_count += b->connect_count;
  a->connect_time += b->connect_time;
  if (b->idle_time < a->idle_time)
    a->idle_time = b->idle_time;
  a->have_slots = a->have_slots && b->have_slots;
  if (b->max_slots > a->max_slots)
    a->max_slots = b->max_slots;
  a->sending_u += b->sending_u;
  a->pending_u += b->pending_u;
  a->have_rdma = a->have_rdma && b->have_rdma;
  a->have_rdma_mr = a->have_rdma_mr && b->have_rdma_mr;
  for (int i = 0; i < 17; i++)
    a->rdma[i] += b->rdma[i];
}
