/* SPDX-License-Identifier: MIT
 *
 * plan.c: see plan.h for the contract.
 */
#include "plan.h"

#include "grow.h"
#include "matcher.h"
#include "rpcmap.h"
#include "span.h"
#include "text.h"
#include "xprt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Mount points listed when logging a shared superblock. */
#define GROUP_LOG_MAX 8
/* Longest decoded mount point or device handled in full. */
#define PATH_BUF 4096

/* Decodes a mount point or device for matching and naming. A NUL byte
 * (which no path can hold, so only a damaged file has one) becomes "_":
 * otherwise the name would stop there and could take another mount's. */
static void decode(char *out, size_t size, ms_span_t s) {
  size_t full = ms_unescape(out, size, s.ptr, s.len);
  size_t n = full < size ? full : size - 1;
  for (size_t i = 0; i < n; i++)
    if (out[i] == '\0')
      out[i] = '_';
}

/* Every array of the plan, each cap_ entries long, grown and freed
 * together: on the first two lines those per reported record, then those
 * per record (laid out by hand: clang-format would run them together). */
/* clang-format off */
#define PLAN_ARRAYS(X)                                                         \
  X(reported) X(names) X(order_) X(name_rule_) X(name_path_off_)              \
  X(name_path_)                                                                \
  X(name_index) X(in_report) X(xprt_leader) X(dev) X(addr)                     \
  X(selected_) X(sb_leader_) X(sb_leader_new_) X(group_key_) X(group_size_)    \
  X(mi_index_)
/* clang-format on */

/* Every array for n records (the reported ones are as many at most).
 * Returns 0 or -ENOMEM. */
static int grow(ms_plan_t *p, size_t n) {
  if (n <= p->cap_)
    return 0;
  size_t cap = ms_grow_cap(p->cap_, n);
#define GROW(field)                                                            \
  {                                                                            \
    void *grown = realloc(p->field, cap * sizeof(*p->field));                  \
    if (grown == NULL)                                                         \
      return -ENOMEM;                                                          \
    p->field = grown;                                                          \
  }
  PLAN_ARRAYS(GROW)
#undef GROW
  p->cap_ = cap;
  return 0;
}

/* ---- the mount set ------------------------------------------------------ */

typedef struct {
  ms_plan_t *p;
  size_t off;  /* bytes of p->ident_ walked so far */
  bool same;   /* everything walked so far equals p->ident_ */
  bool failed; /* p->ident_ could not grow: treat as changed */
} ident_walk_t;

/* Walks the next piece of the mount set: compares it with p->ident_ while
 * they agree, and from the first difference on stores it instead. */
static void ident_put(ident_walk_t *w, const void *bytes, size_t len) {
  ms_plan_t *p = w->p;
  if (w->failed)
    return;
  if (w->same && w->off + len <= p->ident_len_ &&
      memcmp(p->ident_ + w->off, bytes, len) == 0) {
    w->off += len;
    return;
  }
  w->same = false;
  if (w->off + len > p->ident_cap_) {
    size_t cap = p->ident_cap_ ? p->ident_cap_ : 4096;
    while (cap < w->off + len)
      cap *= 2;
    char *grown = realloc(p->ident_, cap);
    if (grown == NULL) {
      w->failed = true;
      return;
    }
    p->ident_ = grown;
    p->ident_cap_ = cap;
  }
  memcpy(p->ident_ + w->off, bytes, len);
  w->off += len;
}

static void ident_put_span(ident_walk_t *w, ms_span_t s) {
  ident_put(w, &s.len, sizeof(s.len));
  ident_put(w, s.ptr, s.len);
}

/* Returns true when this interval's mount set is the one the kept plan was
 * made from: the same NFS records in the same order with the same device,
 * mount point, fstype, options and transports (word and source port of
 * each xprt line), and the same mountinfo text (or again none). Counters
 * are not part of it. Costs a comparison of those bytes; stores them when
 * they differ. */
static bool same_mount_set(ms_plan_t *p, const ms_snapshot_t *s,
                           const char *mi_buf, size_t mi_len) {
  ident_walk_t w = {.p = p, .same = true};
  ident_put(&w, &s->nmounts, sizeof(s->nmounts));
  for (size_t i = 0; i < s->nmounts; i++) {
    const ms_mount_t *m = &s->mounts[i];
    ident_put_span(&w, m->device);
    ident_put_span(&w, m->mountpoint);
    ident_put_span(&w, m->fstype);
    ident_put_span(&w, m->opts);
    ident_put(&w, &m->xprt_count, sizeof(m->xprt_count));
    for (size_t k = 0; k < m->xprt_count; k++) {
      const ms_xprt_t *x = &s->xprts[m->xprt_first + k];
      uint64_t port = ms_xprt_port(x);
      ident_put_span(&w, x->name);
      ident_put(&w, &port, sizeof(port));
    }
  }
  ms_span_t mi = {mi_buf != NULL ? mi_buf : "", mi_buf != NULL ? mi_len : 0};
  bool have_mi = mi_buf != NULL;
  ident_put(&w, &have_mi, sizeof(have_mi));
  ident_put_span(&w, mi);
  bool same = w.same && !w.failed && w.off == p->ident_len_;
  p->ident_len_ = w.failed ? 0 : w.off;
  return same;
}

/* ---- selection and superblocks ------------------------------------------ */

/* The records the lists select, their device numbers from mountinfo and
 * (ReportStall) their servers' addresses. Returns 0 or -ENOMEM (mountinfo
 * could not be parsed). */
static int select_mounts(ms_plan_t *p, const ms_config_t *cfg,
                         const ms_snapshot_t *s, const char *mi_buf,
                         size_t mi_len) {
  char mp[PATH_BUF], dev[PATH_BUF], fstype[64];
  const ms_matcher_t *lists[] = {&cfg->sel_mountpoint, &cfg->sel_device,
                                 &cfg->sel_fstype};
  bool any_list = cfg->sel_mountpoint.count || cfg->sel_device.count ||
                  cfg->sel_fstype.count;
  for (size_t i = 0; i < s->nmounts; i++) {
    p->selected_[i] = 1;
    if (!any_list)
      continue;
    const ms_mount_t *m = &s->mounts[i];
    decode(mp, sizeof(mp), m->mountpoint);
    decode(dev, sizeof(dev), m->device);
    decode(fstype, sizeof(fstype), m->fstype);
    const char *values[] = {mp, dev, fstype};
    p->selected_[i] = (unsigned char)ms_selected(lists, values, 3);
  }
  p->have_dev = false;
  if (mi_buf != NULL) {
    if (ms_mountinfo_parse(&p->mi_, mi_buf, mi_len) != 0)
      return -ENOMEM;
    ms_mountinfo_match_index(&p->mi_, s, p->dev, p->mi_index_);
    p->have_dev = true;
  }
  if (!cfg->report_stall)
    return 0;
  for (size_t i = 0; i < s->nmounts; i++) {
    size_t mi = p->have_dev ? p->mi_index_[i] : SIZE_MAX;
    ms_span_t superopts = {"", 0};
    if (mi != SIZE_MAX)
      superopts = p->mi_.entries[mi].superopts;
    ms_rpcmap_server_addr(superopts, s->mounts[i].device, p->addr[i]);
  }
  return 0;
}

/* Decides which records are reported: selection, then one per superblock
 * (from mountinfo's device numbers when mi_buf is not NULL). same_set:
 * the mount set is the kept plan's. Sets *leaders_same when the
 * superblocks' leaders are the kept plan's too. Returns 0 or -ENOMEM. */
static int select_records(ms_plan_t *p, const ms_config_t *cfg,
                          const ms_snapshot_t *s, const char *mi_buf,
                          size_t mi_len, bool same_set, bool *leaders_same) {
  *leaders_same = same_set;
  if (cfg->report_all_mountpoints) {
    for (size_t i = 0; i < s->nmounts; i++)
      p->sb_leader_[i] = i;
  }
  if (same_set && (p->have_dev || cfg->report_all_mountpoints)) {
    /* Selection and device numbers are those of the same mount set; without
     * device numbers, superblocks come from counters: regrouped below. */
    bool all_dev = true;
    for (size_t i = 0; i < s->nmounts && all_dev; i++)
      all_dev = p->dev[i] != 0 || !p->selected_[i];
    if (all_dev || cfg->report_all_mountpoints)
      return 0;
  }
  if (!same_set) {
    if (select_mounts(p, cfg, s, mi_buf, mi_len) != 0)
      return -ENOMEM;
    if (cfg->report_all_mountpoints)
      return 0;
  }
  int rc = ms_group_superblocks(&p->group_, s, p->have_dev ? p->dev : NULL,
                                p->selected_, p->sb_leader_new_);
  if (rc != 0)
    return rc;
  if (!same_set || s->nmounts == 0 ||
      memcmp(p->sb_leader_, p->sb_leader_new_,
             s->nmounts * sizeof(*p->sb_leader_)) != 0) {
    size_t *t = p->sb_leader_;
    p->sb_leader_ = p->sb_leader_new_;
    p->sb_leader_new_ = t;
    *leaders_same = false;
  }
  return 0;
}

/* ---- what is said of the plan, and names --------------------------------- */

/* The mount points, after the first, of the superblock led by record l. */
static void list_members(const ms_plan_t *p, const ms_snapshot_t *s, size_t l,
                         char *list, size_t size, size_t *listed) {
  char mp[PATH_BUF];
  size_t used = 0;
  *listed = 0;
  for (size_t j = l + 1; j < s->nmounts && *listed < GROUP_LOG_MAX; j++) {
    if (!p->selected_[j] || p->sb_leader_[j] != l)
      continue;
    ms_log_path(mp, sizeof(mp), s->mounts[j].mountpoint);
    int n =
        snprintf(list + used, size - used, "%s\"%s\"", *listed ? ", " : "", mp);
    if (n < 0 || (size_t)n >= size - used)
      break;
    used += (size_t)n;
    (*listed)++;
  }
}

/* Logs, once per distinct group, which mount points a reported superblock
 * stands for. Returns 0, or -ENOMEM when a group could not be remembered
 * (it is logged again). */
static int log_groups(ms_plan_t *p, const ms_config_t *cfg,
                      const ms_snapshot_t *s, const ms_log_t *log) {
  if (cfg->report_all_mountpoints)
    return 0;
  int rc = 0;
  /* One pass: members and a key (the member mount points) per leader. */
  for (size_t i = 0; i < s->nmounts; i++) {
    p->group_key_[i] = MS_FNV64_OFFSET;
    p->group_size_[i] = 0;
  }
  for (size_t j = 0; j < s->nmounts; j++) {
    if (!p->selected_[j])
      continue;
    size_t l = p->sb_leader_[j];
    const ms_span_t *mp = &s->mounts[j].mountpoint;
    p->group_key_[l] = ms_fnv64(p->group_key_[l], mp->ptr, mp->len + 1);
    p->group_size_[l]++;
  }
  for (size_t i = 0; i < s->nmounts; i++) {
    size_t members = p->group_size_[i];
    if (members < 2)
      continue;
    if (ms_keyset_add(&p->group_cur_, p->group_key_[i]) != 0)
      rc = -ENOMEM;
    if (ms_keyset_has(&p->group_prev_, p->group_key_[i]))
      continue;
    char list[1024] = "", mp[PATH_BUF];
    size_t listed = 0;
    list_members(p, s, i, list, sizeof(list), &listed);
    ms_log_path(mp, sizeof(mp), s->mounts[i].mountpoint);
    ms_log(log, MS_LOG_INFO,
           MS_LOG_PREFIX "%zu mount points show one NFS superblock, reported "
                         "once under \"%s\" (ReportAllMountPoints reports "
                         "each); the others: %s%s",
           members, mp, list, members - 1 > listed ? ", ..." : "");
  }
  ms_keyset_rotate(&p->group_prev_, &p->group_cur_);
  return rc;
}

/* ---- names ----------------------------------------------------------------
 */

/* A volume name a staged CSI mount took from its pods' mounts. */
struct ms_plan_staged {
  uint64_t key; /* FNV-1a 64 of the staging mount point */
  ms_name_t name;
};

/* Appends the decoded mount point of name k to p->name_paths_; its offset
 * goes to name_path_off_[k]. Returns 0 or -ENOMEM. */
static int keep_name_path(ms_plan_t *p, size_t k, const char *mp) {
  size_t len = strlen(mp) + 1, used = 0;
  if (k > 0)
    used = p->name_path_off_[k - 1] +
           strlen(p->name_paths_ + p->name_path_off_[k - 1]) + 1;
  if (used + len > p->name_paths_cap_) {
    size_t cap = p->name_paths_cap_ ? p->name_paths_cap_ : 4096;
    while (cap < used + len)
      cap *= 2;
    char *grown = realloc(p->name_paths_, cap);
    if (grown == NULL)
      return -ENOMEM;
    p->name_paths_ = grown;
    p->name_paths_cap_ = cap;
  }
  memcpy(p->name_paths_ + used, mp, len);
  p->name_path_off_[k] = used;
  return 0;
}

/* Which name wins in a superblock whose mounts match container layouts:
 * one that names the volume (a PV, a Docker or Podman volume) before the
 * hash of a staged CSI volume; among equals the smallest, so the order of
 * the file never decides. */
static bool better_name(enum ms_name_rule r, const ms_name_t *n,
                        enum ms_name_rule best_r, const ms_name_t *best) {
  bool hash = r == MS_RULE_K8S_CSI_GLOBAL;
  bool best_hash = best_r == MS_RULE_K8S_CSI_GLOBAL;
  if (hash != best_hash)
    return !hash;
  return strcmp(n->s, best->s) < 0;
}

/* Keeps the volume name a staged CSI mount took from its pods' mounts. */
static int remember_staged(ms_plan_t *p, uint64_t key, const ms_name_t *name) {
  struct ms_plan_staged *st =
      ms_keytab_append(&p->staged_cur_, sizeof(*st), key);
  if (st == NULL)
    return -ENOMEM;
  st->name = *name;
  return 0;
}

/* The name of reported record i (a superblock's first mount point, mp)
 * under NamingScheme auto (naming.h), in names[k], its rule in
 * name_rule_[k]. A superblock whose mount matches a container layout is
 * named by the best name of all its mounts (better_name): the PV a pod's
 * mount names over its staging mount's hash, two PVs of one export by the
 * smaller. A staged CSI volume keeps its PV name while the staging mount
 * stays, also between a pod's unmount and its successor's mount. Returns 1
 * when no layout matched (the caller applies the path rule), 0, or
 * -ENOMEM. */
static int name_auto(ms_plan_t *p, const ms_config_t *cfg,
                     const ms_snapshot_t *s, size_t i, size_t k,
                     const char *mp) {
  ms_name_t *best = &p->names[k];
  enum ms_name_rule rule = ms_name_container(best, mp, cfg->max_name_len);
  p->name_rule_[k] = (unsigned char)rule;
  if (rule == MS_RULE_PATH)
    return 1;
  char member[PATH_BUF];
  enum ms_name_rule best_r = rule;
  for (size_t j = i + 1; j < s->nmounts; j++) {
    if (!p->selected_[j] || p->sb_leader_[j] != i)
      continue;
    decode(member, sizeof(member), s->mounts[j].mountpoint);
    ms_name_t n;
    enum ms_name_rule r = ms_name_container(&n, member, cfg->max_name_len);
    if (r != MS_RULE_PATH && better_name(r, &n, best_r, best)) {
      *best = n;
      best_r = r;
    }
  }
  if (rule != MS_RULE_K8S_CSI_GLOBAL)
    return 0;
  uint64_t key = ms_fnv64(MS_FNV64_OFFSET, mp, strlen(mp));
  if (best_r == rule) { /* no pod's mount names it now: the kept name */
    const struct ms_plan_staged *kept =
        ms_keytab_find_new(&p->staged_prev_, sizeof(*kept), key);
    if (kept == NULL)
      return 0;
    *best = kept->name;
  }
  return remember_staged(p, key, best);
}

/* Names every reported record; fills reported[], names[], name_index[].
 * Returns 0 or -ENOMEM. */
static int name_records(ms_plan_t *p, const ms_config_t *cfg,
                        const ms_snapshot_t *s) {
  bool scheme_auto = cfg->naming_scheme == MS_SCHEME_AUTO;
  char src[PATH_BUF], mp[PATH_BUF];
  size_t n = 0;
  ms_keytab_clear(&p->staged_cur_);
  for (size_t i = 0; i < s->nmounts; i++) {
    p->name_index[i] = SIZE_MAX;
    if (!p->selected_[i] || p->sb_leader_[i] != i)
      continue;
    const ms_mount_t *m = &s->mounts[i];
    bool by_device = cfg->naming == MS_NAMING_DEVICE && m->device.len > 0;
    decode(mp, sizeof(mp), m->mountpoint);
    decode(src, sizeof(src), by_device ? m->device : m->mountpoint);
    p->name_rule_[n] = MS_RULE_PATH;
    int rc = scheme_auto && !by_device ? name_auto(p, cfg, s, i, n, mp) : 1;
    if (rc < 0)
      return rc;
    if (rc > 0)
      ms_name_from_path(&p->names[n], src, cfg->max_name_len);
    if (scheme_auto && keep_name_path(p, n, mp) != 0)
      return -ENOMEM;
    p->name_index[i] = n;
    p->reported[n++] = i;
  }
  /* only the staged names of this naming are kept */
  ms_keytab_swap(&p->staged_prev_, &p->staged_cur_);
  p->nreported = n;
  if (!scheme_auto) {
    ms_names_make_unique(p->names, n, p->order_, cfg->max_name_len);
    return 0;
  }
  for (size_t k = 0; k < n; k++)
    p->name_path_[k] = p->name_paths_ + p->name_path_off_[k];
  ms_names_make_unique_stable(p->names, n, p->order_, cfg->max_name_len,
                              p->name_path_);
  return 0;
}

size_t ms_plan_explain_names(const ms_plan_t *p, const ms_snapshot_t *s,
                             ms_name_explain_t *out, size_t max) {
  for (size_t i = 0; i < s->nmounts && i < max; i++) {
    size_t leader = p->sb_leader_[i], k = p->name_index[leader];
    bool named = p->selected_[i] && k != SIZE_MAX;
    out[i] = (ms_name_explain_t){
        .mountpoint = s->mounts[i].mountpoint,
        .name = named ? p->names[k].s : NULL,
        .rule =
            named ? ms_name_rule_str((enum ms_name_rule)p->name_rule_[k]) : "",
        .shared = named && leader != i};
  }
  return s->nmounts;
}

int ms_plan_make(ms_plan_t *p, const ms_config_t *cfg, const ms_snapshot_t *s,
                 const char *mi_buf, size_t mi_len, bool keep,
                 const ms_log_t *log) {
  bool same_set = same_mount_set(p, s, mi_buf, mi_len) && keep;
  if (grow(p, s->nmounts) != 0 ||
      select_records(p, cfg, s, mi_buf, mi_len, same_set, &p->same_records) !=
          0)
    return -ENOMEM;
  if (p->same_records)
    return 0;
  if (log_groups(p, cfg, s, log) != 0 || name_records(p, cfg, s) != 0)
    return -ENOMEM;
  for (size_t i = 0; i < s->nmounts; i++)
    p->in_report[i] = p->name_index[i] != SIZE_MAX;
  /* Among the reported records only: the transport is reported with the
   * first reported mount that uses the connection. */
  if (cfg->report_transport || cfg->report_stall)
    return ms_group_transports(&p->group_, s, p->in_report, p->xprt_leader);
  return 0;
}

void ms_plan_free(ms_plan_t *p) {
#define FREE(field) free(p->field);
  PLAN_ARRAYS(FREE)
#undef FREE
  ms_mountinfo_free(&p->mi_);
  ms_group_free(&p->group_);
  free(p->ident_);
  ms_keyset_free(&p->group_prev_);
  ms_keyset_free(&p->group_cur_);
  free(p->name_paths_);
  ms_keytab_free(&p->staged_prev_);
  ms_keytab_free(&p->staged_cur_);
  memset(p, 0, sizeof(*p));
}
