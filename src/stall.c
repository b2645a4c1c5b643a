/* SPDX-License-Identifier: MIT
 *
 * stall.c: see stall.h for the estimate and why.
 */
#include "stall.h"

#include "sort.h"
#include "xprt.h"

#include <errno.h>
#include <stdlib.h>

/* nfs(5): timeo=600 (deciseconds) and retrans=2 over TCP when not given;
 * the kernel prints both in the opts of every mount it knows. */
#define DEFAULT_TIMEO_DS 600.0
#define DEFAULT_RETRANS 2.0

struct ms_stall_entry {
  uint64_t key;
  int64_t level;     /* the lowest X seen: nothing waits */
  int64_t last_x;    /* X of the previous read */
  uint64_t connects; /* connect_count of the previous read */
  double rose_at;    /* when X last rose or the mount last reconnected */
};

/* The number at the start of an option's value ("600"); fallback when the
 * option is absent or not a number. */
static double opt_number(ms_span_t opts, const char *key, double fallback) {
  ms_span_t v;
  if (!ms_opt_get(opts, key, &v) || v.len == 0)
    return fallback;
  double n = 0;
  for (size_t i = 0; i < v.len; i++) {
    if (v.ptr[i] < '0' || v.ptr[i] > '9')
      return fallback;
    n = n * 10 + (v.ptr[i] - '0');
  }
  return n;
}

bool ms_stall_input(const ms_snapshot_t *snap, size_t rec,
                    enum ms_xprt_kind kind, ms_stall_input_t *in) {
  const ms_mount_t *m = &snap->mounts[rec];
  bool any = false;
  *in = (ms_stall_input_t){0};
  for (size_t k = 0; k < m->xprt_count; k++) {
    const ms_xprt_t *x = &snap->xprts[m->xprt_first + k];
    ms_xprt_values_t v;
    if (x->kind != kind || ms_xprt_normalise(x, &v) != 0 || !v.have_conn)
      continue;
    in->sends += v.common[1];
    in->recvs += v.common[2];
    in->connect_count += v.connect_count;
    if (!any || v.idle_time < in->idle_time)
      in->idle_time = v.idle_time;
    any = true;
  }
  if (!any)
    return false;
  for (size_t k = 0; k < m->op_count; k++) {
    const uint64_t *v = snap->ops[m->op_first + k].v;
    /* Kernels before 4.10 could count fewer transmissions than ops. */
    if (v[MS_OP_TRANS] > v[MS_OP_OPS])
      in->op_retrans += v[MS_OP_TRANS] - v[MS_OP_OPS];
    in->op_timeouts += v[MS_OP_TIMEOUTS];
  }
  double timeo_s = opt_number(m->opts, "timeo", DEFAULT_TIMEO_DS) / 10.0;
  double retrans = opt_number(m->opts, "retrans", DEFAULT_RETRANS);
  in->resend_s = timeo_s * (retrans + 1.0);
  return true;
}

static struct ms_stall_entry *find_prev(ms_stall_table_t *t, uint64_t key) {
  size_t lo = 0, hi = t->nprev_;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->prev_[mid].key == key)
      return &t->prev_[mid];
    if (t->prev_[mid].key < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

int ms_stall_update(ms_stall_table_t *t, uint64_t key, double now,
                    const ms_stall_input_t *in, ms_stall_t *out) {
  /* Differences of counters that wrap as the kernel's do. */
  int64_t x =
      (int64_t)(in->sends - in->recvs - in->op_retrans - in->op_timeouts);
  const struct ms_stall_entry *prev = find_prev(t, key);
  /* First read: nothing waits when X is 0 (a busy mount's requests on the
   * wire are then seen at once), unless no RPC completed for longer than a
   * waiting request takes to be sent again. */
  struct ms_stall_entry e = {key, x < 0 ? x : 0, x, in->connect_count, now};
  if (prev == NULL && (double)in->idle_time > 2.0 * in->resend_s)
    e.level = x;
  if (prev != NULL) {
    e = *prev;
    if (x > e.last_x || in->connect_count != e.connects)
      e.rose_at = now;
    if (x < e.level)
      e.level = x;
    else if (x > e.level && now - e.rose_at > 2.0 * in->resend_s)
      e.level = x; /* not sent again in time: not waiting (see stall.h) */
    e.last_x = x;
    e.connects = in->connect_count;
  }
  /* x >= level; the difference may not fit an int64 with made-up counters */
  out->unanswered = (double)((uint64_t)x - (uint64_t)e.level);
  out->stalled = x > e.level && in->idle_time > 0 ? (double)in->idle_time : 0.0;

  if (t->ncur_ == t->cur_cap_) {
    size_t ncap = t->cur_cap_ ? t->cur_cap_ * 2 : 64;
    struct ms_stall_entry *grown = realloc(t->cur_, ncap * sizeof(*grown));
    if (grown == NULL)
      return -ENOMEM;
    t->cur_ = grown;
    t->cur_cap_ = ncap;
  }
  t->cur_[t->ncur_++] = e;
  return 0;
}

static int cmp_key(const void *a, const void *b, void *ctx) {
  (void)ctx;
  uint64_t ka = ((const struct ms_stall_entry *)a)->key;
  uint64_t kb = ((const struct ms_stall_entry *)b)->key;
  return ka < kb ? -1 : ka > kb;
}

void ms_stall_end(ms_stall_table_t *t) {
  struct ms_stall_entry *p = t->prev_;
  size_t cap = t->prev_cap_;
  t->prev_ = t->cur_;
  t->prev_cap_ = t->cur_cap_;
  t->nprev_ = t->ncur_;
  t->cur_ = p;
  t->cur_cap_ = cap;
  t->ncur_ = 0;
  ms_sort(t->prev_, t->nprev_, sizeof(*t->prev_), cmp_key, NULL);
}

void ms_stall_free(ms_stall_table_t *t) {
  free(t->prev_);
  free(t->cur_);
  *t = (ms_stall_table_t){0};
}
