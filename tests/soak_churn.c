/* SPDX-License-Identifier: MIT
 *
 * soak_churn.c: churn soak of the plugin, in process.
 *
 * Links the plugin's glue (mountstats_glue) with its own light stand-in for the
 * daemon (below), configures it through its config callback (File,
 * MountInfoFile, ReportIostat true) and calls its read callback once per
 * simulated interval (1 s of simulated clock each) for --intervals
 * intervals. Before every read the program rewrites the File (and the
 * MountInfoFile) from a model of the mount table driven by a deterministic
 * PRNG:
 *
 *   - the number of NFS mounts drifts between 1 and --max-mounts (2000):
 *     a ramp up to the maximum, a hold, a ramp down to 1, then random
 *     targets (log-uniform), with mounts added at the end of the file and
 *     removed anywhere, every interval;
 *   - remounts: age and every counter of a superblock drop to small values;
 *   - bind duplicates: a superblock printed again under another mount point
 *     (added after it, removed later; when the first one goes, the next one
 *     stands for the superblock);
 *   - renames (mount --move): a mount point changes, the superblock stays;
 *   - names that clash: families of mount points that give the same name
 *     ("/cN/x" and "/cN-x"; "/cN.y", "/cN_y", "/cN y", "/cN<TAB>y"), and
 *     mount points of 130-189 bytes, longer than the longest name
 *     (MaxNameLength: 64 by default, or --max-name-length);
 *   - several superblocks share a server connection (identical xprt lines);
 *   - the MountInfoFile alternates every 500 intervals between complete
 *     (superblocks from major:minor) and empty (identical counters);
 *   - superblock, server and mount ids only grow: a retired one never
 *     returns, and every mount point ever used is new.
 *
 * Every superblock carries its id in the last events counter (pnfs_write),
 * the last bytes counter and every operation's timeouts column; every server
 * its id in the xprt bind_count. After every interval the program checks
 * what the plugin dispatched against the model:
 *   1. no value list carries a retired superblock's id, and none has a
 *      plugin_instance that no current mount should have;
 *   2. each reported superblock is reported once (bind duplicates not), under
 *      the name collectd-mountstats(5)'s Naming rule gives its first mount point (df rule, long
 *      names cut to MaxNameLength with ~hash, clashes ~k in file order: it
 *      runs with NamingScheme path), with
 *      the 27 events in the five types nfs_events_cache (events 1-4), _vfs
 *      (5-12), _file (13-18), _io (19-25) and _pnfs (26-27), each with the
 *      values of the file;
 *   3. a mount that stayed (same superblock, same first mount point, no
 *      rename) and whose clashing neighbours did not change keeps its name;
 *   4. each identifier is dispatched at most once per interval; the xprt
 *      values of a connection once, under its first reported mount;
 *   5. nfs_iostat is never dispatched in the interval of a mount's (re)mount
 *      or renaming (a fresh baseline);
 *   6. no ERROR or WARNING was logged.
 * Resident memory (/proc/self/statm) is sampled after --warmup intervals and
 * every 100 intervals after that; the test fails when the last sample
 * exceeds the warm-up one by more than --rss-tolerance-kib (a negative value
 * turns the comparison off: sanitizers and valgrind keep freed memory). Then
 * the plugin's shutdown callback frees everything (run it under valgrind for
 * the leak check).
 *
 * Usage: soak_churn [--intervals N] [--max-mounts M] [--warmup W]
 *                   [--seed S] [--rss-tolerance-kib K] [--dir D]
 *                   [--max-name-length L]
 * --max-name-length L (16..127) sets the plugin's MaxNameLength; without it
 * the plugin's default applies, which the model takes to be 64.
 * Exit status 0 when every check passed.
 */
#include "collectd_stub.h"
#include "gen_text.h"
#include "mountstats_plugin.h"
#include "naming.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <fcntl.h>

#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- options ------------------------------------------------------------- */

static long opt_intervals = 10000;
static size_t opt_max_mounts = 2000;
static long opt_warmup = 1000;
static uint64_t opt_seed = 20251125;
static long opt_rss_tolerance_kib = 1024;
static const char *opt_dir = NULL;
/* MaxNameLength: 0 leaves the option out (the plugin's default, 64). */
static long opt_max_name_length = 0;
/* The longest name the model expects. */
static size_t name_cap = 64;

/* ---- failures ------------------------------------------------------------ */

static long cur_interval;
static unsigned long failures;

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...) {
  failures++;
  if (failures > 25)
    return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "FAIL interval %ld: ", cur_interval);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* ---- the daemon, as far as the plugin sees it ---------------------------- */

/* The daemon is tests/stub/collectd_stub.c, counting only: value lists go
 * to soak_dispatch(), log lines to soak_log(). */
static void soak_log(int level, const char *text) {
  if (level > LOG_WARNING)
    return;
  fail("logged at severity %d: %s", level, text);
}

/* ---- PRNG (splitmix64) --------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static size_t rnd_below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

static double rnd_unit(void) {
  return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* ---- the model ----------------------------------------------------------- */

#define PATH_MAX_GEN 200
#define MAX_SERVERS 4096

enum path_kind { KIND_PLAIN, KIND_FAMILY, KIND_LONG };

typedef struct {
  uint32_t id; /* 0: free slot */
  uint32_t server_slot;
  uint32_t age;  /* intervals since (re)mount */
  uint32_t gen;  /* remounts */
  uint32_t refs; /* mount points showing it */
  long born, remounted;
  /* per interval */
  long leader_stamp; /* interval in which its first mount was found */
  uint32_t reported_count;
} sb_t;

typedef struct {
  uint32_t id; /* 0: free slot */
  int vers;    /* 3 or 4 */
  uint32_t refs;
  uint64_t sends;
  long xprt_stamp; /* interval in which its first reported mount was found */
  uint32_t xprt_leader_mount;
  uint32_t xprt_seen; /* xprt value lists seen this interval */
} server_t;

typedef struct {
  uint32_t id; /* mount id, 0: free slot */
  uint32_t sb_slot;
  char path[PATH_MAX_GEN]; /* decoded */
  enum path_kind kind;
  uint32_t family; /* KIND_FAMILY: family id */
  int cls;         /* KIND_FAMILY: 0 (".../x") or 1 (".../y") */
  long path_since; /* interval the path was set (creation or rename) */
  /* model, this interval and the one before */
  int reported, prev_reported;
  char want[MS_NAME_SIZE];
  char prev_got[MS_NAME_SIZE];
  char got[MS_NAME_SIZE]; /* name its nfs_bytes came under this interval */
  uint64_t class_sig, prev_class_sig;
  int fresh; /* iostat must not be dispatched this interval */
} mount_t;

static sb_t *sbs;         /* opt_max_mounts slots */
static server_t *servers; /* MAX_SERVERS slots */
static mount_t *mounts;   /* opt_max_mounts slots */
static uint32_t *order;   /* file order: mount slots */
static size_t nmounts;
static uint32_t next_sb_id = 1, next_server_id = 1, next_mount_id = 1;
static uint32_t next_family_id = 1;
static uint32_t next_path_serial = 1; /* every mount point is new */

/* Families of clashing names with variants still unused. */
#define OPEN_FAMILIES 16
static struct {
  uint32_t id;
  unsigned used; /* bit per variant */
} families[OPEN_FAMILIES];
static size_t nfamilies;
#define FAMILY_VARIANTS 6

static size_t find_free_slot_sb(void) {
  for (size_t i = 0; i < opt_max_mounts; i++)
    if (sbs[i].id == 0)
      return i;
  abort();
}

/* Live superblocks by id, for the checks: an open-addressing table. */
#define SB_INDEX_SIZE 8192 /* > 2 * max mounts */
static uint32_t sb_index_key[SB_INDEX_SIZE];
static uint32_t sb_index_val[SB_INDEX_SIZE];

static size_t sb_index_find(uint32_t id) {
  size_t h = (id * 2654435761u) & (SB_INDEX_SIZE - 1);
  while (sb_index_key[h] != 0 && sb_index_key[h] != id)
    h = (h + 1) & (SB_INDEX_SIZE - 1);
  return h;
}

static void sb_index_rebuild(void) {
  memset(sb_index_key, 0, sizeof(sb_index_key));
  for (size_t i = 0; i < opt_max_mounts; i++)
    if (sbs[i].id != 0) {
      size_t h = sb_index_find(sbs[i].id);
      sb_index_key[h] = sbs[i].id;
      sb_index_val[h] = (uint32_t)i;
    }
}

static size_t new_server(void) {
  for (size_t i = 0; i < MAX_SERVERS; i++)
    if (servers[i].id == 0) {
      servers[i] = (server_t){.id = next_server_id++,
                              .vers = rnd_below(2) ? 4 : 3,
                              .sends = 1000 + rnd_below(1000),
                              .xprt_stamp = -1};
      return i;
    }
  abort();
}

static size_t pick_server(void) {
  /* an existing server 70% of the time */
  if (nmounts > 0 && rnd_below(10) < 7) {
    const mount_t *m = &mounts[order[rnd_below(nmounts)]];
    return sbs[m->sb_slot].server_slot;
  }
  return new_server();
}

static void make_path(mount_t *m) {
  unsigned r = (unsigned)rnd_below(100);
  m->path_since = cur_interval;
  if (r < 70) {
    m->kind = KIND_PLAIN;
    snprintf(m->path, sizeof(m->path), "/soak/v%u", next_path_serial++);
    return;
  }
  if (r < 88) {
    m->kind = KIND_FAMILY;
    if (nfamilies == 0 || (nfamilies < OPEN_FAMILIES && rnd_below(3) == 0)) {
      families[nfamilies].id = next_family_id++;
      families[nfamilies].used = 0;
      nfamilies++;
    }
    size_t f = rnd_below(nfamilies);
    unsigned v;
    do
      v = (unsigned)rnd_below(FAMILY_VARIANTS);
    while (families[f].used & (1u << v));
    families[f].used |= 1u << v;
    uint32_t fid = families[f].id;
    if (families[f].used == (1u << FAMILY_VARIANTS) - 1)
      families[f] = families[--nfamilies]; /* every variant used */
    static const char *const tails[FAMILY_VARIANTS] = {"/x", "-x", ".y",
                                                       "_y", " y", "\ty"};
    snprintf(m->path, sizeof(m->path), "/c%u%s", fid, tails[v]);
    m->family = fid;
    m->cls = v < 2 ? 0 : 1;
    return;
  }
  m->kind = KIND_LONG;
  int n =
      snprintf(m->path, sizeof(m->path), "/soak-long/%u/", next_path_serial++);
  size_t want = 130 + rnd_below(60); /* 130..189 bytes */
  for (; (size_t)n < want && (size_t)n < sizeof(m->path) - 1; n++)
    m->path[n] = (char)('a' + n % 26);
  m->path[n] = '\0';
}

static void add_mount(void) {
  size_t slot = 0;
  while (mounts[slot].id != 0)
    slot++;
  mount_t *m = &mounts[slot];
  memset(m, 0, sizeof(*m));
  m->id = next_mount_id++;
  if (nmounts > 0 && rnd_below(100) < 12) {
    /* a bind duplicate of a live superblock */
    m->sb_slot = mounts[order[rnd_below(nmounts)]].sb_slot;
  } else {
    size_t s = find_free_slot_sb();
    size_t srv = pick_server();
    sbs[s] = (sb_t){.id = next_sb_id++,
                    .server_slot = (uint32_t)srv,
                    .born = cur_interval,
                    .remounted = -1,
                    .leader_stamp = -1};
    servers[srv].refs++;
    m->sb_slot = (uint32_t)s;
  }
  sbs[m->sb_slot].refs++;
  make_path(m);
  m->fresh = 1;
  order[nmounts++] = (uint32_t)slot;
}

static void remove_mount_at(size_t pos) {
  mount_t *m = &mounts[order[pos]];
  sb_t *sb = &sbs[m->sb_slot];
  if (--sb->refs == 0) {
    server_t *srv = &servers[sb->server_slot];
    if (--srv->refs == 0)
      srv->id = 0;
    sb->id = 0; /* retired: its id is never used again */
  }
  m->id = 0;
  memmove(&order[pos], &order[pos + 1], (nmounts - pos - 1) * sizeof(*order));
  nmounts--;
}

/* ---- text ---------------------------------------------------------------- */

/* Written through bench/gen_text.h, the generators' one text writer. */

static const char *const v3_ops[] = {"GETATTR", "LOOKUP", "READ", "WRITE",
                                     "FSSTAT"};
static const char *const v4_ops[] = {"READ",    "WRITE",    "OPEN",
                                     "GETATTR", "SEQUENCE", "READ_PLUS"};
#define NV3 (sizeof(v3_ops) / sizeof(v3_ops[0]))
#define NV4 (sizeof(v4_ops) / sizeof(v4_ops[0]))
#define OP_FIELDS 9
#define XPRT_FIELDS 13

static void put_record(gen_buf_t *b, const mount_t *m) {
  const sb_t *sb = &sbs[m->sb_slot];
  const server_t *srv = &servers[sb->server_slot];
  uint64_t a = sb->age + 1;
  char device[64];
  snprintf(device, sizeof(device), "srv%u:/export/%u", (unsigned)srv->id,
           (unsigned)sb->id);
  uint64_t events[27], bytes[8];
  for (int i = 0; i < 26; i++)
    events[i] = (uint64_t)(i + 1) * a * 7;
  events[26] = sb->id; /* pnfs_write: the superblock's id */
  for (int i = 0; i < 7; i++)
    bytes[i] = (uint64_t)(i + 1) * a * 4096;
  bytes[7] = sb->id; /* write_pages: the superblock's id */
  /* The server connection: identical on every mount of the server. */
  const uint64_t xprt[XPRT_FIELDS] = {600 + srv->id % 60000,
                                      srv->id, /* bind_count: the server's id */
                                      1,
                                      2,
                                      3,
                                      srv->sends,
                                      srv->sends,
                                      0,
                                      srv->sends * 2,
                                      0,
                                      64,
                                      0,
                                      0};
  size_t nops = srv->vers == 4 ? NV4 : NV3;
  uint64_t ops[NV4][OP_FIELDS];
  for (size_t j = 0; j < nops; j++) {
    uint64_t n = (j + 1) * a;
    uint64_t *v = ops[j];
    v[0] = v[1] = n; /* ops, transmissions */
    v[2] = sb->id;   /* timeouts: the superblock's id */
    v[3] = n * 120;
    v[4] = n * 96;
    v[5] = n;
    v[6] = n * 3;
    v[7] = n * 4;
    v[8] = 0; /* errors (RPC iostats 1.1 only) */
  }
  gen_record_t rec = {
      .device = device,
      .mountpoint = m->path,
      .fstype = srv->vers == 4 ? "nfs4" : "nfs",
      .opts =
          srv->vers == 4
              ? "rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,"
                "acregmin=3,acregmax=60,acdirmin=30,acdirmax=60,hard,"
                "proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=192.0.2.1,"
                "local_lock=none"
              : "rw,vers=3,rsize=1048576,wsize=1048576,namlen=255,"
                "acregmin=3,acregmax=60,acdirmin=30,acdirmax=60,hard,"
                "proto=tcp,timeo=600,retrans=2,sec=sys,mountaddr=192.0.2.10,"
                "mountvers=3,mountport=20048,mountproto=udp,local_lock=none",
      .age = sb->age,
      .info = "\tcaps:\tcaps=0xf,wtmult=512,dtsize=1048576,bsize=0,namlen=255\n"
              "\tsec:\tflavor=1,pseudoflavor=1\n",
      .events = events,
      .nevents = 27,
      .bytes = bytes,
      .nbytes = 8,
      .rpc_version = srv->vers == 4 ? "1.1" : "1.0",
      .nfs_version = srv->vers == 4 ? 4 : 3,
      .xprt_word = "tcp",
      .xprt = xprt,
      .nxprt = 1,
      .xprt_fields = XPRT_FIELDS,
      .op_names = srv->vers == 4 ? v4_ops : v3_ops,
      .ops = &ops[0][0],
      .nops = nops,
      .op_stride = OP_FIELDS,
      .op_fields = srv->vers == 4 ? 9 : 8, /* RPC iostats 1.0: no errors */
  };
  gen_put_record(b, &rec);
}

static void put_mountinfo(gen_buf_t *b, const mount_t *m, size_t pos) {
  const sb_t *sb = &sbs[m->sb_slot];
  const server_t *srv = &servers[sb->server_slot];
  char source[64];
  snprintf(source, sizeof(source), "srv%u:/export/%u", (unsigned)srv->id,
           (unsigned)sb->id);
  gen_put_mountinfo(
      b, &(gen_mountinfo_t){.id = 100 + pos,
                            .parent = 1,
                            .minor = sb->id, /* unique per superblock */
                            .mountpoint = m->path,
                            .opts = "rw,relatime",
                            .optional = "shared:1",
                            .fstype = srv->vers == 4 ? "nfs4" : "nfs",
                            .source = source,
                            .superopts = "rw,vers=3,proto=tcp"});
}

static void generate(gen_buf_t *ms, gen_buf_t *mi, int with_mountinfo) {
  ms->len = mi->len = 0;
  gen_puts(ms, "device proc mounted on /proc with fstype proc\n"
               "device sysfs mounted on /sys with fstype sysfs\n"
               "device /dev/vda1 mounted on / with fstype ext4\n");
  if (with_mountinfo)
    gen_puts(mi, "21 1 0:20 / /proc rw,nosuid - proc proc rw\n"
                 "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
                 "1 0 254:1 / / rw,relatime - ext4 /dev/vda1 rw\n");
  for (size_t i = 0; i < nmounts; i++) {
    const mount_t *m = &mounts[order[i]];
    put_record(ms, m);
    if (with_mountinfo)
      put_mountinfo(mi, m, i);
    if (i % 97 == 50)
      gen_puts(ms, "device tmpfs mounted on /run/user with fstype tmpfs\n");
  }
  if (ms->failed || mi->failed)
    abort(); /* out of memory */
}

/* ---- the expected names -------------------------------------------------- */

static void name_base(char out[MS_NAME_SIZE], const char *path) {
  char full[4096];
  size_t n = 0;
  for (const char *p = path + 1; *p; p++) {
    unsigned char c = (unsigned char)*p;
    full[n++] = c == '/' ? '-' : (c < 0x20 || c == 0x7f) ? '_' : (char)c;
  }
  full[n] = '\0';
  if (n <= name_cap) {
    memcpy(out, full, n + 1);
    return;
  }
  /* The generated paths are ASCII: any byte is a UTF-8 boundary. */
  uint32_t h = 2166136261u; /* FNV-1a 32 of the decoded mount point */
  for (const char *p = path; *p; p++)
    h = (h ^ (unsigned char)*p) * 16777619u;
  memcpy(out, full, name_cap - 9);
  snprintf(out + name_cap - 9, 10, "~%08x", (unsigned)h);
}

/* Appends the clash suffix "~k", cutting the name so that it stays within
 * name_cap bytes (ASCII names). */
static void name_add_suffix(char *name, uint32_t k) {
  char suffix[16];
  int sl = snprintf(suffix, sizeof(suffix), "~%u", k);
  size_t len = strlen(name);
  if (len + (size_t)sl > name_cap)
    len = name_cap - (size_t)sl;
  memcpy(name + len, suffix, (size_t)sl + 1);
}

/* Clash classes of this interval: family id and class -> members so far. */
#define CLASS_TABLE 4096
static struct {
  uint64_t key;
  long stamp;
  uint32_t count;
  uint64_t sig;
} classes[CLASS_TABLE];

static size_t class_slot(uint64_t key) {
  size_t h = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 52) & (CLASS_TABLE - 1);
  while (classes[h].stamp == cur_interval && classes[h].key != key)
    h = (h + 1) & (CLASS_TABLE - 1);
  if (classes[h].stamp != cur_interval) {
    classes[h].stamp = cur_interval;
    classes[h].key = key;
    classes[h].count = 0;
    classes[h].sig = 14695981039346656037ull;
  }
  return h;
}

/* Name table of this interval: expected name -> mount slot. */
#define NAME_TABLE 8192
static struct {
  long stamp;
  uint64_t hash;
  uint32_t mount_slot;
  const char *name; /* points into mounts[].want */
} name_table[NAME_TABLE];

static uint64_t hash_str(const char *s) {
  uint64_t h = 14695981039346656037ull;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static mount_t *lookup_name_hashed(const char *name) {
  uint64_t hash = hash_str(name);
  size_t h = (size_t)hash & (NAME_TABLE - 1);
  while (name_table[h].stamp == cur_interval) {
    if (name_table[h].hash == hash && strcmp(name_table[h].name, name) == 0)
      return &mounts[name_table[h].mount_slot];
    h = (h + 1) & (NAME_TABLE - 1);
  }
  return NULL;
}

static mount_t *lookup_name(const char *name) {
  /* The plugin dispatches a mount's value lists one after the other. */
  static long last_interval = -1;
  static mount_t *last;
  if (last_interval == cur_interval && last != NULL &&
      strcmp(last->want, name) == 0)
    return last;
  last = lookup_name_hashed(name);
  last_interval = cur_interval;
  return last;
}

static void insert_name(const char *name, uint32_t slot) {
  uint64_t hash = hash_str(name);
  size_t h = (size_t)hash & (NAME_TABLE - 1);
  while (name_table[h].stamp == cur_interval) {
    if (strcmp(name_table[h].name, name) == 0) {
      fail("model: two mounts expected under \"%s\"", name);
      return;
    }
    h = (h + 1) & (NAME_TABLE - 1);
  }
  name_table[h].stamp = cur_interval;
  name_table[h].hash = hash;
  name_table[h].mount_slot = slot;
  name_table[h].name = name;
}

/* For the report. */
static unsigned long reassigned_names, stayed_checked, renamed_or_moved;

/* Decides which mounts are reported and their names, the connection
 * leaders, and which mounts are fresh for ReportIostat. */
static void expect(void) {
  for (size_t i = 0; i < nmounts; i++) {
    mount_t *m = &mounts[order[i]];
    sb_t *sb = &sbs[m->sb_slot];
    m->prev_reported = m->reported;
    memcpy(m->prev_got, m->got, sizeof(m->got));
    m->got[0] = '\0';
    m->prev_class_sig = m->class_sig;
    m->reported = sb->leader_stamp != cur_interval;
    if (!m->reported)
      continue;
    sb->leader_stamp = cur_interval;
    sb->reported_count = 0;
    server_t *srv = &servers[sb->server_slot];
    if (srv->xprt_stamp != cur_interval) {
      srv->xprt_stamp = cur_interval;
      srv->xprt_leader_mount = m->id;
      srv->xprt_seen = 0;
    }
    name_base(m->want, m->path);
    m->class_sig = 0;
    if (m->kind == KIND_FAMILY) {
      size_t c = class_slot(((uint64_t)m->family << 1) | (uint64_t)m->cls);
      uint32_t k = ++classes[c].count;
      if (k > 1)
        name_add_suffix(m->want, k);
      classes[c].sig = (classes[c].sig ^ m->id) * 1099511628211ull;
    }
    insert_name(m->want, order[i]);
  }
  /* The class signature: every member's, in file order, after the pass. */
  for (size_t i = 0; i < nmounts; i++) {
    mount_t *m = &mounts[order[i]];
    if (m->reported && m->kind == KIND_FAMILY)
      m->class_sig =
          classes[class_slot(((uint64_t)m->family << 1) | (uint64_t)m->cls)]
              .sig;
    const sb_t *sb = &sbs[m->sb_slot];
    if (sb->born == cur_interval || sb->remounted == cur_interval ||
        !m->prev_reported || m->path_since == cur_interval)
      m->fresh = 1;
  }
}

/* ---- what the plugin dispatches ------------------------------------------ */

/* The five event types (mountstats.types.db): events [first, first +
 * count) of the events: line, 0-based. */
static const struct {
  const char *type;
  unsigned first, count;
} event_groups[] = {
    {"nfs_events_cache", 0, 4}, {"nfs_events_vfs", 4, 8},
    {"nfs_events_file", 12, 6}, {"nfs_events_io", 18, 7},
    {"nfs_events_pnfs", 25, 2},
};
#define EVENT_GROUPS 5

enum {
  BIT_AGE,
  BIT_BYTES,
  BIT_XPRT,
  BIT_CONN,
  BIT_SLOTS,
  BIT_COUNT,
  BIT_IOSTAT,
  BIT_EVENTS,                         /* + event group (5) */
  BIT_OP = BIT_EVENTS + EVENT_GROUPS, /* + op index (24 at most) */
  BIT_OP_ERRORS = BIT_OP + 24,        /* + op index */
  BIT_OP_AVG = BIT_OP_ERRORS + 24,
  BITS = BIT_OP_AVG + 24
};

typedef struct {
  uint64_t w[2];
} bits_t;
static bits_t *seen_bits; /* per mount slot */
static unsigned long lists_total, lists_interval;

static int op_index(const char *name) {
  for (size_t j = 0; j < NV4; j++)
    if (name[0] == v4_ops[j][0] && strcmp(v4_ops[j], name) == 0)
      return (int)j;
  for (size_t j = 0; j < NV3; j++)
    if (name[0] == v3_ops[j][0] && strcmp(v3_ops[j], name) == 0)
      return (int)(NV4 + j);
  return -1;
}

static int has_bit(const bits_t *b, int bit) {
  return (b->w[bit / 64] >> (bit % 64)) & 1;
}

static void mark(size_t slot, int bit, const value_list_t *vl) {
  bits_t *b = &seen_bits[slot];
  if (has_bit(b, bit))
    fail("identifier %s/%s-%s dispatched twice in one interval",
         vl->plugin_instance, vl->type, vl->type_instance);
  b->w[bit / 64] |= 1ull << (bit % 64);
}

static void check_sb_column(const mount_t *m, const value_list_t *vl,
                            size_t i) {
  if (i >= vl->values_len)
    return;
  uint32_t want = sbs[m->sb_slot].id;
  derive_t got = vl->values[i].derive;
  if (got == (derive_t)want)
    return;
  if (got > 0 && got < (derive_t)next_sb_id) {
    size_t h = sb_index_find((uint32_t)got);
    if (sb_index_key[h] == 0)
      fail("%s/%s-%s carries RETIRED superblock %lld", vl->plugin_instance,
           vl->type, vl->type_instance, (long long)got);
    else
      fail("%s/%s-%s carries superblock %lld, expected %u", vl->plugin_instance,
           vl->type, vl->type_instance, (long long)got, want);
    return;
  }
  fail("%s/%s-%s: id column %lld, expected %u", vl->plugin_instance, vl->type,
       vl->type_instance, (long long)got, want);
}

static int event_group(const char *type) {
  for (int g = 0; g < EVENT_GROUPS; g++)
    if (strcmp(event_groups[g].type, type) == 0)
      return g;
  return -1;
}

/* put_record() prints event k (0-based) as (k + 1) * (age + 1) * 7, but the
 * last one (k = 26, pnfs_write), which is the superblock's id. */
static void check_events(const mount_t *m, const value_list_t *vl, unsigned g) {
  unsigned first = event_groups[g].first, count = event_groups[g].count;
  if (vl->values_len != count) {
    fail("%s/%s: %zu values, expected %u", vl->plugin_instance, vl->type,
         vl->values_len, count);
    return;
  }
  uint64_t a = (uint64_t)sbs[m->sb_slot].age + 1;
  for (unsigned j = 0; j < count; j++) {
    unsigned k = first + j;
    if (k == 26) {
      check_sb_column(m, vl, j);
      continue;
    }
    derive_t want = (derive_t)((k + 1) * a * 7);
    if (vl->values[j].derive != want) {
      fail("%s/%s value %u (event %u) is %lld, expected %lld",
           vl->plugin_instance, vl->type, j, k + 1,
           (long long)vl->values[j].derive, (long long)want);
      return;
    }
  }
}

static void soak_dispatch(const value_list_t *vl) {
  lists_total++;
  lists_interval++;
  if (strcmp(vl->plugin, "mountstats") != 0) {
    fail("plugin \"%s\"", vl->plugin);
    return;
  }
  mount_t *m = lookup_name(vl->plugin_instance);
  if (m == NULL) {
    fail("value list %s/%s-%s under a name no current mount has",
         vl->plugin_instance, vl->type, vl->type_instance);
    return;
  }
  size_t slot = (size_t)(m - mounts);
  const sb_t *sb = &sbs[m->sb_slot];
  const server_t *srv = &servers[sb->server_slot];
  const char *t = vl->type, *ti = vl->type_instance;
  int xprt_leader = srv->xprt_leader_mount == m->id;
  if (strcmp(t, "uptime") == 0 && strcmp(ti, "age") == 0) {
    mark(slot, BIT_AGE, vl);
    if (vl->values[0].gauge != (gauge_t)sb->age)
      fail("%s age %g, expected %u", vl->plugin_instance, vl->values[0].gauge,
           sb->age);
  } else if (strncmp(t, "nfs_events", 10) == 0) {
    int g = event_group(t);
    if (g < 0) {
      fail("%s: unknown events type %s", vl->plugin_instance, t);
      return;
    }
    mark(slot, BIT_EVENTS + g, vl);
    if (ti[0] != '\0')
      fail("%s/%s has type_instance \"%s\"", vl->plugin_instance, t, ti);
    check_events(m, vl, (unsigned)g);
  } else if (strcmp(t, "nfs_bytes") == 0) {
    mark(slot, BIT_BYTES, vl);
    check_sb_column(m, vl, 7);
    sstrncpy(m->got, vl->plugin_instance, sizeof(m->got));
    sbs[m->sb_slot].reported_count++;
  } else if (strcmp(t, "nfs_xprt") == 0 || strcmp(t, "nfs_xprt_conn") == 0 ||
             strcmp(t, "nfs_xprt_slots") == 0 || strcmp(t, "count") == 0) {
    int bit = t[0] == 'c'                       ? BIT_COUNT
              : strcmp(t, "nfs_xprt") == 0      ? BIT_XPRT
              : strcmp(t, "nfs_xprt_conn") == 0 ? BIT_CONN
                                                : BIT_SLOTS;
    mark(slot, bit, vl);
    if (!xprt_leader)
      fail("%s/%s-%s: the connection of server %u belongs to mount %u",
           vl->plugin_instance, t, ti, srv->id, srv->xprt_leader_mount);
    if (bit == BIT_XPRT) {
      servers[sb->server_slot].xprt_seen++;
      if (vl->values[0].derive != (derive_t)srv->id)
        fail("%s nfs_xprt bind_count %lld, expected server %u",
             vl->plugin_instance, (long long)vl->values[0].derive, srv->id);
    }
  } else if (strcmp(t, "nfs_iostat") == 0) {
    mark(slot, BIT_IOSTAT, vl);
    if (m->fresh)
      fail("%s: nfs_iostat in the interval of a (re)mount or rename "
           "(born %ld, remounted %ld, path since %ld)",
           vl->plugin_instance, sb->born, sb->remounted, m->path_since);
  } else if (strcmp(t, "nfs_op") == 0 || strcmp(t, "nfs_op_errors") == 0 ||
             strcmp(t, "nfs_op_avg") == 0) {
    int bit = op_index(ti);
    if (bit < 0) {
      fail("%s: unknown op %s", vl->plugin_instance, ti);
      return;
    }
    if (strcmp(t, "nfs_op") == 0) {
      mark(slot, BIT_OP + bit, vl);
      check_sb_column(m, vl, 2);
    } else if (strcmp(t, "nfs_op_errors") == 0) {
      mark(slot, BIT_OP_ERRORS + bit, vl);
      if (srv->vers != 4)
        fail("%s: nfs_op_errors for an RPC 1.0 mount", vl->plugin_instance);
    } else {
      mark(slot, BIT_OP_AVG + bit, vl);
      if (m->fresh)
        fail("%s: nfs_op_avg in the interval of a (re)mount or rename",
             vl->plugin_instance);
    }
  } else {
    fail("unexpected value list %s/%s-%s", vl->plugin_instance, t, ti);
  }
}

/* After the read: what must have been dispatched, and name stability. */
static void check_interval(void) {
  for (size_t i = 0; i < nmounts; i++) {
    mount_t *m = &mounts[order[i]];
    const sb_t *sb = &sbs[m->sb_slot];
    const server_t *srv = &servers[sb->server_slot];
    bits_t bits = seen_bits[order[i]];
    memset(&seen_bits[order[i]], 0, sizeof(bits));
    if (!m->reported) {
      if (bits.w[0] || bits.w[1])
        fail("bind duplicate %s (mount %u) was reported", m->path, m->id);
      continue;
    }
    if (!has_bit(&bits, BIT_BYTES) || !has_bit(&bits, BIT_AGE)) {
      fail("mount %u (%s, want \"%s\") not reported", m->id, m->path, m->want);
      continue;
    }
    for (int g = 0; g < EVENT_GROUPS; g++)
      if (!has_bit(&bits, BIT_EVENTS + g))
        fail("mount %u \"%s\": no %s (27 events printed)", m->id, m->want,
             event_groups[g].type);
    if (sb->reported_count != 1)
      fail("superblock %u reported %u times", sb->id, sb->reported_count);
    if (strcmp(m->got, m->want) != 0)
      fail("mount %u \"%s\": name \"%s\", expected \"%s\"", m->id, m->path,
           m->got, m->want);
    if (srv->xprt_leader_mount == m->id && srv->xprt_seen != 1)
      fail("server %u: xprt dispatched %u times", srv->id, srv->xprt_seen);
    /* A mount that stayed, first of its superblock before and now, with the
     * same mount point and the same clashing neighbours, keeps its name. */
    if (m->prev_reported && m->path_since < cur_interval &&
        m->class_sig == m->prev_class_sig) {
      stayed_checked++;
      if (strcmp(m->got, m->prev_got) != 0)
        fail("mount %u \"%s\" stayed but its name changed: \"%s\" -> \"%s\"",
             m->id, m->path, m->prev_got, m->got);
    } else if (m->prev_reported && strcmp(m->got, m->prev_got) != 0) {
      renamed_or_moved++;
    }
    m->fresh = 0;
  }
}

/* Names that a retired (or no longer reported) mount had in the previous
 * interval and that another mount has now: only through a clash class. */
#define PREV_NAMES_MAX 4096
static char (*prev_names)[MS_NAME_SIZE];
static uint32_t *prev_name_mount;
static size_t prev_names_n;

static void check_reassigned(void) {
  for (size_t i = 0; i < prev_names_n; i++) {
    mount_t *m = lookup_name(prev_names[i]);
    if (m != NULL && m->id != prev_name_mount[i]) {
      reassigned_names++;
      if (m->kind != KIND_FAMILY)
        fail("name \"%s\" of mount %u went to mount %u outside a clash class",
             prev_names[i], prev_name_mount[i], m->id);
    }
  }
  prev_names_n = 0;
  for (size_t i = 0; i < nmounts && prev_names_n < PREV_NAMES_MAX; i++) {
    const mount_t *m = &mounts[order[i]];
    if (!m->reported)
      continue;
    memcpy(prev_names[prev_names_n], m->want, MS_NAME_SIZE);
    prev_name_mount[prev_names_n++] = m->id;
  }
}

/* ---- the churn ----------------------------------------------------------- */

static size_t target_for(long i) {
  long w = opt_warmup;
  size_t max = opt_max_mounts;
  if (i < w * 3 / 10)
    return 1 + (size_t)((double)(max - 1) * (double)i / (double)(w * 3 / 10));
  if (i < w / 2)
    return max;
  if (i < w * 7 / 10)
    return 1 + (size_t)((double)(max - 1) * (double)(w * 7 / 10 - i) /
                        (double)(w / 5));
  return 0; /* random */
}

static size_t random_target;

static void churn(void) {
  size_t target = target_for(cur_interval);
  if (target == 0) {
    long since = cur_interval - opt_warmup * 7 / 10;
    if (random_target == 0 || since % 250 == 0) {
      /* both ends are visited regularly; log-uniform in between */
      long phase = since / 250 % 16;
      if (phase == 5)
        random_target = opt_max_mounts;
      else if (phase == 13)
        random_target = 1;
      else
        random_target = (size_t)exp(log((double)opt_max_mounts) * rnd_unit());
      if (random_target < 1)
        random_target = 1;
      if (random_target > opt_max_mounts)
        random_target = opt_max_mounts;
    }
    target = random_target;
  }
  size_t step = nmounts / 30 + 1;
  size_t ramp = opt_max_mounts / (size_t)(opt_warmup / 5) + 1;
  if (step < ramp)
    step = ramp;
  size_t churn_n = rnd_below(nmounts / 100 + 2);
  /* the size after this interval: one step toward the target */
  size_t final = nmounts;
  if (target > nmounts)
    final += target - nmounts < step ? target - nmounts : step;
  else if (target < nmounts)
    final -= nmounts - target < step ? nmounts - target : step;
  if (final < 1)
    final = 1;
  size_t removals = churn_n + (nmounts > final ? nmounts - final : 0);
  if (nmounts == 0)
    removals = 0;
  else if (removals > nmounts - 1)
    removals = nmounts - 1; /* a file is never without an NFS mount */
  for (size_t k = 0; k < removals; k++)
    remove_mount_at(rnd_below(nmounts));
  while (nmounts < final)
    add_mount();
  /* everything that stays gets older; some remount, some are renamed */
  for (size_t i = 0; i < opt_max_mounts; i++) {
    sb_t *sb = &sbs[i];
    if (sb->id == 0 || sb->born == cur_interval)
      continue;
    if (sb->age >= 2 && rnd_below(1000) < 4) { /* counters drop */
      sb->age = 0;
      sb->gen++;
      sb->remounted = cur_interval;
    } else {
      sb->age++;
    }
  }
  for (size_t i = 0; i < MAX_SERVERS; i++)
    if (servers[i].id != 0)
      servers[i].sends += 1 + rnd_below(100);
  for (size_t i = 0; i < nmounts; i++)
    if (rnd_below(1000) < 2)
      make_path(&mounts[order[i]]);
  sb_index_rebuild();
}

/* ---- main ---------------------------------------------------------------- */

static long rss_kib(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (f == NULL)
    return -1;
  if (fscanf(f, "%ld %ld", &size, &resident) != 2)
    resident = -1;
  fclose(f);
  return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void write_file(int fd, const gen_buf_t *b) {
  if (ftruncate(fd, 0) != 0)
    abort();
  size_t off = 0;
  while (off < b->len) {
    ssize_t n = pwrite(fd, b->p + off, b->len - off, (off_t)off);
    if (n <= 0)
      abort();
    off += (size_t)n;
  }
}

static oconfig_value_t str_value(const char *s) {
  oconfig_value_t v = {.type = OCONFIG_TYPE_STRING};
  v.value.string = (char *)s;
  return v;
}

static void usage(void) {
  fprintf(stderr, "usage: soak_churn [--intervals N] [--max-mounts M] "
                  "[--warmup W] [--seed S] [--rss-tolerance-kib K] "
                  "[--dir D] [--max-name-length 16..127]\n");
  exit(2);
}

int main(int argc, char **argv) {
  static const struct option lopts[] = {
      {"intervals", required_argument, NULL, 'n'},
      {"max-mounts", required_argument, NULL, 'm'},
      {"warmup", required_argument, NULL, 'w'},
      {"seed", required_argument, NULL, 's'},
      {"rss-tolerance-kib", required_argument, NULL, 'r'},
      {"dir", required_argument, NULL, 'd'},
      {"max-name-length", required_argument, NULL, 'l'},
      {NULL, 0, NULL, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
    switch (c) {
    case 'n':
      opt_intervals = atol(optarg);
      break;
    case 'm':
      opt_max_mounts = (size_t)atol(optarg);
      break;
    case 'w':
      opt_warmup = atol(optarg);
      break;
    case 's':
      opt_seed = strtoull(optarg, NULL, 0);
      break;
    case 'r':
      opt_rss_tolerance_kib = atol(optarg);
      break;
    case 'd':
      opt_dir = optarg;
      break;
    case 'l':
      opt_max_name_length = atol(optarg);
      break;
    default:
      usage();
    }
  }
  if (opt_max_mounts < 1 || opt_max_mounts > 2000 || opt_intervals < 1 ||
      opt_warmup < 10 ||
      (opt_max_name_length != 0 &&
       (opt_max_name_length < 16 || opt_max_name_length > 127)))
    usage();
  if (opt_max_name_length != 0)
    name_cap = (size_t)opt_max_name_length;
  rng_state = opt_seed;

  char dir[256];
  snprintf(dir, sizeof(dir), "%s/soak_churn.XXXXXX",
           opt_dir                         ? opt_dir
           : access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                                           : "/tmp");
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  char ms_path[300], mi_path[300];
  snprintf(ms_path, sizeof(ms_path), "%s/mountstats", dir);
  snprintf(mi_path, sizeof(mi_path), "%s/mountinfo", dir);
  int ms_fd = open(ms_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int mi_fd = open(mi_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (ms_fd < 0 || mi_fd < 0) {
    perror("open");
    return 1;
  }

  sbs = calloc(opt_max_mounts, sizeof(*sbs));
  mounts = calloc(opt_max_mounts, sizeof(*mounts));
  order = calloc(opt_max_mounts, sizeof(*order));
  servers = calloc(MAX_SERVERS, sizeof(*servers));
  seen_bits = calloc(opt_max_mounts, sizeof(*seen_bits));
  prev_names = calloc(PREV_NAMES_MAX, sizeof(*prev_names));
  prev_name_mount = calloc(PREV_NAMES_MAX, sizeof(*prev_name_mount));
  if (!sbs || !mounts || !order || !servers || !seen_bits || !prev_names ||
      !prev_name_mount)
    return 1;
  for (size_t i = 0; i < CLASS_TABLE; i++)
    classes[i].stamp = -1;
  for (size_t i = 0; i < NAME_TABLE; i++)
    name_table[i].stamp = -1;

  /* The daemon: load, configure, init. */
  stub_recording = false;
  stub_dispatch_hook = soak_dispatch;
  stub_log_hook = soak_log;
  module_register();
  oconfig_value_t v_file = str_value(ms_path), v_mi = str_value(mi_path);
  oconfig_value_t v_true = {.type = OCONFIG_TYPE_BOOLEAN};
  v_true.value.boolean = 1;
  oconfig_value_t v_len = {.type = OCONFIG_TYPE_NUMBER};
  v_len.value.number = (double)opt_max_name_length;
  /* The model below is NamingScheme path's (clashes "~k" in file order);
   * auto's rules are the unit tests' and the pod churn test's. */
  oconfig_value_t v_scheme = str_value("path");
  oconfig_item_t children[] = {
      {.key = "File", .values = &v_file, .values_num = 1},
      {.key = "MountInfoFile", .values = &v_mi, .values_num = 1},
      {.key = "ReportIostat", .values = &v_true, .values_num = 1},
      {.key = "NamingScheme", .values = &v_scheme, .values_num = 1},
      {.key = "MaxNameLength", .values = &v_len, .values_num = 1},
  };
  oconfig_item_t top = {.key = "Plugin",
                        .children = children,
                        .children_num = STATIC_ARRAY_SIZE(children) -
                                        (opt_max_name_length == 0)};
  if (stub_config_cb == NULL || stub_config_cb(&top) != 0 ||
      stub_init_cb == NULL || stub_init_cb() != 0 || stub_read_cb == NULL) {
    fprintf(stderr, "FAIL: the plugin did not configure or initialise\n");
    return 1;
  }

  gen_buf_t ms = {0}, mi = {0};
  long rss_warm = -1, rss_end = -1, rss_max_after = -1;
  size_t min_after = SIZE_MAX, max_after = 0, min_all = SIZE_MAX, max_all = 0;
  double sum_mounts = 0, max_bytes = 0;
  unsigned long retired_total = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (cur_interval = 0; cur_interval < opt_intervals; cur_interval++) {
    uint32_t sb_before = next_sb_id;
    (void)sb_before;
    churn();
    int with_mi = (cur_interval / 500) % 2 == 0;
    generate(&ms, &mi, with_mi);
    write_file(ms_fd, &ms);
    write_file(mi_fd, &mi);
    expect();
    check_reassigned();
    stub_now =
        TIME_T_TO_CDTIME_T(1700000000) + TIME_T_TO_CDTIME_T(cur_interval);
    lists_interval = 0;
    if (stub_read_cb() != 0)
      fail("the read callback returned non-zero");
    check_interval();

    sum_mounts += (double)nmounts;
    if ((double)ms.len > max_bytes)
      max_bytes = (double)ms.len;
    if (nmounts < min_all)
      min_all = nmounts;
    if (nmounts > max_all)
      max_all = nmounts;
    if (cur_interval >= opt_warmup) {
      if (nmounts < min_after)
        min_after = nmounts;
      if (nmounts > max_after)
        max_after = nmounts;
    }
    if (cur_interval + 1 == opt_warmup)
      rss_warm = rss_kib();
    if (cur_interval >= opt_warmup && (cur_interval + 1) % 100 == 0) {
      long r = rss_kib();
      if (r > rss_max_after)
        rss_max_after = r;
    }
    if ((cur_interval + 1) % 1000 == 0)
      fprintf(stderr, "interval %ld: %zu mounts, %zu bytes, RSS %ld KiB\n",
              cur_interval + 1, nmounts, ms.len, rss_kib());
    if (failures > 1000)
      break;
  }
  rss_end = rss_kib();
  clock_gettime(CLOCK_MONOTONIC, &t1);
  retired_total = next_sb_id - 1;
  for (size_t i = 0; i < opt_max_mounts; i++)
    if (sbs[i].id != 0)
      retired_total--;

  double secs =
      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("intervals run: %ld (%.1f s, %.2f ms per interval)\n", cur_interval,
         secs, secs * 1000 / (double)(cur_interval ? cur_interval : 1));
  printf("NFS mounts per interval: %zu..%zu overall, %zu..%zu after warm-up, "
         "mean %.0f; largest file %.0f bytes\n",
         min_all, max_all, min_after == SIZE_MAX ? 0 : min_after, max_after,
         sum_mounts / (double)(cur_interval ? cur_interval : 1), max_bytes);
  printf("mounts created %u, superblocks created %u (retired %lu), servers "
         "%u, clash families %u\n",
         next_mount_id - 1, next_sb_id - 1, retired_total, next_server_id - 1,
         next_family_id - 1);
  printf("longest name: %zu bytes (MaxNameLength %s)\n", name_cap,
         opt_max_name_length ? "set" : "not set: the default");
  printf("value lists checked: %lu; stayed-mount name checks: %lu; names "
         "changed by rename/move/neighbours: %lu; names passed on within a "
         "clash class: %lu\n",
         lists_total, stayed_checked, renamed_or_moved, reassigned_names);
  printf("log lines: %lu error, %lu warning, %lu notice, %lu info\n",
         stub_counts.logs[LOG_ERR], stub_counts.logs[LOG_WARNING],
         stub_counts.logs[LOG_NOTICE], stub_counts.logs[LOG_INFO]);

  int rss_ok = 1;
  if (opt_rss_tolerance_kib < 0) {
    printf("RSS: %ld KiB after warm-up, %ld KiB at the end (not compared: "
           "--rss-tolerance-kib < 0)\n",
           rss_warm, rss_end);
  } else if (cur_interval > opt_warmup && rss_warm > 0) {
    long growth = rss_end - rss_warm;
    rss_ok = growth <= opt_rss_tolerance_kib;
    printf("RSS after warm-up (interval %ld): %ld KiB; at the end (interval "
           "%ld): %ld KiB; largest sample after warm-up: %ld KiB; growth %+ld "
           "KiB (tolerance %ld KiB): %s\n",
           opt_warmup, rss_warm, cur_interval, rss_end, rss_max_after, growth,
           opt_rss_tolerance_kib, rss_ok ? "flat" : "GROWS");
  } else {
    printf("RSS: %ld KiB at the end (run shorter than the warm-up: not "
           "compared)\n",
           rss_end);
  }

  /* Shutdown frees everything the plugin holds (valgrind checks it). */
  if (stub_shutdown_cb != NULL)
    stub_shutdown_cb();
  gen_buf_free(&ms);
  gen_buf_free(&mi);
  free(sbs);
  free(mounts);
  free(order);
  free(servers);
  free(seen_bits);
  free(prev_names);
  free(prev_name_mount);
  close(ms_fd);
  close(mi_fd);
  unlink(ms_path);
  unlink(mi_path);
  rmdir(dir);

  if (failures > 0 || !rss_ok) {
    printf("FAILED: %lu check failures%s\n", failures,
           rss_ok ? "" : ", resident memory grows");
    return 1;
  }
  printf("PASSED\n");
  return 0;
}
