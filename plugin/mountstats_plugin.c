/* SPDX-License-Identifier: MIT
 *
 * collectd mountstats plugin: NFS client statistics per mount and per
 * operation, from /proc/self/mountstats.
 *
 * Each interval: read the whole file into a reused buffer, parse it
 * (src/mountstats.c), select mounts, report each superblock once, name the
 * mounts, and dispatch DERIVE counters with one timestamp for the snapshot.
 * The file is only ever read: no mount point is stat()ed or statfs()ed, so a
 * dead NFS server cannot hang the daemon.
 */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "iostat.h"
#include "matcher.h"
#include "mountinfo.h"
#include "mountstats.h"
#include "naming.h"
#include "sort.h"
#include "superblock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MOUNTSTATS_VERSION
#define MOUNTSTATS_VERSION "unknown"
#endif

#define PLUGIN_NAME "mountstats"

/* ms_read_whole()'s answer for a FIFO, device or socket: never read, since
 * they can block or never end. Not an errno value. */
#define MS_ENOTREG (-1)

/* Read errors of the file are repeated at most this often. */
#define FILE_ERROR_REPEAT TIME_T_TO_CDTIME_T(60)
/* Malformed-line messages per interval; persistent ones are logged once. */
#define DIAG_LOG_MAX 10
/* Mount points listed when logging a shared superblock. */
#define GROUP_LOG_MAX 8
/* Default cap on the size of the file (a real one is ~4 kB per mount). */
#define DEFAULT_MAX_FILE_SIZE (256u << 20)
/* Longest decoded mount point or device the plugin handles in full. */
#define PATH_BUF 4096
/* Default longest instance name. write_graphite formats each value list in
 * a 1428-byte buffer and drops the value list when it does not fit: with 8
 * data sources (nfs_op) and 64-byte names, host name and Prefix may take
 * ~30 bytes with 20-digit values and 20-character op names, ~48 with
 * 12-digit values. */
#define DEFAULT_MAX_NAME_LEN 64
/* Failure kinds (errno values) whose last log time is remembered. */
#define FILE_ERROR_KINDS 8

enum naming_source { NAMING_MOUNTPOINT, NAMING_DEVICE };

typedef struct {
  char *file;
  char *mountinfo_file; /* NULL: derived from file; "": not used */
  ms_matcher_t sel_mountpoint, sel_device, sel_fstype, sel_op;
  bool ignore_selected, ignore_selected_op;
  bool report_age, report_events, report_bytes, report_fscache;
  bool report_transport, report_ops, report_op_errors;
  bool report_zero_ops, report_per_transport, report_all_mountpoints;
  bool report_iostat;
  enum naming_source naming;
  size_t max_name_len;
  size_t max_file_size;
} ms_config_t;

/* A set of 64-bit keys, kept for one interval to log things once. */
typedef struct {
  uint64_t *v;
  size_t n, cap;
} keyset_t;

/* Everything that lives across intervals; freed in shutdown. */
typedef struct {
  char *buf; /* the file, read whole */
  size_t buf_cap;
  char *mi_buf; /* mountinfo */
  size_t mi_cap;
  ms_snapshot_t snap;
  mi_table_t mi;
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
  /* Selection, device numbers, superblocks, names and connections depend
   * only on the mount set: while it stays byte for byte the same (see
   * ms_same_mount_set()) they are kept from the interval before. */
  char *ident; /* the mount set of the last completed interval */
  size_t ident_len, ident_cap;
  bool derived_valid; /* the last interval completed them */
  size_t nreported;
  /* rate limiting */
  bool file_failing;      /* the last read failed */
  bool file_error_logged; /* ...and an error was logged since it worked */
  struct {
    int err;
    cdtime_t time;
  } file_errors[FILE_ERROR_KINDS]; /* when each failure kind was logged */
  bool mountinfo_failing;
  keyset_t diag_prev, diag_cur;
  keyset_t group_prev, group_cur;
  keyset_t other_xprt_prev, other_xprt_cur;
  bool have_dev;           /* dev[] came from mountinfo this interval */
  value_list_t vl;         /* see ms_vl_begin() */
  const char *vl_instance; /* the plugin_instance vl holds; NULL: none */
  const char *vl_type;     /* the type vl holds; NULL: none */
  /* ReportIostat: previous samples, and per-op results of one mount */
  ms_iostat_table_t iostat;
  ms_op_avg_t *op_avg;
  unsigned char *op_has;
  size_t op_avg_cap;
} ms_state_t;

static ms_config_t conf;
static ms_state_t state;

/* ---- data sets ------------------------------------------------------- */

typedef struct {
  const char *type;
  const char *const *names;
  size_t n;
  const int *gauge; /* 1 for a GAUGE data source, NULL: all DERIVE */
  bool all_gauge;   /* every data source a GAUGE with minimum 0 */
} ms_type_t;

static const char *const op_ds[] = {"ops",        "trans",      "timeouts",
                                    "bytes_sent", "bytes_recv", "queue_ms",
                                    "rtt_ms",     "exec_ms"};
static const char *const value_ds[] = {"value"};
static const char *const xprt_ds[] = {"bind_count", "sends", "recvs",
                                      "bad_xids",   "req_u", "bklog_u"};
static const char *const conn_ds[] = {"connect_count", "connect_time",
                                      "idle_time"};
static const int conn_gauge[] = {0, 0, 1};
static const char *const slots_ds[] = {"max_slots", "sending_u", "pending_u"};
static const int slots_gauge[] = {1, 0, 0};
static const char *const fscache_ds[] = {
    "pages_read_ok", "pages_read_fail", "pages_written_ok",
    "pages_written_fail", "pages_uncached"};
/* RDMA fields 11-27 in print order, in three types of at most 8 (see
 * ms_types). rrdtool allows data source names of 19 characters at most. */
static const char *const rdma_ds[] = {
    "read_chunks",     "write_chunks",  "reply_chunks",     "rdma_request",
    "rdma_reply",      "pullup_copy",   "fixup_copy",       "hardway_register",
    "failed_marshal",  "bad_reply",     "nomsg_call",       "mrs_recycled",
    "mrs_orphaned",    "mrs_allocated", "local_inv_needed", "empty_sendctx_q",
    "reply_waits_send"};
static const char *const op_avg_ds[] = {"queue_ms", "rtt_ms",  "exec_ms",
                                        "kb_sent",  "kb_recv", "retrans_pct",
                                        "timeouts"};
static const char *const iostat_ds[] = {"ops", "read_ops", "read_kb",
                                        "write_ops", "write_kb"};
static const char *events_ds[MS_EVENTS_NAMED];
static const char *bytes_ds[MS_BYTES_COUNT];

/* Every type has at most 8 data sources: write_graphite formats a value
 * list in a 1428-byte buffer and drops it whole when it does not fit, so
 * the 27 event counters come in five groups, the 17 RDMA counters in three. */
typedef struct {
  const char *type;
  unsigned first, count; /* a range of events[] */
} ms_event_group_t;

static const ms_event_group_t ms_event_groups[] = {
    {"nfs_events_cache", 0, 4}, /* inode_revalidate .. attr_invalidate */
    {"nfs_events_vfs", 4, 8},   /* vfs_open .. vfs_write_pages */
    {"nfs_events_file", 12, 6}, /* vfs_getdents .. vfs_release */
    {"nfs_events_io", 18, 7},   /* congestion_wait .. delay */
    {"nfs_events_pnfs", 25, 2}, /* pnfs_read, pnfs_write: 2.6.39+ */
};

static const ms_type_t ms_types[] = {
    {"nfs_op", op_ds, STATIC_ARRAY_SIZE(op_ds), NULL, false},
    {"nfs_op_errors", value_ds, 1, NULL, false},
    {"nfs_events_cache", events_ds + 0, 4, NULL, false},
    {"nfs_events_vfs", events_ds + 4, 8, NULL, false},
    {"nfs_events_file", events_ds + 12, 6, NULL, false},
    {"nfs_events_io", events_ds + 18, 7, NULL, false},
    {"nfs_events_pnfs", events_ds + 25, 2, NULL, false},
    {"nfs_bytes", bytes_ds, MS_BYTES_COUNT, NULL, false},
    {"nfs_fscache", fscache_ds, STATIC_ARRAY_SIZE(fscache_ds), NULL, false},
    {"nfs_xprt", xprt_ds, STATIC_ARRAY_SIZE(xprt_ds), NULL, false},
    {"nfs_xprt_conn", conn_ds, STATIC_ARRAY_SIZE(conn_ds), conn_gauge, false},
    {"nfs_xprt_slots", slots_ds, STATIC_ARRAY_SIZE(slots_ds), slots_gauge,
     false},
    {"nfs_xprt_rdma", rdma_ds + 0, 5, NULL, false},
    {"nfs_xprt_rdma_copy", rdma_ds + 5, 5, NULL, false},
    {"nfs_xprt_rdma_mr", rdma_ds + 10, 7, NULL, false},
    {"nfs_op_avg", op_avg_ds, STATIC_ARRAY_SIZE(op_avg_ds), NULL, true},
    {"nfs_iostat", iostat_ds, STATIC_ARRAY_SIZE(iostat_ds), NULL, true},
};

/* Registers our data sets the daemon does not know yet (no TypesDB line for
 * mountstats.types.db), so LoadPlugin alone works with the stock types.db. */
static int ms_register_types(void) {
  for (size_t i = 0; i < MS_EVENTS_NAMED; i++)
    events_ds[i] = ms_event_name((unsigned)i);
  for (size_t i = 0; i < MS_BYTES_COUNT; i++)
    bytes_ds[i] = ms_bytes_name((unsigned)i);

  for (size_t t = 0; t < STATIC_ARRAY_SIZE(ms_types); t++) {
    const ms_type_t *mt = &ms_types[t];
    const data_set_t *known = plugin_get_ds(mt->type);
    if (known != NULL) {
      if (known->ds_num != mt->n) {
        ERROR(PLUGIN_NAME " plugin: type \"%s\" is known with %zu data "
                          "sources, the plugin needs %zu: load "
                          "mountstats.types.db instead of another definition.",
              mt->type, known->ds_num, mt->n);
        return -1;
      }
      continue;
    }
    data_source_t ds[32];
    data_set_t set = {.ds_num = mt->n, .ds = ds};
    sstrncpy(set.type, mt->type, sizeof(set.type));
    for (size_t i = 0; i < mt->n; i++) {
      int gauge = mt->all_gauge || (mt->gauge != NULL && mt->gauge[i]);
      sstrncpy(ds[i].name, mt->names[i], sizeof(ds[i].name));
      ds[i].type = gauge ? DS_TYPE_GAUGE : DS_TYPE_DERIVE;
      ds[i].min = gauge && strcmp(mt->names[i], "idle_time") == 0 ? NAN : 0.0;
      ds[i].max = NAN;
    }
    if (plugin_register_data_set(&set) != 0) {
      ERROR(PLUGIN_NAME " plugin: registering type \"%s\" failed.", mt->type);
      return -1;
    }
  }
  return 0;
}

/* ---- config -------------------------------------------------------------- */

static void ms_config_defaults(void) {
  conf.report_age = conf.report_events = conf.report_bytes = true;
  conf.report_fscache = conf.report_transport = conf.report_ops = true;
  conf.report_op_errors = true;
  conf.report_zero_ops = conf.report_per_transport = false;
  conf.report_all_mountpoints = false;
  conf.report_iostat = false;
  conf.ignore_selected = conf.ignore_selected_op = false;
  conf.naming = NAMING_MOUNTPOINT;
  conf.max_file_size = DEFAULT_MAX_FILE_SIZE;
  conf.max_name_len = DEFAULT_MAX_NAME_LEN;
}

static void ms_config_free(void) {
  sfree(conf.file);
  sfree(conf.mountinfo_file);
  ms_matcher_free(&conf.sel_mountpoint);
  ms_matcher_free(&conf.sel_device);
  ms_matcher_free(&conf.sel_fstype);
  ms_matcher_free(&conf.sel_op);
}

/* Adds every string value of child to m. */
static int ms_config_patterns(const oconfig_item_t *child, ms_matcher_t *m) {
  if (child->values_num < 1) {
    ERROR(PLUGIN_NAME " plugin: Option \"%s\" needs at least one string.",
          child->key);
    return -1;
  }
  for (int i = 0; i < child->values_num; i++) {
    if (child->values[i].type != OCONFIG_TYPE_STRING) {
      ERROR(PLUGIN_NAME " plugin: Option \"%s\" takes strings only.",
            child->key);
      return -1;
    }
    char err[256] = "";
    const char *pattern = child->values[i].value.string;
    int rc = ms_matcher_add(m, pattern, err, sizeof(err));
    if (rc == -EINVAL) {
      ERROR(PLUGIN_NAME " plugin: Option \"%s\": bad regex \"%s\": %s.",
            child->key, pattern, err);
      return -1;
    }
    if (rc != 0) {
      ERROR(PLUGIN_NAME " plugin: Option \"%s\": out of memory.", child->key);
      return -1;
    }
  }
  return 0;
}

static int ms_config_naming(const oconfig_item_t *child) {
  char *value = NULL;
  if (cf_util_get_string(child, &value) != 0)
    return -1;
  int rc = 0;
  if (strcasecmp(value, "MountPoint") == 0)
    conf.naming = NAMING_MOUNTPOINT;
  else if (strcasecmp(value, "Device") == 0)
    conf.naming = NAMING_DEVICE;
  else {
    ERROR(PLUGIN_NAME " plugin: Option \"NamingSource\": \"%s\" is neither "
                      "\"MountPoint\" nor \"Device\".",
          value);
    rc = -1;
  }
  sfree(value);
  return rc;
}

static int ms_config_size(const oconfig_item_t *child, size_t *out) {
  double v = 0;
  if (cf_util_get_double(child, &v) != 0)
    return -1;
  if (!(v >= 4096.0 && v <= 4294967296.0)) {
    ERROR(PLUGIN_NAME " plugin: Option \"%s\" must be between 4096 and "
                      "4294967296 bytes.",
          child->key);
    return -1;
  }
  *out = (size_t)v;
  return 0;
}

static int ms_config_name_len(const oconfig_item_t *child) {
  int v = 0;
  if (cf_util_get_int(child, &v) != 0)
    return -1;
  if (v < MS_NAME_MIN || v > MS_NAME_MAX) {
    ERROR(PLUGIN_NAME " plugin: Option \"MaxNameLength\" must be between %d "
                      "and %d.",
          MS_NAME_MIN, MS_NAME_MAX);
    return -1;
  }
  conf.max_name_len = (size_t)v;
  return 0;
}

static const struct {
  const char *key;
  bool *flag;
} ms_bool_options[] = {
    {"IgnoreSelected", &conf.ignore_selected},
    {"IgnoreSelectedOperation", &conf.ignore_selected_op},
    {"ReportAge", &conf.report_age},
    {"ReportEvents", &conf.report_events},
    {"ReportBytes", &conf.report_bytes},
    {"ReportFsCache", &conf.report_fscache},
    {"ReportTransport", &conf.report_transport},
    {"ReportOperations", &conf.report_ops},
    {"ReportOpErrors", &conf.report_op_errors},
    {"ReportZeroOps", &conf.report_zero_ops},
    {"ReportPerTransport", &conf.report_per_transport},
    {"ReportAllMountPoints", &conf.report_all_mountpoints},
    {"ReportIostat", &conf.report_iostat},
};

static int ms_config_child(const oconfig_item_t *child) {
  const char *key = child->key;
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(ms_bool_options); i++)
    if (strcasecmp(key, ms_bool_options[i].key) == 0)
      return cf_util_get_boolean(child, ms_bool_options[i].flag);

  if (strcasecmp(key, "File") == 0)
    return cf_util_get_string(child, &conf.file);
  if (strcasecmp(key, "MountInfoFile") == 0)
    return cf_util_get_string(child, &conf.mountinfo_file);
  if (strcasecmp(key, "MountPoint") == 0)
    return ms_config_patterns(child, &conf.sel_mountpoint);
  if (strcasecmp(key, "Device") == 0)
    return ms_config_patterns(child, &conf.sel_device);
  if (strcasecmp(key, "FSType") == 0)
    return ms_config_patterns(child, &conf.sel_fstype);
  if (strcasecmp(key, "Operation") == 0)
    return ms_config_patterns(child, &conf.sel_op);
  if (strcasecmp(key, "NamingSource") == 0)
    return ms_config_naming(child);
  if (strcasecmp(key, "MaxFileSize") == 0)
    return ms_config_size(child, &conf.max_file_size);
  if (strcasecmp(key, "MaxNameLength") == 0)
    return ms_config_name_len(child);

  ERROR(PLUGIN_NAME " plugin: Option \"%s\" not allowed here.", key);
  return -1;
}

/* Any error stops collectd's start-up: a monitoring plugin that silently
 * reports something other than what was configured is worse than none. */
static int ms_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    if (ms_config_child(&ci->children[i]) != 0) {
      ERROR(PLUGIN_NAME " plugin: invalid configuration (option \"%s\").",
            ci->children[i].key);
      return -1;
    }
  }
  return 0;
}

/* /proc/<pid>/mountstats -> /proc/<pid>/mountinfo; NULL for other files. */
static char *ms_derive_mountinfo(const char *file) {
  const char *suffix = "/mountstats";
  size_t len = strlen(file), sl = strlen(suffix);
  if (strncmp(file, "/proc/", 6) != 0 || len <= 6 + sl ||
      strcmp(file + len - sl, suffix) != 0 ||
      memchr(file + 6, '/', len - 6 - sl) != NULL)
    return NULL;
  char *mi = malloc(len + 1);
  if (mi == NULL)
    return NULL;
  memcpy(mi, file, len - sl);
  memcpy(mi + len - sl, "/mountinfo", sizeof("/mountinfo"));
  return mi;
}

static int ms_init(void) {
  if (conf.file == NULL &&
      (conf.file = strdup("/proc/self/mountstats")) == NULL)
    return -1;
  if (conf.mountinfo_file == NULL)
    conf.mountinfo_file = ms_derive_mountinfo(conf.file);
  else if (conf.mountinfo_file[0] == '\0')
    sfree(conf.mountinfo_file);
  INFO(PLUGIN_NAME " plugin: version %s, reading \"%s\"%s%s.",
       MOUNTSTATS_VERSION, conf.file,
       conf.mountinfo_file ? ", superblocks from " : "",
       conf.mountinfo_file ? conf.mountinfo_file : "");
  return ms_register_types();
}

/* ---- reading ------------------------------------------------------------- */

/* Reads path whole into *buf (grown as needed, kept for the next interval).
 * Returns 0 with *len set, or an errno value (EFBIG: larger than max). */
static int ms_read_whole(const char *path, char **buf, size_t *cap, size_t *len,
                         size_t max) {
  /* O_NONBLOCK: opening a FIFO without a writer must not block the read
   * thread; anything but a regular file is refused below. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return errno;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return err;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return S_ISDIR(st.st_mode) ? EISDIR : MS_ENOTREG;
  }
  /* /proc files report size 0; an ordinary file that is already too large
   * is refused without reading it. */
  if ((uintmax_t)st.st_size > (uintmax_t)max) {
    close(fd);
    return EFBIG;
  }
  /* The buffer may grow to max + 1 bytes: a file of exactly max bytes is
   * accepted, one byte more is refused. */
  size_t used = 0;
  int err = 0;
  for (;;) {
    if (used == *cap) {
      if (*cap > max) {
        err = EFBIG;
        break;
      }
      size_t ncap = *cap ? *cap * 2 : 65536;
      if (ncap > max + 1)
        ncap = max + 1;
      char *nb = realloc(*buf, ncap);
      if (nb == NULL) {
        err = ENOMEM;
        break;
      }
      *buf = nb;
      *cap = ncap;
    }
    ssize_t n = read(fd, *buf + used, *cap - used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      err = errno;
      break;
    }
    if (n == 0)
      break;
    used += (size_t)n;
  }
  if (err == 0 && used > max)
    err = EFBIG;
  close(fd);
  *len = used;
  return err;
}

/* Logs a failure to read the file: each kind (errno value) at most once a
 * minute, however often the file flaps between good and bad. */
static void ms_file_error(int err, cdtime_t now) {
  state.file_failing = true;
  size_t slot = 0;
  for (size_t i = 0; i < FILE_ERROR_KINDS; i++) {
    if (state.file_errors[i].time != 0 && state.file_errors[i].err == err) {
      if (now - state.file_errors[i].time < FILE_ERROR_REPEAT)
        return;
      slot = i;
      break;
    }
    if (state.file_errors[i].time < state.file_errors[slot].time)
      slot = i; /* the oldest, for a kind not seen yet */
  }
  state.file_errors[slot].err = err;
  state.file_errors[slot].time = now;
  state.file_error_logged = true;
  if (err == EFBIG)
    ERROR(PLUGIN_NAME " plugin: \"%s\" is larger than MaxFileSize (%zu "
                      "bytes); nothing reported until it is smaller.",
          conf.file, conf.max_file_size);
  else if (err == MS_ENOTREG)
    ERROR(PLUGIN_NAME " plugin: \"%s\" is not a regular file (a FIFO, "
                      "device or socket); nothing reported until it is.",
          conf.file);
  else
    ERROR(PLUGIN_NAME " plugin: reading \"%s\" failed: %s (errno %d); "
                      "nothing reported until it is readable.",
          conf.file, STRERROR(err), err);
}

/* ---- small helpers ------------------------------------------------------- */

static int keyset_add(keyset_t *s, uint64_t key) {
  if (s->n == s->cap) {
    size_t ncap = s->cap ? s->cap * 2 : 64;
    uint64_t *v = realloc(s->v, ncap * sizeof(*v));
    if (v == NULL)
      return -1;
    s->v = v;
    s->cap = ncap;
  }
  s->v[s->n++] = key;
  return 0;
}

static int cmp_u64(const void *a, const void *b, void *ctx) {
  (void)ctx;
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static bool keyset_has(const keyset_t *s, uint64_t key) {
  size_t lo = 0, hi = s->n; /* s->v is sorted */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->v[mid] == key)
      return true;
    if (s->v[mid] < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return false;
}

/* cur becomes prev (sorted, for lookups in the next interval). */
static void keyset_rotate(keyset_t *prev, keyset_t *cur) {
  keyset_t t = *prev;
  *prev = *cur;
  *cur = t;
  cur->n = 0;
  ms_sort(prev->v, prev->n, sizeof(*prev->v), cmp_u64, NULL);
}

static void keyset_free(keyset_t *s) {
  sfree(s->v);
  s->n = s->cap = 0;
}

static uint64_t hash_bytes(uint64_t h, const char *p, size_t len) {
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
  return h;
}

/* The kernel's 64 bits as a signed 64-bit value: 2^64-k becomes -k, so a
 * negative quantity printed unsigned keeps collectd's DERIVE arithmetic
 * right. */
static derive_t ms_derive(uint64_t v) {
  return v <= (uint64_t)INT64_MAX ? (derive_t)v
                                  : -(derive_t)(UINT64_MAX - v) - 1;
}

/* Makes a printable copy of a line for a log message: bytes outside
 * printable ASCII (and the backslash) as \ooo, cut with "..." to fit size. */
static void ms_printable(char *out, size_t size, const char *p, size_t len) {
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
static void ms_decode(char *out, size_t size, ms_span_t s) {
  size_t full = ms_unescape(out, size, s.ptr, s.len);
  size_t n = full < size ? full : size - 1;
  for (size_t i = 0; i < n; i++)
    if (out[i] == '\0')
      out[i] = '_';
}

/* A mount point fit for a log line: decoded, then every byte outside
 * printable ASCII escaped as \ooo, bounded. */
static void ms_mount_for_log(char *out, size_t size, ms_span_t s) {
  char decoded[PATH_BUF];
  size_t full = ms_unescape(decoded, sizeof(decoded), s.ptr, s.len);
  ms_printable(out, size, decoded,
               full < sizeof(decoded) ? full : sizeof(decoded) - 1);
}

static int ms_grow_records(size_t n) {
  if (n <= state.rec_cap)
    return 0;
  size_t cap = state.rec_cap ? state.rec_cap : 64;
  while (cap < n)
    cap *= 2;
#define GROW(field)                                                            \
  do {                                                                         \
    void *p = realloc(state.field, cap * sizeof(*state.field));                \
    if (p == NULL)                                                             \
      return -1;                                                               \
    state.field = p;                                                           \
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
#undef GROW
  state.rec_cap = cap;
  return 0;
}

/* ---- the steps of one read ----------------------------------------------- */

/* Logs malformed lines: each (mount, reason, label) once while it persists,
 * at most DIAG_LOG_MAX new ones per interval. A problem not logged for lack
 * of room is not remembered, so it is logged in a later interval. */
static void ms_log_diags(void) {
  const ms_snapshot_t *s = &state.snap;
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
    uint64_t key = hash_bytes(14695981039346656037ull, mp.ptr, mp.len);
    key = hash_bytes(key ^ (uint64_t)d->reason, d->text.ptr, label_len);
    if (keyset_has(&state.diag_prev, key)) {
      keyset_add(&state.diag_cur, key); /* still there: stays quiet */
      continue;
    }
    bool seen_now = false; /* the same problem twice in this file */
    for (size_t k = 0; k < state.diag_cur.n && !seen_now; k++)
      seen_now = state.diag_cur.v[k] == key;
    if (seen_now)
      continue;
    if (logged >= DIAG_LOG_MAX) {
      suppressed++;
      continue;
    }
    keyset_add(&state.diag_cur, key);
    char mount[256], line[128];
    ms_mount_for_log(mount, sizeof(mount), mp);
    ms_printable(line, sizeof(line), d->text.ptr, d->text.len);
    WARNING(PLUGIN_NAME " plugin: %s line %zu (mount \"%s\"): %s; line "
                        "skipped: \"%s\"",
            conf.file, d->line, d->mount == MS_NO_MOUNT ? "-" : mount,
            ms_diag_reason_str(d->reason), line);
    logged++;
  }
  size_t unkept = s->diags_total - s->ndiags;
  if (suppressed > 0 || (unkept > 0 && logged > 0))
    WARNING(PLUGIN_NAME " plugin: %s: %zu more malformed lines not logged "
                        "this interval.",
            conf.file, suppressed + unkept);
  keyset_rotate(&state.diag_prev, &state.diag_cur);
}

/* ---- the mount set ---------------------------------------------------- */

typedef struct {
  size_t off;  /* bytes of state.ident walked so far */
  bool same;   /* everything walked so far equals state.ident */
  bool failed; /* state.ident could not grow: treat as changed */
} ident_walk_t;

/* Walks the next piece of the mount set: compares it with state.ident while
 * they agree, and from the first difference on stores it instead. */
static void ident_put(ident_walk_t *w, const void *bytes, size_t len) {
  if (w->failed)
    return;
  if (w->same && w->off + len <= state.ident_len &&
      memcmp(state.ident + w->off, bytes, len) == 0) {
    w->off += len;
    return;
  }
  w->same = false;
  if (w->off + len > state.ident_cap) {
    size_t cap = state.ident_cap ? state.ident_cap : 4096;
    while (cap < w->off + len)
      cap *= 2;
    char *p = realloc(state.ident, cap);
    if (p == NULL) {
      w->failed = true;
      return;
    }
    state.ident = p;
    state.ident_cap = cap;
  }
  memcpy(state.ident + w->off, bytes, len);
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
static bool ms_same_mount_set(const char *mi_buf, size_t mi_len) {
  const ms_snapshot_t *s = &state.snap;
  ident_walk_t w = {.same = true};
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
  bool same = w.same && !w.failed && w.off == state.ident_len;
  state.ident_len = w.failed ? 0 : w.off;
  return same;
}

/* Decides which records are reported: selection, then one per superblock
 * (from mountinfo's device numbers when mi_buf is not NULL). */
static int ms_select(const char *mi_buf, size_t mi_len, bool same_set,
                     bool *leaders_same) {
  const ms_snapshot_t *s = &state.snap;
  *leaders_same = same_set;
  if (conf.report_all_mountpoints) {
    for (size_t i = 0; i < s->nmounts; i++)
      state.sb_leader[i] = i;
  }
  if (same_set && (state.have_dev || conf.report_all_mountpoints)) {
    /* Selection and device numbers are those of the same mount set; without
     * device numbers, superblocks come from counters: regrouped below. */
    bool all_dev = true;
    for (size_t i = 0; i < s->nmounts && all_dev; i++)
      all_dev = state.dev[i] != 0 || !state.selected[i];
    if (all_dev || conf.report_all_mountpoints)
      return 0;
  }
  if (!same_set) {
    char mp[PATH_BUF], dev[PATH_BUF], fstype[64];
    const ms_matcher_t *lists[] = {&conf.sel_mountpoint, &conf.sel_device,
                                   &conf.sel_fstype};
    bool any_list = conf.sel_mountpoint.count || conf.sel_device.count ||
                    conf.sel_fstype.count;
    for (size_t i = 0; i < s->nmounts; i++) {
      state.selected[i] = 1;
      if (!any_list)
        continue;
      const ms_mount_t *m = &s->mounts[i];
      ms_decode(mp, sizeof(mp), m->mountpoint);
      ms_decode(dev, sizeof(dev), m->device);
      ms_decode(fstype, sizeof(fstype), m->fstype);
      const char *values[] = {mp, dev, fstype};
      state.selected[i] =
          (unsigned char)ms_selected(lists, values, 3, conf.ignore_selected);
    }
    state.have_dev = false;
    if (mi_buf != NULL && mi_parse(&state.mi, mi_buf, mi_len) == 0) {
      mi_match(&state.mi, s, state.dev);
      state.have_dev = true;
    }
    if (conf.report_all_mountpoints)
      return 0;
  }
  int rc =
      ms_group_superblocks(&state.group, s, state.have_dev ? state.dev : NULL,
                           state.selected, state.sb_leader_new);
  if (rc != 0)
    return rc;
  if (!same_set || s->nmounts == 0 ||
      memcmp(state.sb_leader, state.sb_leader_new,
             s->nmounts * sizeof(*state.sb_leader)) != 0) {
    size_t *t = state.sb_leader;
    state.sb_leader = state.sb_leader_new;
    state.sb_leader_new = t;
    *leaders_same = false;
  }
  return 0;
}

/* Logs, once per distinct group, which mount points a reported superblock
 * stands for. */
static void ms_log_groups(void) {
  const ms_snapshot_t *s = &state.snap;
  if (conf.report_all_mountpoints)
    return;
  /* One pass: members and a key (the member mount points) per leader. */
  for (size_t i = 0; i < s->nmounts; i++) {
    state.group_key[i] = 14695981039346656037ull;
    state.group_size[i] = 0;
  }
  for (size_t j = 0; j < s->nmounts; j++) {
    if (!state.selected[j])
      continue;
    size_t l = state.sb_leader[j];
    const ms_span_t *mp = &s->mounts[j].mountpoint;
    state.group_key[l] = hash_bytes(state.group_key[l], mp->ptr, mp->len + 1);
    state.group_size[l]++;
  }
  for (size_t i = 0; i < s->nmounts; i++) {
    size_t members = state.group_size[i];
    if (members < 2)
      continue;
    keyset_add(&state.group_cur, state.group_key[i]);
    if (keyset_has(&state.group_prev, state.group_key[i]))
      continue;
    char list[1024] = "", mp[PATH_BUF];
    size_t listed = 0, used = 0;
    for (size_t j = i + 1; j < s->nmounts && listed < GROUP_LOG_MAX; j++) {
      if (!state.selected[j] || state.sb_leader[j] != i)
        continue;
      ms_mount_for_log(mp, sizeof(mp), s->mounts[j].mountpoint);
      int n = snprintf(list + used, sizeof(list) - used, "%s\"%s\"",
                       listed ? ", " : "", mp);
      if (n < 0 || (size_t)n >= sizeof(list) - used)
        break;
      used += (size_t)n;
      listed++;
    }
    ms_mount_for_log(mp, sizeof(mp), s->mounts[i].mountpoint);
    INFO(PLUGIN_NAME " plugin: %zu mount points show one NFS superblock, "
                     "reported once under \"%s\" (ReportAllMountPoints "
                     "reports each); the others: %s%s",
         members, mp, list, members - 1 > listed ? ", ..." : "");
  }
  keyset_rotate(&state.group_prev, &state.group_cur);
}

/* Names every reported record; fills state.reported and name_index. */
static size_t ms_name_records(void) {
  const ms_snapshot_t *s = &state.snap;
  char src[PATH_BUF];
  size_t n = 0;
  for (size_t i = 0; i < s->nmounts; i++) {
    state.name_index[i] = SIZE_MAX;
    if (!state.selected[i] || state.sb_leader[i] != i)
      continue;
    const ms_mount_t *m = &s->mounts[i];
    ms_decode(src, sizeof(src),
              conf.naming == NAMING_DEVICE && m->device.len > 0
                  ? m->device
                  : m->mountpoint);
    ms_name_from_path(state.names[n], src, conf.max_name_len);
    state.name_index[i] = n;
    state.reported[n++] = i;
  }
  ms_names_make_unique(state.names, n, state.order, conf.max_name_len);
  return n;
}

/* ---- dispatch ------------------------------------------------------------ */

/* Copies len bytes of a name into a DATA_MAX_NAME_LEN field, cut to fit,
 * without strncpy's zero padding of the whole field. */
static void ms_set_field(char *field, const char *src, size_t len) {
  if (len > DATA_MAX_NAME_LEN - 1)
    len = DATA_MAX_NAME_LEN - 1;
  memcpy(field, src, len);
  field[len] = '\0';
}

static void ms_set_name(char *field, const char *src) {
  if (src == NULL)
    field[0] = '\0';
  else
    ms_set_field(field, src, strnlen(src, DATA_MAX_NAME_LEN - 1));
}

/* A mount sends ~40 value lists per interval, so one value_list_t is kept
 * and only the fields that change are written: plugin_instance per mount,
 * the type when it is another one, the type instance, the values (the
 * daemon copies what it keeps). */
static void ms_vl_begin(const char *plugin_instance, cdtime_t time) {
  value_list_t *vl = &state.vl;
  if (state.vl_instance == plugin_instance)
    return;
  if (state.vl.plugin[0] == '\0') {
    *vl = (value_list_t)VALUE_LIST_INIT;
    sstrncpy(vl->plugin, PLUGIN_NAME, sizeof(vl->plugin));
    state.vl_type = NULL;
  }
  ms_set_name(vl->plugin_instance, plugin_instance);
  vl->time = time;
  state.vl_instance = plugin_instance;
}

/* type is one of the string literals of this file: a pointer that was set
 * before holds the same text. */
static void ms_vl_type(const char *type) {
  if (state.vl_type != type) {
    ms_set_name(state.vl.type, type);
    state.vl_type = type;
  }
}

static void ms_vl_dispatch(value_t *values, size_t n) {
  state.vl.values = values;
  state.vl.values_len = n;
  plugin_dispatch_values(&state.vl);
}

/* Dispatches one value list. */
static void ms_submit(const char *plugin_instance, const char *type,
                      const char *type_instance, value_t *values, size_t n,
                      cdtime_t time) {
  ms_vl_begin(plugin_instance, time);
  ms_vl_type(type);
  ms_set_name(state.vl.type_instance, type_instance);
  ms_vl_dispatch(values, n);
}

static void ms_submit_counters(const char *pi, const char *type, const char *ti,
                               const uint64_t *v, size_t n, cdtime_t t) {
  value_t values[32];
  for (size_t i = 0; i < n && i < STATIC_ARRAY_SIZE(values); i++)
    values[i].derive = ms_derive(v[i]);
  ms_submit(pi, type, ti, values, n, t);
}

static void ms_submit_ops(const char *pi, const ms_mount_t *m, cdtime_t t) {
  const ms_snapshot_t *s = &state.snap;
  char name[MS_OP_NAME_MAX + 1];
  value_t values[MS_OP_FIELDS];
  ms_vl_begin(pi, t);
  for (size_t k = 0; k < m->op_count; k++) {
    const ms_op_t *o = &s->ops[m->op_first + k];
    if (o->v[MS_OP_OPS] == 0 && !conf.report_zero_ops)
      continue;
    if (conf.sel_op.count > 0) {
      memcpy(name, o->name.ptr, o->name.len);
      name[o->name.len] = '\0';
      if (ms_matcher_match(&conf.sel_op, name) == conf.ignore_selected_op)
        continue;
    }
    for (size_t i = 0; i < MS_OP_FIELDS; i++)
      values[i].derive = ms_derive(o->v[i]);
    /* The parser keeps op names to MS_OP_NAME_MAX bytes: they fit. */
    ms_set_field(state.vl.type_instance, o->name.ptr, o->name.len);
    ms_vl_type("nfs_op");
    ms_vl_dispatch(values, 8);
    if (conf.report_op_errors && o->nfields >= MS_OP_FIELDS) {
      ms_vl_type("nfs_op_errors");
      ms_vl_dispatch(&values[MS_OP_ERRORS], 1);
    }
  }
}

/* Transport counters, normalised from the kernel's layouts (see
 * MOUNTSTATS-FORMAT.md section 6) so every transport fills the same types. */
typedef struct {
  uint64_t common[6]; /* bind_count sends recvs bad_xids req_u bklog_u */
  bool have_conn, have_slots, have_rdma, have_rdma_mr;
  uint64_t connect_count, connect_time;
  int64_t idle_time;
  uint64_t max_slots, sending_u, pending_u;
  uint64_t rdma[17]; /* fields 11..27 */
} xprt_values_t;

/* Field positions per kind: bind, connect_count (-1 none), sends, slots
 * (-1 none; min field count for max_slots, sending_u, pending_u). */
static int ms_xprt_normalise(const ms_xprt_t *x, xprt_values_t *o) {
  int bind, conn, sends, slots;
  switch (x->kind) {
  case MS_XPRT_TCP:
    bind = 1, conn = 2, sends = 5, slots = 10;
    break;
  case MS_XPRT_UDP:
    bind = 1, conn = -1, sends = 2, slots = 7;
    break;
  case MS_XPRT_LOCAL:
    bind = 0, conn = 1, sends = 4, slots = 9;
    break;
  case MS_XPRT_RDMA:
    bind = 1, conn = 2, sends = 5, slots = -1;
    break;
  default:
    return -1;
  }
  memset(o, 0, sizeof(*o));
  o->common[0] = x->v[bind];
  for (int i = 0; i < 5; i++)
    o->common[1 + i] = x->v[sends + i];
  if (conn >= 0) {
    o->have_conn = true;
    o->connect_count = x->v[conn];
    o->connect_time = x->v[conn + 1];
    o->idle_time = (int64_t)x->v[conn + 2];
  }
  if (slots >= 0 && x->nfields >= (unsigned)slots + 3) {
    o->have_slots = true;
    o->max_slots = x->v[slots];
    o->sending_u = x->v[slots + 1];
    o->pending_u = x->v[slots + 2];
  }
  if (x->kind == MS_XPRT_RDMA) {
    o->have_rdma = true; /* fields 11-20: every rdma layout has them */
    o->have_rdma_mr = x->nfields >= 27;
    memcpy(o->rdma, &x->v[10],
           (o->have_rdma_mr ? 17 : 10) * sizeof(o->rdma[0]));
  }
  return 0;
}

/* Adds b into a: counters summed, max_slots the largest, idle_time the
 * smallest (the most recently used connection); a part is kept only when
 * every line has it. */
static void ms_xprt_add(xprt_values_t *a, const xprt_values_t *b) {
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

static void ms_submit_xprt_values(const char *pi, const char *ti,
                                  const xprt_values_t *x, cdtime_t t) {
  ms_submit_counters(pi, "nfs_xprt", ti, x->common, 6, t);
  if (x->have_conn) {
    value_t v[] = {{.derive = ms_derive(x->connect_count)},
                   {.derive = ms_derive(x->connect_time)},
                   {.gauge = (gauge_t)x->idle_time}};
    ms_submit(pi, "nfs_xprt_conn", ti, v, 3, t);
  }
  if (x->have_slots) {
    value_t v[] = {{.gauge = (gauge_t)x->max_slots},
                   {.derive = ms_derive(x->sending_u)},
                   {.derive = ms_derive(x->pending_u)}};
    ms_submit(pi, "nfs_xprt_slots", ti, v, 3, t);
  }
  if (x->have_rdma) {
    ms_submit_counters(pi, "nfs_xprt_rdma", ti, x->rdma, 5, t);
    ms_submit_counters(pi, "nfs_xprt_rdma_copy", ti, x->rdma + 5, 5, t);
  }
  if (x->have_rdma_mr)
    ms_submit_counters(pi, "nfs_xprt_rdma_mr", ti, x->rdma + 10, 7, t);
}

/* Notes an unknown transport word once per mount while it persists. */
static void ms_note_other_xprt(const ms_mount_t *m, const ms_xprt_t *x) {
  uint64_t key =
      hash_bytes(14695981039346656037ull, m->mountpoint.ptr, m->mountpoint.len);
  key = hash_bytes(key, x->name.ptr, x->name.len);
  keyset_add(&state.other_xprt_cur, key);
  if (keyset_has(&state.other_xprt_prev, key))
    return;
  char mp[256], word[64];
  ms_mount_for_log(mp, sizeof(mp), m->mountpoint);
  ms_printable(word, sizeof(word), x->name.ptr, x->name.len);
  NOTICE(PLUGIN_NAME " plugin: %s line %zu (mount \"%s\"): unknown transport "
                     "\"%s\" is not reported.",
         conf.file, x->line, mp, word);
}

static void ms_submit_transports(const char *pi, const ms_mount_t *m,
                                 cdtime_t t) {
  const ms_snapshot_t *s = &state.snap;
  xprt_values_t sum;
  size_t summed = 0;
  const ms_xprt_t *first = NULL;
  for (size_t k = 0; k < m->xprt_count; k++) {
    const ms_xprt_t *x = &s->xprts[m->xprt_first + k];
    xprt_values_t one;
    if (ms_xprt_normalise(x, &one) != 0) {
      ms_note_other_xprt(m, x);
      continue;
    }
    char ti[DATA_MAX_NAME_LEN];
    if (conf.report_per_transport) {
      snprintf(ti, sizeof(ti), "%.*s-%zu", (int)x->name.len, x->name.ptr, k);
      ms_submit_xprt_values(pi, ti, &one, t);
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
    char ti[DATA_MAX_NAME_LEN];
    snprintf(ti, sizeof(ti), "%.*s", (int)first->name.len, first->name.ptr);
    ms_submit_xprt_values(pi, ti, &sum, t);
    value_t count = {.gauge = (gauge_t)summed};
    ms_submit(pi, "count", "transports", &count, 1, t);
  }
}

/* nfsiostat's averages over the interval since the previous read. The
 * sample is keyed by name, device and superblock, so that another mount
 * taking the name is never compared with the one before it. */
static void ms_submit_iostat(const char *pi, size_t rec, cdtime_t t) {
  const ms_snapshot_t *s = &state.snap;
  const ms_mount_t *m = &s->mounts[rec];
  if (m->op_count > state.op_avg_cap) {
    ms_op_avg_t *avg = realloc(state.op_avg, m->op_count * sizeof(*avg));
    if (avg == NULL)
      return;
    state.op_avg = avg;
    unsigned char *has = realloc(state.op_has, m->op_count);
    if (has == NULL)
      return;
    state.op_has = has;
    state.op_avg_cap = m->op_count;
  }
  uint64_t key = hash_bytes(14695981039346656037ull, pi, strlen(pi) + 1);
  key = hash_bytes(key, m->device.ptr, m->device.len);
  if (state.have_dev)
    key =
        hash_bytes(key, (const char *)&state.dev[rec], sizeof(state.dev[rec]));
  ms_mount_rate_t rate;
  int rc = ms_iostat_update(&state.iostat, key, CDTIME_T_TO_DOUBLE(t), s, rec,
                            state.op_avg, state.op_has, &rate);
  if (rc != MS_IOSTAT_VALUES)
    return; /* first sample, or a remount: a fresh baseline, no value */

  value_t mount_values[] = {{.gauge = rate.have_ops ? rate.ops : NAN},
                            {.gauge = rate.read_ops},
                            {.gauge = rate.read_kb},
                            {.gauge = rate.write_ops},
                            {.gauge = rate.write_kb}};
  ms_submit(pi, "nfs_iostat", NULL, mount_values, 5, t);
  char name[MS_OP_NAME_MAX + 1];
  for (size_t k = 0; k < m->op_count; k++) {
    if (!state.op_has[k])
      continue; /* the op did not move: an average of nothing */
    const ms_op_t *o = &s->ops[m->op_first + k];
    memcpy(name, o->name.ptr, o->name.len);
    name[o->name.len] = '\0';
    if (conf.sel_op.count > 0 &&
        ms_matcher_match(&conf.sel_op, name) == conf.ignore_selected_op)
      continue;
    const ms_op_avg_t *a = &state.op_avg[k];
    value_t v[] = {{.gauge = a->queue_ms}, {.gauge = a->rtt_ms},
                   {.gauge = a->exec_ms},  {.gauge = a->kb_sent},
                   {.gauge = a->kb_recv},  {.gauge = a->retrans_pct},
                   {.gauge = a->timeouts}};
    ms_submit(pi, "nfs_op_avg", name, v, STATIC_ARRAY_SIZE(v), t);
  }
}

static void ms_submit_mount(const char *pi, size_t rec, cdtime_t t) {
  const ms_mount_t *m = &state.snap.mounts[rec];
  if (conf.report_age && (m->have & MS_HAVE_AGE)) {
    value_t age = {.gauge = (gauge_t)m->age};
    ms_submit(pi, "uptime", "age", &age, 1, t);
  }
  if (conf.report_events && (m->have & MS_HAVE_EVENTS)) {
    /* A group the kernel did not print (pNFS before 2.6.39) is left out. */
    for (size_t g = 0; g < STATIC_ARRAY_SIZE(ms_event_groups); g++) {
      const ms_event_group_t *eg = &ms_event_groups[g];
      if (m->nevents >= eg->first + eg->count)
        ms_submit_counters(pi, eg->type, NULL, m->events + eg->first, eg->count,
                           t);
    }
  }
  if (conf.report_bytes && (m->have & MS_HAVE_BYTES))
    ms_submit_counters(pi, "nfs_bytes", NULL, m->bytes, MS_BYTES_COUNT, t);
  if (conf.report_fscache && (m->have & MS_HAVE_FSC))
    ms_submit_counters(pi, "nfs_fscache", NULL, m->fsc, MS_FSC_COUNT, t);
  if (conf.report_transport && state.xprt_leader[rec] == rec)
    ms_submit_transports(pi, m, t);
  if (conf.report_ops)
    ms_submit_ops(pi, m, t);
  if (conf.report_iostat)
    ms_submit_iostat(pi, rec, t);
}

/* Reads the mountinfo file when one is configured; NULL when there is none
 * or it cannot be read (superblocks then come from identical counters). */
static const char *ms_read_mountinfo(size_t *len) {
  if (conf.mountinfo_file == NULL)
    return NULL;
  int err = ms_read_whole(conf.mountinfo_file, &state.mi_buf, &state.mi_cap,
                          len, conf.max_file_size);
  if (err != 0) {
    if (!state.mountinfo_failing)
      WARNING(PLUGIN_NAME " plugin: reading \"%s\" failed: %s; superblocks "
                          "are recognised by identical counters instead.",
              conf.mountinfo_file,
              err == MS_ENOTREG ? "not a regular file" : STRERROR(err));
    state.mountinfo_failing = true;
    return NULL;
  }
  if (state.mountinfo_failing)
    INFO(PLUGIN_NAME " plugin: \"%s\" is readable again.", conf.mountinfo_file);
  state.mountinfo_failing = false;
  return state.mi_buf;
}

/* Everything after reading: parse, select, group, name, dispatch. buf holds
 * the mountstats text, mi_buf the mountinfo text or NULL. */
static int ms_process(const char *buf, size_t len, const char *mi_buf,
                      size_t mi_len, cdtime_t now) {
  state.vl_instance = NULL; /* names may be rebuilt below */
  bool derived_valid = state.derived_valid;
  state.derived_valid = false; /* until this interval completes */
  if (ms_parse(&state.snap, buf, len) != 0) {
    ERROR(PLUGIN_NAME " plugin: out of memory parsing \"%s\".", conf.file);
    return -1;
  }
  ms_log_diags();
  const ms_snapshot_t *s = &state.snap;
  bool same_set = ms_same_mount_set(mi_buf, mi_len) && derived_valid;
  bool leaders_same = false;
  if (ms_grow_records(s->nmounts) != 0 ||
      ms_select(mi_buf, mi_len, same_set, &leaders_same) != 0) {
    ERROR(PLUGIN_NAME " plugin: out of memory.");
    return -1;
  }
  if (!leaders_same) {
    ms_log_groups();
    state.nreported = ms_name_records();
    if (conf.report_transport) {
      /* Among the reported records only: the transport is reported with
       * the first reported mount that uses the connection. */
      for (size_t i = 0; i < s->nmounts; i++)
        state.in_report[i] = state.name_index[i] != SIZE_MAX;
      if (ms_group_transports(&state.group, s, state.in_report,
                              state.xprt_leader) != 0) {
        ERROR(PLUGIN_NAME " plugin: out of memory.");
        return -1;
      }
    }
  }
  size_t n = state.nreported;
  if (conf.report_iostat)
    ms_iostat_begin(&state.iostat);
  for (size_t k = 0; k < n; k++)
    ms_submit_mount(state.names[k], state.reported[k], now);
  if (conf.report_iostat)
    ms_iostat_end(&state.iostat); /* forgets mounts that went away */
  keyset_rotate(&state.other_xprt_prev, &state.other_xprt_cur);
  state.derived_valid = true;
  return 0;
}

static int ms_read(void) {
  cdtime_t now = cdtime(); /* one timestamp for the whole snapshot */
  size_t len = 0, mi_len = 0;
  int err = ms_read_whole(conf.file, &state.buf, &state.buf_cap, &len,
                          conf.max_file_size);
  if (err != 0) {
    ms_file_error(err, now);
    return 0; /* keep the normal interval: values resume when readable */
  }
  if (state.file_failing && state.file_error_logged)
    INFO(PLUGIN_NAME " plugin: \"%s\" is readable again.", conf.file);
  state.file_failing = state.file_error_logged = false;
  const char *mi_buf = ms_read_mountinfo(&mi_len);
  return ms_process(state.buf, len, mi_buf, mi_len, now);
}

static int ms_shutdown(void) {
  sfree(state.buf);
  sfree(state.mi_buf);
  ms_snapshot_free(&state.snap);
  mi_table_free(&state.mi);
  ms_group_free(&state.group);
  sfree(state.dev);
  sfree(state.selected);
  sfree(state.sb_leader);
  sfree(state.xprt_leader);
  sfree(state.name_index);
  sfree(state.reported);
  sfree(state.order);
  sfree(state.names);
  sfree(state.group_key);
  sfree(state.group_size);
  sfree(state.sb_leader_new);
  sfree(state.in_report);
  sfree(state.ident);
  ms_iostat_free(&state.iostat);
  sfree(state.op_avg);
  sfree(state.op_has);
  keyset_free(&state.diag_prev);
  keyset_free(&state.diag_cur);
  keyset_free(&state.group_prev);
  keyset_free(&state.group_cur);
  keyset_free(&state.other_xprt_prev);
  keyset_free(&state.other_xprt_cur);
  memset(&state, 0, sizeof(state));
  ms_config_free();
  ms_config_defaults();
  return 0;
}

__attribute__((visibility("default"))) void module_register(void) {
  ms_config_defaults();
  plugin_register_complex_config(PLUGIN_NAME, ms_config);
  plugin_register_init(PLUGIN_NAME, ms_init);
  plugin_register_read(PLUGIN_NAME, ms_read);
  plugin_register_shutdown(PLUGIN_NAME, ms_shutdown);
}
