/* SPDX-License-Identifier: MIT
 *
 * stall.c: see stall.h for the values and why.
 */
#include "stall.h"

#include "xprt.h"

#include <errno.h>
#include <stddef.h>

struct ms_stall_entry {
  uint64_t key;
  uint64_t recvs;      /* at the previous read */
  double last_reply;   /* the read that last saw recvs rise (or the first) */
  double waiting_from; /* the first read of this run with waiting > 0 */
  int64_t level;       /* estimate: X when nothing waits */
  unsigned route;
  bool sysfs;   /* the source of the previous read */
  bool waiting; /* waiting > 0 at the previous read */
};

bool ms_stall_transport_counts(const ms_snapshot_t *snap, size_t rec,
                               enum ms_xprt_kind kind, uint64_t *sends,
                               uint64_t *recvs) {
  const ms_mount_t *m = &snap->mounts[rec];
  bool any = false;
  *sends = *recvs = 0;
  for (size_t k = 0; k < m->xprt_count; k++) {
    const ms_xprt_t *x = &snap->xprts[m->xprt_first + k];
    ms_xprt_values_t v;
    if (x->kind != kind || ms_xprt_normalise(x, &v) != 0)
      continue;
    *sends += v.common[1];
    *recvs += v.common[2];
    any = true;
  }
  return any;
}

void ms_stall_op_counts(const ms_snapshot_t *snap, size_t rec,
                        uint64_t *retrans, uint64_t *timeouts) {
  const ms_mount_t *m = &snap->mounts[rec];
  for (size_t k = 0; k < m->op_count; k++) {
    const uint64_t *v = snap->ops[m->op_first + k].v;
    /* Kernels before 4.10 could count fewer transmissions than ops. */
    if (v[MS_OP_TRANS] > v[MS_OP_OPS])
      *retrans += v[MS_OP_TRANS] - v[MS_OP_OPS];
    *timeouts += v[MS_OP_TIMEOUTS];
  }
}

int64_t ms_stall_x(uint64_t sends, uint64_t recvs, uint64_t retrans,
                   uint64_t timeouts) {
  return (int64_t)(sends - recvs - retrans - timeouts);
}

_Static_assert(offsetof(struct ms_stall_entry, key) == 0 &&
                   sizeof(struct ms_stall_entry) <= MS_KEYTAB_RECORD_MAX,
               "a keytab record: its key first, small enough to sort");

/* The previous interval's entry of key. Mounts are read in the same order
 * every interval, so the entry at this update's position is tried first;
 * only when that misses is the previous interval sorted (once) and
 * searched. */
static struct ms_stall_entry *find_prev(ms_stall_table_t *t, uint64_t key) {
  const size_t size = sizeof(struct ms_stall_entry);
  size_t hint = t->cur_.count;
  if (!ms_keytab_is_sorted(&t->prev_) && hint < t->prev_.count) {
    struct ms_stall_entry *e = ms_keytab_at(&t->prev_, size, hint);
    if (e->key == key)
      return e;
  }
  if (!ms_keytab_is_sorted(&t->prev_))
    ms_keytab_sort(&t->prev_, size);
  return ms_keytab_find_sorted(&t->prev_, size, key);
}

/* Seconds from then to now; a clock that went back counts as none. */
static double since(double now, double then) {
  return now > then ? now - then : 0.0;
}

int ms_stall_update(ms_stall_table_t *t, uint64_t key, double now,
                    const ms_stall_input_t *in, ms_stall_t *out) {
  const struct ms_stall_entry *prev = find_prev(t, key);
  struct ms_stall_entry e;
  bool relearn;
  if (prev == NULL) {
    e = (struct ms_stall_entry){.key = key,
                                .recvs = in->recvs,
                                .last_reply = now,
                                .level = in->x,
                                .route = in->route,
                                .sysfs = in->sysfs};
    out->route_changed = true;
    relearn = true;
  } else {
    e = *prev;
    out->route_changed = e.route != in->route;
    /* A reply arrived since the last read (or the counters were reset by a
     * remount: the mount is new to the kernel, nothing of it waits). */
    relearn = in->recvs != e.recvs || e.sysfs != in->sysfs;
    if (in->recvs != e.recvs)
      e.last_reply = now;
    e.recvs = in->recvs;
    e.route = in->route;
    e.sysfs = in->sysfs;
  }

  double waiting;
  if (in->sysfs) {
    waiting = in->waiting > 0 ? in->waiting : 0.0;
  } else {
    if (relearn || in->x < e.level)
      e.level = in->x;
    /* x >= level; the difference may not fit an int64 with made-up
     * counters */
    waiting = (double)((uint64_t)in->x - (uint64_t)e.level);
  }
  out->waiting = waiting;
  out->since_reply = since(now, e.last_reply);
  if (waiting > 0) {
    if (!e.waiting)
      e.waiting_from = now;
    e.waiting = true;
    double w = since(now, e.waiting_from);
    out->stalled = w < out->since_reply ? w : out->since_reply;
  } else {
    e.waiting = false;
    out->stalled = 0.0;
  }

  struct ms_stall_entry *slot = ms_keytab_append(&t->cur_, sizeof(e), key);
  if (slot == NULL)
    return -ENOMEM;
  *slot = e;
  return 0;
}

void ms_stall_end(ms_stall_table_t *t) {
  ms_keytab_swap(&t->prev_, &t->cur_);
  ms_keytab_clear(&t->cur_); /* prev_ is in the order of the updates */
}

void ms_stall_free(ms_stall_table_t *t) {
  ms_keytab_free(&t->prev_);
  ms_keytab_free(&t->cur_);
}
