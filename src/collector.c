/* SPDX-License-Identifier: MIT
 *
 * collector.c: see collector.h for the contract.
 */
#define _GNU_SOURCE /* strerror_r returning char * */
#include "collector.h"

#include "iostat.h"
#include "keyset.h"
#include "mountinfo.h"
#include "mountstats.h"
#include "naming.h"
#include "rpcmap.h"
#include "span.h"
#include "stall.h"
#include "sunrpc.h"
#include "superblock.h"
#include "xprt.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_PREFIX MS_PLUGIN_NAME " plugin: "

/* Read errors of the file are repeated at most this often, seconds. */
#define FILE_ERROR_REPEAT 60.0
/* Malformed-line messages per interval; persistent ones are logged once. */
#define DIAG_LOG_MAX 10
/* Mount points listed when logging a shared superblock. */
#define GROUP_LOG_MAX 8
/* Longest decoded mount point or device handled in full. */
#define PATH_BUF 4096
/* Failure kinds (errno values) whose last log time is remembered. */
#define FILE_ERROR_KINDS 8
/* ReportStall: how often a mount no route maps is tried again, seconds
 * (its transport may have been closed at the last scan). */
#define RESCAN_UNMAPPED 60.0

/* Everything that lives across intervals. */
struct ms_collector {
  const ms_config_t *cfg;
  ms_sink_fn sink;
  ms_logger_fn logger;
  void *ctx;
  ms_snapshot_t snap;
  ms_mountinfo_t mi;
  ms_group_t group;
  /* per-record scratch, nmounts entries */
  size_t rec_cap;
  uint64_t *dev;
  unsigned char *selected;
  size_t *sb_leader;
  size_t *xprt_leader;
  size_t *name_index; /* record -> index in names, or SIZE_MAX */
  size_t *reported;   /* records reported, in file order */
  size_t *order;
  ms_name_t *names;
  uint64_t *group_key;
  size_t *group_size;
  size_t *sb_leader_new;    /* grouping of this interval, before the compare */
  unsigned char *in_report; /* records reported this interval */
  char (*addr)[MS_SUNRPC_ADDR_MAX]; /* ReportStall: server address, "" */
  size_t *mi_index;                 /* record -> mountinfo line, SIZE_MAX */
  /* NamingScheme auto, per reported name: its rule, and the decoded mount
   * point its stable suffix comes from (offsets into name_paths) */
  unsigned char *name_rule;
  size_t *name_path_off;
  const char **name_path;
  char *name_paths;
  size_t name_paths_cap;
  /* the volume names staged CSI mounts took from their pods' mounts, kept
   * while they stay reported, so a pod restart does not rename them */
  struct staged_name *staged_prev, *staged_cur;
  size_t nstaged_prev, nstaged_cur, staged_cap_prev, staged_cap_cur;
  uint64_t *grp_retrans, *grp_timeouts; /* per transport leader (estimate) */
  /* Selection, device numbers, superblocks, names and connections depend
   * only on the mount set: while it stays byte for byte the same (see
   * same_mount_set()) they are kept from the interval before. */
  char *ident; /* the mount set of the last completed interval */
  size_t ident_len, ident_cap;
  bool derived_valid; /* the last interval completed them */
  size_t nreported;
  /* rate limiting */
  bool file_failing;      /* the last read failed */
  bool file_error_logged; /* ...and an error was logged since it worked */
  struct {
    int err;
    double time;                   /* 0: never */
  } file_errors[FILE_ERROR_KINDS]; /* when each failure kind was logged */
  bool mountinfo_failing;
  ms_keyset_t diag_prev, diag_cur;
  ms_keyset_t group_prev, group_cur;
  ms_keyset_t other_xprt_prev, other_xprt_cur;
  bool have_dev; /* dev[] came from mountinfo this interval */
  /* ReportIostat: previous samples, and per-op results of one mount */
  ms_iostat_table_t iostat;
  /* ReportStall: what each mount's transports had waiting; the kernel's
   * queues and which switches carry each record, while the mount set
   * stays the same (rpc_valid) */
  ms_stall_table_t stall;
  ms_sunrpc_t rpc;
  ms_rpcmap_t rpcmap;
  bool rpc_valid;
  bool rpc_read;      /* this interval had a sysfs to read */
  double rpc_scanned; /* when the tree was last scanned */
  ms_op_avg_t *op_avg;
  unsigned char *op_has;
  size_t op_avg_cap;
};

/* ---- small helpers ------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static void
ms_log(const ms_collector_t *c, int level, const char *fmt, ...) {
  char msg[MS_LOG_LINE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  msg[sizeof(msg) - 1] = '\0';
  c->logger(c->ctx, level, msg);
}

static const char *errno_text(int err, char *buf, size_t size) {
  return strerror_r(err, buf, size);
}

int64_t ms_derive(uint64_t v) {
  return v <= (uint64_t)INT64_MAX ? (int64_t)v : -(int64_t)(UINT64_MAX - v) - 1;
}

void ms_printable(char *out, size_t size, const char *p, size_t len) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)p[i];
    size_t need = (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;
    if (o + need + 4 > size) { /* room for this, "..." and the NUL */
      memcpy(out + o, "...", 4);
      return;
    }
    if (need == 1)
      out[o++] = (char)c;
    else
      o += (size_t)snprintf(out + o, size - o, "\\%03o", c);
  }
  out[o] = '\0';
}

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

/* A mount point fit for a log line: decoded, then every byte outside
 * printable ASCII escaped as \ooo, bounded. */
static void mount_for_log(char *out, size_t size, ms_span_t s) {
  char decoded[PATH_BUF];
  size_t full = ms_unescape(decoded, sizeof(decoded), s.ptr, s.len);
  ms_printable(out, size, decoded,
               full < sizeof(decoded) ? full : sizeof(decoded) - 1);
}

static int grow_records(ms_collector_t *c, size_t n) {
  if (n <= c->rec_cap)
    return 0;
  size_t cap = c->rec_cap ? c->rec_cap : 64;
  while (cap < n)
    cap *= 2;
#define GROW(field)                                                            \
  do {                                                                         \
    void *p = realloc(c->field, cap * sizeof(*c->field));                      \
    if (p == NULL)                                                             \
      return -ENOMEM;                                                          \
    c->field = p;                                                              \
  } while (0)
  GROW(dev);
  GROW(selected);
  GROW(sb_leader);
  GROW(xprt_leader);
  GROW(name_index);
  GROW(reported);
  GROW(order);
  GROW(names);
  GROW(group_key);
  GROW(group_size);
  GROW(sb_leader_new);
  GROW(in_report);
  GROW(addr);
  GROW(mi_index);
  GROW(name_rule);
  GROW(name_path_off);
  GROW(name_path);
  GROW(grp_retrans);
  GROW(grp_timeouts);
#undef GROW
  c->rec_cap = cap;
  return 0;
}

/* ---- failures to read ---------------------------------------------------- */

/* Logs a failure to read the file: each kind (errno value) at most once a
 * minute, however often the file flaps between good and bad. */
static void file_error(ms_collector_t *c, int err, double now) {
  c->file_failing = true;
  size_t slot = 0;
  for (size_t i = 0; i < FILE_ERROR_KINDS; i++) {
    if (c->file_errors[i].time != 0 && c->file_errors[i].err == err) {
      /* A clock that went back counts as a minute gone by. */
      if (now >= c->file_errors[i].time &&
          now - c->file_errors[i].time < FILE_ERROR_REPEAT)
        return;
      slot = i;
      break;
    }
    if (c->file_errors[i].time < c->file_errors[slot].time)
      slot = i; /* the oldest, for a kind not seen yet */
  }
  c->file_errors[slot].err = err;
  c->file_errors[slot].time = now;
  c->file_error_logged = true;
  const ms_config_t *cfg = c->cfg;
  if (err == EFBIG)
    ms_log(c, MS_LOG_ERR,
           LOG_PREFIX "\"%s\" is larger than MaxFileSize (%zu bytes); "
                      "nothing reported until it is smaller.",
           cfg->file, cfg->max_file_size);
  else if (err == MS_ENOTREG)
    ms_log(c, MS_LOG_ERR,
           LOG_PREFIX "\"%s\" is not a regular file (a FIFO, device or "
                      "socket); nothing reported until it is.",
           cfg->file);
  else {
    char buf[256];
    ms_log(c, MS_LOG_ERR,
           LOG_PREFIX "reading \"%s\" failed: %s (errno %d); nothing "
                      "reported until it is readable.",
           cfg->file, errno_text(err, buf, sizeof(buf)), err);
  }
}

/* The mountinfo text of this interval, or NULL when there is none or it
 * could not be read (superblocks then come from identical counters). */
static const char *mountinfo_of(ms_collector_t *c, const ms_input_t *in) {
  const char *path = c->cfg->mountinfo_file;
  if (path == NULL)
    return NULL;
  if (in->mi_err != 0 || in->mi_buf == NULL) {
    if (!c->mountinfo_failing) {
      char buf[256];
      int err = in->mi_err != 0 ? in->mi_err : ENOENT;
      ms_log(c, MS_LOG_WARNING,
             LOG_PREFIX "reading \"%s\" failed: %s; superblocks are "
                        "recognised by identical counters instead.",
             path,
             err == MS_ENOTREG ? "not a regular file"
                               : errno_text(err, buf, sizeof(buf)));
    }
    c->mountinfo_failing = true;
    return NULL;
  }
  if (c->mountinfo_failing)
    ms_log(c, MS_LOG_INFO, LOG_PREFIX "\"%s\" is readable again.", path);
  c->mountinfo_failing = false;
  return in->mi_buf;
}

/* ---- the steps of one read ----------------------------------------------- */

/* Logs malformed lines: each (mount, reason, label) once while it persists,
 * at most DIAG_LOG_MAX new ones per interval. A problem not logged for lack
 * of room is not remembered, so it is logged in a later interval. */
static void log_diags(ms_collector_t *c) {
  const ms_snapshot_t *s = &c->snap;
  size_t logged = 0, suppressed = 0;
  for (size_t i = 0; i < s->ndiags; i++) {
    const ms_diag_t *d = &s->diags[i];
    ms_span_t mp = {"", 0};
    if (d->mount != MS_NO_MOUNT)
      mp = s->mounts[d->mount].mountpoint;
    /* The line's label: up to its first ':' (op name, "events", ...). */
    const char *colon = memchr(d->text.ptr, ':', d->text.len);
    size_t label_len = colon ? (size_t)(colon - d->text.ptr) : d->text.len;
    if (label_len > 64)
      label_len = 64;
    uint64_t key = ms_fnv64(MS_FNV64_OFFSET, mp.ptr, mp.len);
    key = ms_fnv64(key ^ (uint64_t)d->reason, d->text.ptr, label_len);
    if (ms_keyset_has(&c->diag_prev, key)) {
      ms_keyset_add(&c->diag_cur, key); /* still there: stays quiet */
      continue;
    }
    if (ms_keyset_has_unsorted(&c->diag_cur, key))
      continue; /* the same problem twice in this file */
    if (logged >= DIAG_LOG_MAX) {
      suppressed++;
      continue;
    }
    ms_keyset_add(&c->diag_cur, key);
    char mount[256], line[128];
    mount_for_log(mount, sizeof(mount), mp);
    ms_printable(line, sizeof(line), d->text.ptr, d->text.len);
    ms_log(c, MS_LOG_WARNING,
           LOG_PREFIX "%s line %zu (mount \"%s\"): %s; line skipped: \"%s\"",
           c->cfg->file, d->line, d->mount == MS_NO_MOUNT ? "-" : mount,
           ms_diag_reason_str(d->reason), line);
    logged++;
  }
  size_t unkept = s->diags_total - s->ndiags;
  if (suppressed > 0 || (unkept > 0 && logged > 0))
    ms_log(c, MS_LOG_WARNING,
           LOG_PREFIX "%s: %zu more malformed lines not logged this "
                      "interval.",
           c->cfg->file, suppressed + unkept);
  ms_keyset_rotate(&c->diag_prev, &c->diag_cur);
}

/* ---- the mount set ---------------------------------------------------- */

typedef struct {
  ms_collector_t *c;
  size_t off;  /* bytes of c->ident walked so far */
  bool same;   /* everything walked so far equals c->ident */
  bool failed; /* c->ident could not grow: treat as changed */
} ident_walk_t;

/* Walks the next piece of the mount set: compares it with c->ident while
 * they agree, and from the first difference on stores it instead. */
static void ident_put(ident_walk_t *w, const void *bytes, size_t len) {
  ms_collector_t *c = w->c;
  if (w->failed)
    return;
  if (w->same && w->off + len <= c->ident_len &&
      memcmp(c->ident + w->off, bytes, len) == 0) {
    w->off += len;
    return;
  }
  w->same = false;
  if (w->off + len > c->ident_cap) {
    size_t cap = c->ident_cap ? c->ident_cap : 4096;
    while (cap < w->off + len)
      cap *= 2;
    char *p = realloc(c->ident, cap);
    if (p == NULL) {
      w->failed = true;
      return;
    }
    c->ident = p;
    c->ident_cap = cap;
  }
  memcpy(c->ident + w->off, bytes, len);
  w->off += len;
}

static void ident_put_span(ident_walk_t *w, ms_span_t s) {
  ident_put(w, &s.len, sizeof(s.len));
  ident_put(w, s.ptr, s.len);
}

/* Returns true when this interval's mount set is the one the kept
 * selection, superblocks, names and connections were made from: the same
 * NFS records in the same order with the same device, mount point, fstype,
 * options and transports (word and source port of each xprt line), and the
 * same mountinfo text (or again none). Counters are not part of it. Costs a
 * comparison of those bytes; stores them when they differ. */
static bool same_mount_set(ms_collector_t *c, const char *mi_buf,
                           size_t mi_len) {
  const ms_snapshot_t *s = &c->snap;
  ident_walk_t w = {.c = c, .same = true};
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
  bool same = w.same && !w.failed && w.off == c->ident_len;
  c->ident_len = w.failed ? 0 : w.off;
  return same;
}

/* Decides which records are reported: selection, then one per superblock
 * (from mountinfo's device numbers when mi_buf is not NULL). */
static int select_records(ms_collector_t *c, const char *mi_buf, size_t mi_len,
                          bool same_set, bool *leaders_same) {
  const ms_config_t *cfg = c->cfg;
  const ms_snapshot_t *s = &c->snap;
  *leaders_same = same_set;
  if (cfg->report_all_mountpoints) {
    for (size_t i = 0; i < s->nmounts; i++)
      c->sb_leader[i] = i;
  }
  if (same_set && (c->have_dev || cfg->report_all_mountpoints)) {
    /* Selection and device numbers are those of the same mount set; without
     * device numbers, superblocks come from counters: regrouped below. */
    bool all_dev = true;
    for (size_t i = 0; i < s->nmounts && all_dev; i++)
      all_dev = c->dev[i] != 0 || !c->selected[i];
    if (all_dev || cfg->report_all_mountpoints)
      return 0;
  }
  if (!same_set) {
    char mp[PATH_BUF], dev[PATH_BUF], fstype[64];
    const ms_matcher_t *lists[] = {&cfg->sel_mountpoint, &cfg->sel_device,
                                   &cfg->sel_fstype};
    bool any_list = cfg->sel_mountpoint.count || cfg->sel_device.count ||
                    cfg->sel_fstype.count;
    for (size_t i = 0; i < s->nmounts; i++) {
      c->selected[i] = 1;
      if (!any_list)
        continue;
      const ms_mount_t *m = &s->mounts[i];
      decode(mp, sizeof(mp), m->mountpoint);
      decode(dev, sizeof(dev), m->device);
      decode(fstype, sizeof(fstype), m->fstype);
      const char *values[] = {mp, dev, fstype};
      c->selected[i] =
          (unsigned char)ms_selected(lists, values, 3, cfg->ignore_selected);
    }
    c->have_dev = false;
    if (mi_buf != NULL && ms_mountinfo_parse(&c->mi, mi_buf, mi_len) == 0) {
      ms_mountinfo_match_index(&c->mi, s, c->dev, c->mi_index);
      c->have_dev = true;
    }
    if (cfg->report_stall)
      for (size_t i = 0; i < s->nmounts; i++) {
        size_t mi = c->have_dev ? c->mi_index[i] : SIZE_MAX;
        ms_span_t superopts = {"", 0};
        if (mi != SIZE_MAX)
          superopts = c->mi.entries[mi].superopts;
        ms_rpcmap_server_addr(superopts, s->mounts[i].device, c->addr[i]);
      }
    if (cfg->report_all_mountpoints)
      return 0;
  }
  int rc = ms_group_superblocks(&c->group, s, c->have_dev ? c->dev : NULL,
                                c->selected, c->sb_leader_new);
  if (rc != 0)
    return rc;
  if (!same_set || s->nmounts == 0 ||
      memcmp(c->sb_leader, c->sb_leader_new,
             s->nmounts * sizeof(*c->sb_leader)) != 0) {
    size_t *t = c->sb_leader;
    c->sb_leader = c->sb_leader_new;
    c->sb_leader_new = t;
    *leaders_same = false;
  }
  return 0;
}

/* Logs, once per distinct group, which mount points a reported superblock
 * stands for. */
static void log_groups(ms_collector_t *c) {
  const ms_snapshot_t *s = &c->snap;
  if (c->cfg->report_all_mountpoints)
    return;
  /* One pass: members and a key (the member mount points) per leader. */
  for (size_t i = 0; i < s->nmounts; i++) {
    c->group_key[i] = MS_FNV64_OFFSET;
    c->group_size[i] = 0;
  }
  for (size_t j = 0; j < s->nmounts; j++) {
    if (!c->selected[j])
      continue;
    size_t l = c->sb_leader[j];
    const ms_span_t *mp = &s->mounts[j].mountpoint;
    c->group_key[l] = ms_fnv64(c->group_key[l], mp->ptr, mp->len + 1);
    c->group_size[l]++;
  }
  for (size_t i = 0; i < s->nmounts; i++) {
    size_t members = c->group_size[i];
    if (members < 2)
      continue;
    ms_keyset_add(&c->group_cur, c->group_key[i]);
    if (ms_keyset_has(&c->group_prev, c->group_key[i]))
      continue;
    char list[1024] = "", mp[PATH_BUF];
    size_t listed = 0, used = 0;
    for (size_t j = i + 1; j < s->nmounts && listed < GROUP_LOG_MAX; j++) {
      if (!c->selected[j] || c->sb_leader[j] != i)
        continue;
      mount_for_log(mp, sizeof(mp), s->mounts[j].mountpoint);
      int n = snprintf(list + used, sizeof(list) - used, "%s\"%s\"",
                       listed ? ", " : "", mp);
      if (n < 0 || (size_t)n >= sizeof(list) - used)
        break;
      used += (size_t)n;
      listed++;
    }
    mount_for_log(mp, sizeof(mp), s->mounts[i].mountpoint);
    ms_log(c, MS_LOG_INFO,
           LOG_PREFIX "%zu mount points show one NFS superblock, reported "
                      "once under \"%s\" (ReportAllMountPoints reports "
                      "each); the others: %s%s",
           members, mp, list, members - 1 > listed ? ", ..." : "");
  }
  ms_keyset_rotate(&c->group_prev, &c->group_cur);
}

struct staged_name {
  uint64_t key; /* FNV-1a 64 of the staging mount point */
  ms_name_t name;
};

/* Appends the decoded mount point of name k to c->name_paths; its offset
 * goes to name_path_off[k]. Returns 0 or -ENOMEM. */
static int keep_name_path(ms_collector_t *c, size_t k, const char *mp) {
  size_t len = strlen(mp) + 1, used = 0;
  if (k > 0)
    used = c->name_path_off[k - 1] +
           strlen(c->name_paths + c->name_path_off[k - 1]) + 1;
  if (used + len > c->name_paths_cap) {
    size_t cap = c->name_paths_cap ? c->name_paths_cap : 4096;
    while (cap < used + len)
      cap *= 2;
    char *p = realloc(c->name_paths, cap);
    if (p == NULL)
      return -ENOMEM;
    c->name_paths = p;
    c->name_paths_cap = cap;
  }
  memcpy(c->name_paths + used, mp, len);
  c->name_path_off[k] = used;
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
static int remember_staged(ms_collector_t *c, uint64_t key,
                           const ms_name_t *name) {
  if (c->nstaged_cur == c->staged_cap_cur) {
    size_t cap = c->staged_cap_cur ? c->staged_cap_cur * 2 : 8;
    struct staged_name *p = realloc(c->staged_cur, cap * sizeof(*p));
    if (p == NULL)
      return -ENOMEM;
    c->staged_cur = p;
    c->staged_cap_cur = cap;
  }
  c->staged_cur[c->nstaged_cur++] = (struct staged_name){key, *name};
  return 0;
}

/* The name of reported record i (a superblock's first mount point, mp)
 * under NamingScheme auto (naming.h), in c->names[k], its rule in
 * c->name_rule[k]. A superblock whose mount matches a container layout is
 * named by the best name of all its mounts (better_name): the PV a pod's
 * mount names over its staging mount's hash, two PVs of one export by the
 * smaller. A staged CSI volume keeps its PV name while the staging mount
 * stays, also between a pod's unmount and its successor's mount. Returns 1
 * when no layout matched (the caller applies the path rule), 0, or
 * -ENOMEM. */
static int name_auto(ms_collector_t *c, size_t i, size_t k, const char *mp) {
  const ms_snapshot_t *s = &c->snap;
  size_t max_len = c->cfg->max_name_len;
  ms_name_t *best = &c->names[k];
  enum ms_name_rule rule = ms_name_container(best, mp, max_len);
  c->name_rule[k] = (unsigned char)rule;
  if (rule == MS_RULE_PATH)
    return 1;
  char member[PATH_BUF];
  enum ms_name_rule best_r = rule;
  for (size_t j = i + 1; j < s->nmounts; j++) {
    if (!c->selected[j] || c->sb_leader[j] != i)
      continue;
    decode(member, sizeof(member), s->mounts[j].mountpoint);
    ms_name_t n;
    enum ms_name_rule r = ms_name_container(&n, member, max_len);
    if (r != MS_RULE_PATH && better_name(r, &n, best_r, best)) {
      *best = n;
      best_r = r;
    }
  }
  if (rule != MS_RULE_K8S_CSI_GLOBAL)
    return 0;
  uint64_t key = ms_fnv64(MS_FNV64_OFFSET, mp, strlen(mp));
  for (size_t p = 0; p < c->nstaged_prev && best_r == rule; p++)
    if (c->staged_prev[p].key == key) {
      *best = c->staged_prev[p].name;
      best_r = MS_RULE_K8S_CSI;
    }
  return best_r == rule ? 0 : remember_staged(c, key, best);
}

/* Names every reported record; fills c->reported and name_index. Returns
 * the number named, or SIZE_MAX when out of memory. */
static size_t name_records(ms_collector_t *c) {
  const ms_config_t *cfg = c->cfg;
  const ms_snapshot_t *s = &c->snap;
  bool scheme_auto = cfg->naming_scheme == MS_SCHEME_AUTO;
  char src[PATH_BUF], mp[PATH_BUF];
  size_t n = 0;
  c->nstaged_cur = 0;
  for (size_t i = 0; i < s->nmounts; i++) {
    c->name_index[i] = SIZE_MAX;
    if (!c->selected[i] || c->sb_leader[i] != i)
      continue;
    const ms_mount_t *m = &s->mounts[i];
    bool by_device = cfg->naming == MS_NAMING_DEVICE && m->device.len > 0;
    decode(mp, sizeof(mp), m->mountpoint);
    decode(src, sizeof(src), by_device ? m->device : m->mountpoint);
    c->name_rule[n] = MS_RULE_PATH;
    int rc = scheme_auto && !by_device ? name_auto(c, i, n, mp) : 1;
    if (rc < 0)
      return SIZE_MAX;
    if (rc > 0)
      ms_name_from_path(&c->names[n], src, cfg->max_name_len);
    if (scheme_auto && keep_name_path(c, n, mp) != 0)
      return SIZE_MAX;
    c->name_index[i] = n;
    c->reported[n++] = i;
  }
  /* only the staged names of this naming are kept */
  struct staged_name *t = c->staged_prev;
  size_t cap = c->staged_cap_prev;
  c->staged_prev = c->staged_cur;
  c->staged_cap_prev = c->staged_cap_cur;
  c->nstaged_prev = c->nstaged_cur;
  c->staged_cur = t;
  c->staged_cap_cur = cap;
  if (!scheme_auto) {
    ms_names_make_unique(c->names, n, c->order, cfg->max_name_len);
    return n;
  }
  for (size_t k = 0; k < n; k++)
    c->name_path[k] = c->name_paths + c->name_path_off[k];
  ms_names_make_unique_stable(c->names, n, c->order, cfg->max_name_len,
                              c->name_path);
  return n;
}

/* ---- records ------------------------------------------------------------- */

static void emit(ms_collector_t *c, const char *pi, enum ms_metric_type_id type,
                 const char *ti, size_t ti_len, const ms_value_t *v, size_t n) {
  ms_record_t r = {.plugin_instance = pi,
                   .type = &ms_metric_types[type],
                   .type_instance = ti != NULL ? ti : "",
                   .type_instance_len = ti != NULL ? ti_len : 0,
                   .values = v,
                   .values_len = n};
  c->sink(c->ctx, &r);
}

static void emit_str(ms_collector_t *c, const char *pi,
                     enum ms_metric_type_id type, const char *ti,
                     const ms_value_t *v, size_t n) {
  emit(c, pi, type, ti, ti != NULL ? strlen(ti) : 0, v, n);
}

static void emit_counters(ms_collector_t *c, const char *pi,
                          enum ms_metric_type_id type, const char *ti,
                          const uint64_t *u, size_t n) {
  ms_value_t v[32];
  for (size_t i = 0; i < n && i < sizeof(v) / sizeof(v[0]); i++)
    v[i].derive = ms_derive(u[i]);
  emit_str(c, pi, type, ti, v, n);
}

static bool op_selected(const ms_collector_t *c, const char *name) {
  const ms_config_t *cfg = c->cfg;
  return cfg->sel_op.count == 0 ||
         ms_matcher_match(&cfg->sel_op, name) != cfg->ignore_selected_op;
}

static void emit_ops(ms_collector_t *c, const char *pi, const ms_mount_t *m) {
  const ms_config_t *cfg = c->cfg;
  const ms_snapshot_t *s = &c->snap;
  char name[MS_OP_NAME_MAX + 1];
  ms_value_t v[MS_OP_FIELDS];
  for (size_t k = 0; k < m->op_count; k++) {
    const ms_op_t *o = &s->ops[m->op_first + k];
    if (o->v[MS_OP_OPS] == 0 && !cfg->report_zero_ops)
      continue;
    if (cfg->sel_op.count > 0) {
      memcpy(name, o->name.ptr, o->name.len);
      name[o->name.len] = '\0';
      if (!op_selected(c, name))
        continue;
    }
    for (size_t i = 0; i < MS_OP_FIELDS; i++)
      v[i].derive = ms_derive(o->v[i]);
    /* The parser keeps op names to MS_OP_NAME_MAX bytes. */
    emit(c, pi, MS_TYPE_NFS_OP, o->name.ptr, o->name.len, v, 8);
    if (cfg->report_op_errors && o->nfields >= MS_OP_FIELDS)
      emit(c, pi, MS_TYPE_NFS_OP_ERRORS, o->name.ptr, o->name.len,
           &v[MS_OP_ERRORS], 1);
  }
}

static void emit_xprt_values(ms_collector_t *c, const char *pi, const char *ti,
                             const ms_xprt_values_t *x) {
  emit_counters(c, pi, MS_TYPE_NFS_XPRT, ti, x->common, 6);
  if (x->have_conn) {
    ms_value_t v[] = {{.derive = ms_derive(x->connect_count)},
                      {.derive = ms_derive(x->connect_time)},
                      {.gauge = (double)x->idle_time}};
    emit_str(c, pi, MS_TYPE_NFS_XPRT_CONN, ti, v, 3);
  }
  if (x->have_slots) {
    ms_value_t v[] = {{.gauge = (double)x->max_slots},
                      {.derive = ms_derive(x->sending_u)},
                      {.derive = ms_derive(x->pending_u)}};
    emit_str(c, pi, MS_TYPE_NFS_XPRT_SLOTS, ti, v, 3);
  }
  if (x->have_rdma) {
    emit_counters(c, pi, MS_TYPE_NFS_XPRT_RDMA, ti, x->rdma, 5);
    emit_counters(c, pi, MS_TYPE_NFS_XPRT_RDMA_COPY, ti, x->rdma + 5, 5);
  }
  if (x->have_rdma_mr)
    emit_counters(c, pi, MS_TYPE_NFS_XPRT_RDMA_MR, ti, x->rdma + 10, 7);
}

/* Notes an unknown transport word once per mount while it persists. */
static void note_other_xprt(ms_collector_t *c, const ms_mount_t *m,
                            const ms_xprt_t *x) {
  uint64_t key =
      ms_fnv64(MS_FNV64_OFFSET, m->mountpoint.ptr, m->mountpoint.len);
  key = ms_fnv64(key, x->name.ptr, x->name.len);
  ms_keyset_add(&c->other_xprt_cur, key);
  if (ms_keyset_has(&c->other_xprt_prev, key))
    return;
  char mp[256], word[64];
  mount_for_log(mp, sizeof(mp), m->mountpoint);
  ms_printable(word, sizeof(word), x->name.ptr, x->name.len);
  ms_log(c, MS_LOG_NOTICE,
         LOG_PREFIX "%s line %zu (mount \"%s\"): unknown transport \"%s\" "
                    "is not reported.",
         c->cfg->file, x->line, mp, word);
}

static void emit_transports(ms_collector_t *c, const char *pi,
                            const ms_mount_t *m) {
  const ms_snapshot_t *s = &c->snap;
  ms_xprt_values_t sum;
  size_t summed = 0;
  const ms_xprt_t *first = NULL;
  for (size_t k = 0; k < m->xprt_count; k++) {
    const ms_xprt_t *x = &s->xprts[m->xprt_first + k];
    ms_xprt_values_t one;
    if (ms_xprt_normalise(x, &one) != 0) {
      note_other_xprt(c, m, x);
      continue;
    }
    char ti[MS_NAME_SIZE];
    if (c->cfg->report_per_transport) {
      snprintf(ti, sizeof(ti), "%.*s-%zu", (int)x->name.len, x->name.ptr, k);
      emit_xprt_values(c, pi, ti, &one);
      continue;
    }
    if (first == NULL) {
      first = x;
      sum = one;
      summed = 1;
    } else if (x->kind == first->kind) {
      ms_xprt_add(&sum, &one);
      summed++;
    }
  }
  if (summed > 0) {
    char ti[MS_NAME_SIZE];
    snprintf(ti, sizeof(ti), "%.*s", (int)first->name.len, first->name.ptr);
    emit_xprt_values(c, pi, ti, &sum);
    ms_value_t count = {.gauge = (double)summed};
    emit_str(c, pi, MS_TYPE_COUNT, "transports", &count, 1);
  }
}

/* The key of what the collector remembers of a reported mount between
 * reads (ReportIostat, ReportStall): name, device and superblock, so that
 * another mount taking the name is never compared with the one before it. */
static uint64_t mount_key(const ms_collector_t *c, const char *pi, size_t rec) {
  const ms_mount_t *m = &c->snap.mounts[rec];
  uint64_t key = ms_fnv64(MS_FNV64_OFFSET, pi, strlen(pi) + 1);
  key = ms_fnv64(key, m->device.ptr, m->device.len);
  if (c->have_dev)
    key = ms_fnv64(key, &c->dev[rec], sizeof(c->dev[rec]));
  return key;
}

/* ---- ReportStall ----------------------------------------------------------
 */

/* The kernel's queues: the whole sysfs layout again when the reported
 * records changed, a read failed, or a mount found no transport a while ago
 * (it may have been closed then); else only the switches in use. */
static int stall_read_sysfs(ms_collector_t *c, const ms_fs_t *fs,
                            bool same_records, double now) {
  const ms_snapshot_t *s = &c->snap;
  c->rpc_read = fs != NULL;
  if (fs == NULL) {
    c->rpc_valid = false;
    return 0;
  }
  bool rescan =
      !same_records || !c->rpc_valid ||
      (c->rpcmap.unmapped > 0 &&
       !(now >= c->rpc_scanned && now - c->rpc_scanned < RESCAN_UNMAPPED));
  if (!rescan && ms_sunrpc_refresh(&c->rpc, fs) != 0)
    rescan = true;
  if (!rescan)
    return 0;
  c->rpc_valid = false;
  if (ms_sunrpc_scan(&c->rpc, fs) != 0)
    return -ENOMEM;
  for (size_t i = 0; i < s->nmounts; i++)
    c->in_report[i] = c->name_index[i] != SIZE_MAX;
  ms_rpcmap_input_t in = {c->in_report, c->have_dev ? c->dev : NULL, c->addr};
  if (ms_rpcmap_build(&c->rpcmap, s, &in, &c->rpc) != 0)
    return -ENOMEM;
  c->rpc_valid = true;
  c->rpc_scanned = now;
  return 0;
}

/* The kernel's queues (above), and the estimate's sums over the mounts that
 * share a transport where a mount has no queues. */
static int stall_prepare(ms_collector_t *c, const ms_fs_t *fs,
                         bool same_records, double now) {
  const ms_snapshot_t *s = &c->snap;
  int rc = stall_read_sysfs(c, fs, same_records, now);
  if (rc != 0)
    return rc;
  if (c->rpc_valid && c->rpcmap.unmapped == 0)
    return 0; /* every reported mount has the kernel's queues */
  for (size_t i = 0; i < s->nmounts; i++)
    c->grp_retrans[i] = c->grp_timeouts[i] = 0;
  for (size_t k = 0; k < c->nreported; k++) {
    size_t rec = c->reported[k], leader = c->xprt_leader[rec];
    ms_stall_op_counts(s, rec, &c->grp_retrans[leader],
                       &c->grp_timeouts[leader]);
  }
  return 0;
}

typedef struct {
  double waiting, queued, pending, connected;
} rpc_totals_t;

/* The kernel's queues of the switches that carry record rec. Tasks wait for
 * the server in a connected transport's queues (binding, sending, pending
 * a reply, backlog); a closed transport prints none, but the switch still
 * counts its tasks, so the switch's tasks beyond its connected transports'
 * are waiting for a connection. */
static void rpc_totals(const ms_collector_t *c, size_t rec, rpc_totals_t *out) {
  const ms_rpcmap_t *m = &c->rpcmap;
  *out = (rpc_totals_t){0};
  for (size_t k = m->first[rec]; k < m->first[rec] + m->count[rec]; k++) {
    const ms_rpc_switch_t *sw = ms_sunrpc_switch(&c->rpc, m->ids[k]);
    if (sw == NULL)
      continue;
    uint64_t waiting = 0, tasks = 0;
    bool closed = false;
    for (size_t j = sw->first; j < sw->first + sw->count; j++) {
      const ms_rpc_queues_t *q = &c->rpc.xprts[j].q;
      if (!q->connected) {
        closed = true;
        continue;
      }
      waiting += (uint64_t)q->binding + q->sending + q->pending + q->backlog;
      tasks += q->tasks;
      out->pending += q->pending;
      out->connected++;
    }
    if (closed && sw->queue_len > tasks)
      waiting += sw->queue_len - tasks;
    out->waiting += (double)waiting;
    out->queued += (double)sw->queue_len;
  }
  if (out->connected == 0)
    out->pending = NAN; /* no transport prints its queues */
}

/* Says once per mount (and again when it changes) where its ReportStall
 * values come from. */
static void log_route(ms_collector_t *c, size_t rec) {
  const ms_rpcmap_t *m = &c->rpcmap;
  enum ms_rpc_route route =
      c->rpc_valid ? (enum ms_rpc_route)m->route[rec] : MS_ROUTE_NONE;
  char mp[256];
  mount_for_log(mp, sizeof(mp), c->snap.mounts[rec].mountpoint);
  if (route == MS_ROUTE_NONE) {
    ms_log(c, MS_LOG_INFO,
           LOG_PREFIX "mount \"%s\": ReportStall estimates from mountstats "
                      "(%s).",
           mp,
           !c->rpc_read        ? "SysfsRoot is \"\""
           : !c->rpc.have_tree ? "no sunrpc sysfs tree: a kernel before "
                                 "5.14, or sysfs not mounted"
                               : "no transport in the sunrpc sysfs tree "
                                 "matches it");
    return;
  }
  ms_log(c, MS_LOG_INFO,
         LOG_PREFIX "mount \"%s\": ReportStall reads the kernel's RPC queues "
                    "(route: %s; switch-%u%s).",
         mp, ms_rpcmap_route_name(route), m->ids[m->first[rec]],
         m->ambiguous[rec] ? " and the other switches of its server address "
                             "(ambiguous)"
                           : "");
}

/* ReportStall: per reported mount, whether its server answers (stall.h);
 * once per transport, the kernel's queues. */
static void emit_stall(ms_collector_t *c, const char *pi, size_t rec,
                       double now) {
  const ms_snapshot_t *s = &c->snap;
  const ms_mount_t *m = &s->mounts[rec];
  const ms_xprt_t *first = NULL;
  for (size_t k = 0; k < m->xprt_count && first == NULL; k++)
    if (s->xprts[m->xprt_first + k].kind != MS_XPRT_OTHER)
      first = &s->xprts[m->xprt_first + k];
  uint64_t sends, recvs;
  if (first == NULL ||
      !ms_stall_transport_counts(s, rec, first->kind, &sends, &recvs))
    return;
  enum ms_rpc_route route =
      c->rpc_valid ? (enum ms_rpc_route)c->rpcmap.route[rec] : MS_ROUTE_NONE;
  ms_stall_input_t in = {.recvs = recvs, .route = route};
  rpc_totals_t q = {0};
  size_t leader = c->xprt_leader[rec];
  if (route != MS_ROUTE_NONE) {
    rpc_totals(c, rec, &q);
    in.sysfs = true;
    in.waiting = q.waiting;
  } else {
    in.x = ms_stall_x(sends, recvs, c->grp_retrans[leader],
                      c->grp_timeouts[leader]);
  }
  ms_stall_t st;
  if (ms_stall_update(&c->stall, mount_key(c, pi, rec), now, &in, &st) != 0)
    return; /* learned again from the next read */
  if (st.route_changed)
    log_route(c, rec);
  ms_value_t v[] = {
      {.gauge = st.waiting}, {.gauge = st.since_reply}, {.gauge = st.stalled}};
  emit_str(c, pi, MS_TYPE_NFS_XPRT_STALL, in.sysfs ? "sysfs" : "estimate", v,
           3);
  if (in.sysfs && leader == rec) {
    ms_value_t qv[] = {
        {.gauge = q.queued}, {.gauge = q.pending}, {.gauge = q.connected}};
    emit(c, pi, MS_TYPE_NFS_XPRT_QUEUE, first->name.ptr, first->name.len, qv,
         3);
  }
}

/* nfsiostat's averages over the interval since the previous read. */
static void emit_iostat(ms_collector_t *c, const char *pi, size_t rec,
                        double now) {
  const ms_snapshot_t *s = &c->snap;
  const ms_mount_t *m = &s->mounts[rec];
  if (m->op_count > c->op_avg_cap) {
    ms_op_avg_t *avg = realloc(c->op_avg, m->op_count * sizeof(*avg));
    if (avg == NULL)
      return;
    c->op_avg = avg;
    unsigned char *has = realloc(c->op_has, m->op_count);
    if (has == NULL)
      return;
    c->op_has = has;
    c->op_avg_cap = m->op_count;
  }
  uint64_t key = mount_key(c, pi, rec);
  ms_mount_rate_t rate;
  int rc = ms_iostat_update(&c->iostat, key, now, s, rec, c->op_avg, c->op_has,
                            &rate);
  if (rc != MS_IOSTAT_VALUES)
    return; /* first sample, or a remount: a fresh baseline, no value */

  ms_value_t mount_values[] = {{.gauge = rate.have_ops ? rate.ops : NAN},
                               {.gauge = rate.read_ops},
                               {.gauge = rate.read_kb},
                               {.gauge = rate.write_ops},
                               {.gauge = rate.write_kb}};
  emit(c, pi, MS_TYPE_NFS_IOSTAT, NULL, 0, mount_values, 5);
  char name[MS_OP_NAME_MAX + 1];
  for (size_t k = 0; k < m->op_count; k++) {
    if (!c->op_has[k])
      continue; /* the op did not move: an average of nothing */
    const ms_op_t *o = &s->ops[m->op_first + k];
    memcpy(name, o->name.ptr, o->name.len);
    name[o->name.len] = '\0';
    if (!op_selected(c, name))
      continue;
    const ms_op_avg_t *a = &c->op_avg[k];
    ms_value_t v[] = {{.gauge = a->queue_ms}, {.gauge = a->rtt_ms},
                      {.gauge = a->exec_ms},  {.gauge = a->kb_sent},
                      {.gauge = a->kb_recv},  {.gauge = a->retrans_pct},
                      {.gauge = a->timeouts}};
    emit(c, pi, MS_TYPE_NFS_OP_AVG, name, o->name.len, v, 7);
  }
}

/* The event types; a group the kernel did not print (pNFS before 2.6.39)
 * is left out. */
static const struct {
  enum ms_metric_type_id type;
  unsigned first; /* in events[] */
} event_groups[] = {
    {MS_TYPE_NFS_EVENTS_CACHE, 0}, {MS_TYPE_NFS_EVENTS_VFS, 4},
    {MS_TYPE_NFS_EVENTS_FILE, 12}, {MS_TYPE_NFS_EVENTS_IO, 18},
    {MS_TYPE_NFS_EVENTS_PNFS, 25},
};

static void emit_mount(ms_collector_t *c, const char *pi, size_t rec,
                       double now) {
  const ms_config_t *cfg = c->cfg;
  const ms_mount_t *m = &c->snap.mounts[rec];
  if (cfg->report_age && (m->have & MS_HAVE_AGE)) {
    ms_value_t age = {.gauge = (double)m->age};
    emit_str(c, pi, MS_TYPE_UPTIME, "age", &age, 1);
  }
  if (cfg->report_events && (m->have & MS_HAVE_EVENTS)) {
    for (size_t g = 0; g < sizeof(event_groups) / sizeof(event_groups[0]);
         g++) {
      unsigned first = event_groups[g].first;
      size_t count = ms_metric_types[event_groups[g].type].ds_num;
      if (m->nevents >= first + count)
        emit_counters(c, pi, event_groups[g].type, NULL, m->events + first,
                      count);
    }
  }
  if (cfg->report_bytes && (m->have & MS_HAVE_BYTES))
    emit_counters(c, pi, MS_TYPE_NFS_BYTES, NULL, m->bytes, MS_BYTES_COUNT);
  if (cfg->report_fscache && (m->have & MS_HAVE_FSC))
    emit_counters(c, pi, MS_TYPE_NFS_FSCACHE, NULL, m->fsc, MS_FSC_COUNT);
  if (cfg->report_transport && c->xprt_leader[rec] == rec)
    emit_transports(c, pi, m);
  if (cfg->report_stall)
    emit_stall(c, pi, rec, now);
  if (cfg->report_ops)
    emit_ops(c, pi, m);
  if (cfg->report_iostat)
    emit_iostat(c, pi, rec, now);
}

/* Everything after reading: parse, select, group, name, emit. */
static int process(ms_collector_t *c, const char *buf, size_t len,
                   const char *mi_buf, size_t mi_len, const ms_fs_t *sysfs,
                   double now) {
  const ms_config_t *cfg = c->cfg;
  bool derived_valid = c->derived_valid;
  c->derived_valid = false; /* until this interval completes */
  if (ms_parse(&c->snap, buf, len) != 0) {
    ms_log(c, MS_LOG_ERR, LOG_PREFIX "out of memory parsing \"%s\".",
           cfg->file);
    return -ENOMEM;
  }
  log_diags(c);
  const ms_snapshot_t *s = &c->snap;
  bool same_set = same_mount_set(c, mi_buf, mi_len) && derived_valid;
  bool leaders_same = false;
  if (grow_records(c, s->nmounts) != 0 ||
      select_records(c, mi_buf, mi_len, same_set, &leaders_same) != 0) {
    ms_log(c, MS_LOG_ERR, LOG_PREFIX "out of memory.");
    return -ENOMEM;
  }
  if (!leaders_same) {
    log_groups(c);
    c->nreported = name_records(c);
    if (c->nreported == SIZE_MAX) {
      c->nreported = 0;
      ms_log(c, MS_LOG_ERR, LOG_PREFIX "out of memory.");
      return -ENOMEM;
    }
    if (cfg->report_transport || cfg->report_stall) {
      /* Among the reported records only: the transport is reported with
       * the first reported mount that uses the connection. */
      for (size_t i = 0; i < s->nmounts; i++)
        c->in_report[i] = c->name_index[i] != SIZE_MAX;
      if (ms_group_transports(&c->group, s, c->in_report, c->xprt_leader) !=
          0) {
        ms_log(c, MS_LOG_ERR, LOG_PREFIX "out of memory.");
        return -ENOMEM;
      }
    }
  }
  size_t n = c->nreported;
  if (cfg->report_stall && stall_prepare(c, sysfs, leaders_same, now) != 0) {
    ms_log(c, MS_LOG_ERR, LOG_PREFIX "out of memory.");
    return -ENOMEM;
  }
  if (cfg->report_iostat)
    ms_iostat_begin(&c->iostat);
  for (size_t k = 0; k < n; k++)
    emit_mount(c, c->names[k].s, c->reported[k], now);
  if (cfg->report_iostat)
    ms_iostat_end(&c->iostat); /* forgets mounts that went away */
  if (cfg->report_stall)
    ms_stall_end(&c->stall); /* forgets mounts that went away */
  ms_keyset_rotate(&c->other_xprt_prev, &c->other_xprt_cur);
  c->derived_valid = true;
  return 0;
}

/* ---- the object ---------------------------------------------------------- */

ms_collector_t *ms_collector_new(const ms_config_t *cfg, ms_sink_fn sink,
                                 ms_logger_fn logger, void *ctx) {
  ms_collector_t *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return NULL;
  c->cfg = cfg;
  c->sink = sink;
  c->logger = logger;
  c->ctx = ctx;
  return c;
}

int ms_collector_run(ms_collector_t *c, const ms_input_t *in) {
  if (in->err != 0) {
    file_error(c, in->err, in->now);
    return 0; /* keep the normal interval: values resume when readable */
  }
  if (c->file_failing && c->file_error_logged)
    ms_log(c, MS_LOG_INFO, LOG_PREFIX "\"%s\" is readable again.",
           c->cfg->file);
  c->file_failing = c->file_error_logged = false;
  const char *mi_buf = mountinfo_of(c, in);
  return process(c, in->buf, in->len, mi_buf, mi_buf ? in->mi_len : 0,
                 in->sysfs, in->now);
}

size_t ms_collector_explain_names(const ms_collector_t *c,
                                  ms_name_explain_t *out, size_t max) {
  const ms_snapshot_t *s = &c->snap;
  if (!c->derived_valid)
    return 0;
  for (size_t i = 0; i < s->nmounts && i < max; i++) {
    size_t leader = c->sb_leader[i], k = c->name_index[leader];
    bool named = c->selected[i] && k != SIZE_MAX;
    out[i] = (ms_name_explain_t){
        .mountpoint = s->mounts[i].mountpoint,
        .name = named ? c->names[k].s : NULL,
        .rule =
            named ? ms_name_rule_str((enum ms_name_rule)c->name_rule[k]) : "",
        .shared = named && leader != i};
  }
  return s->nmounts;
}

size_t ms_collector_snapshot_bytes(const ms_collector_t *c) {
  return ms_snapshot_bytes(&c->snap);
}

void ms_collector_free(ms_collector_t *c) {
  if (c == NULL)
    return;
  ms_snapshot_free(&c->snap);
  ms_mountinfo_free(&c->mi);
  ms_group_free(&c->group);
  free(c->dev);
  free(c->selected);
  free(c->sb_leader);
  free(c->xprt_leader);
  free(c->name_index);
  free(c->reported);
  free(c->order);
  free(c->names);
  free(c->group_key);
  free(c->group_size);
  free(c->sb_leader_new);
  free(c->in_report);
  free(c->ident);
  ms_iostat_free(&c->iostat);
  ms_stall_free(&c->stall);
  ms_sunrpc_free(&c->rpc);
  ms_rpcmap_free(&c->rpcmap);
  free(c->addr);
  free(c->mi_index);
  free(c->name_rule);
  free(c->name_path_off);
  free(c->name_path);
  free(c->name_paths);
  free(c->staged_prev);
  free(c->staged_cur);
  free(c->grp_retrans);
  free(c->grp_timeouts);
  free(c->op_avg);
  free(c->op_has);
  ms_keyset_free(&c->diag_prev);
  ms_keyset_free(&c->diag_cur);
  ms_keyset_free(&c->group_prev);
  ms_keyset_free(&c->group_cur);
  ms_keyset_free(&c->other_xprt_prev);
  ms_keyset_free(&c->other_xprt_cur);
  free(c);
}
