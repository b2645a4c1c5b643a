/* SPDX-License-Identifier: MIT
 *
 * bench_mountstats.c: how fast the plugin's read path is, against the floor
 * of reading the file and converting its numbers, and whether it is right.
 *
 * For 10, 100, 1,000 and 5,000 generated NFS mounts (gen.h) written to a
 * file on tmpfs, it times, interleaved in rounds in one run:
 *   A  read:              open, fstat, read() to EOF, close;
 *   B  read + convert:    A, then a minimal loop that converts every decimal
 *                         number in the buffer and sums them (the floor);
 *   P  read + ms_parse:   A, then the parser (src/mountstats.c);
 *   C  read callback:     the plugin's read callback, mountstats_read()
 *                         (read, parse, select, superblocks, names, dispatch
 *                         into a counting stub), default config,
 *                         MountInfoFile "";
 *   M  read callback + mountinfo: C, also reading a matching mountinfo file,
 *                         as the plugin does for /proc/<pid>/mountstats.
 * Each figure is the best of the rounds, in CPU time of the thread (a
 * background process taking turns on the CPU does not count); ratios are
 * to B. Results are
 * checked (mount, op and xprt counts, a checksum of every parsed number, the
 * number and a checksum of the dispatched value lists, and a few exact value
 * lists); a wrong result exits 1. A missed performance target only prints
 * MISS. Allocations during warm intervals are counted (alloc_count.c).
 *
 * The plugin's glue is linked (mountstats_glue) and its callbacks called
 * directly; tests/stub/collectd_stub.c stands in for the
 * daemon, counting only.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#define _DEFAULT_SOURCE
#include "mountstats_plugin.h"

#include "mountstats.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "alloc_count.h"
#include "collectd_stub.h"
#include "gen.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef BENCH_BUILD
#define BENCH_BUILD "unknown"
#endif

#define MAX_SIZES 16

enum { ST_READ, ST_CONVERT, ST_PARSE, ST_CALLBACK, ST_CALLBACK_MI, NSTAGES };

static const char *const stage_names[NSTAGES] = {
    "A read", "B read+convert (floor)", "P read+ms_parse", "C ms_read (stub)",
    "M ms_read+mountinfo"};
static const char *const stage_keys[NSTAGES] = {"read", "convert", "parse",
                                                "callback", "callback-mi"};

/* The configs of the options table (gen.h bits). */
static const unsigned option_confs[] = {
    0, GEN_ZERO_OPS, GEN_PER_TRANSPORT, GEN_ALL_MOUNTS, GEN_IOSTAT, GEN_ALL_ON};

static int failures;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "WRONG: " __VA_ARGS__);                                  \
      fputc('\n', stderr);                                                     \
      failures++;                                                              \
    }                                                                          \
  } while (0)

/* ---- the current input ---- */

static char tmpdir[256];
static char ms_path[512], mi_path[512];
static gen_expect_t ex;
static char *fbuf; /* the floor's read buffer */
static size_t fcap;
static ms_snapshot_t bench_snap; /* the parser stage's snapshot */
static double fast_share;        /* op lines taken by the fast path */

/* Timings are CPU time of this thread (user and system, so read() counts):
 * time the scheduler gives to other processes, such as a fuzzer running in
 * the background, is not counted. Budgets are wall-clock time. */
static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int write_file(const char *path, const gen_buf_t *b) {
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return -1;
  size_t n = fwrite(b->p, 1, b->len, f);
  return fclose(f) == 0 && n == b->len ? 0 : -1;
}

static size_t cur_n;
static uint64_t epoch;

/* Writes the input for n mounts at the current epoch. */
static int make_input(size_t n) {
  gen_buf_t ms = {0}, mi = {0};
  int rc = gen_mountstats(n, epoch, &ms, &mi, &ex);
  if (rc == 0) {
    snprintf(ms_path, sizeof(ms_path), "%s/mountstats-%zu", tmpdir, n);
    snprintf(mi_path, sizeof(mi_path), "%s/mountinfo-%zu", tmpdir, n);
    rc = write_file(ms_path, &ms) || write_file(mi_path, &mi) ? -1 : 0;
  }
  size_t need = ms.len + 4096;
  if (rc == 0 && need > fcap) {
    free(fbuf);
    fbuf = malloc(need);
    fcap = need;
    rc = fbuf ? 0 : -1;
  }
  gen_buf_free(&ms);
  gen_buf_free(&mi);
  cur_n = n;
  return rc;
}

/* The next read of the client: every used counter moved on. */
static int next_epoch(void) {
  epoch++;
  return make_input(cur_n);
}

/* ---- the stages ---- */

/* Floor A: the file into fbuf, with the syscalls the plugin makes. */
static size_t read_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return 0;
  }
  size_t used = 0;
  for (;;) {
    ssize_t r = read(fd, fbuf + used, fcap - used);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    used += (size_t)r;
    if (used == fcap)
      break; /* not with the generated files: fcap is their size + 4 KiB */
  }
  close(fd);
  return used;
}

/* Floor B's loop: every run of decimal digits is a number. */
__attribute__((noinline, aligned(64))) static uint64_t
convert_all(const char *p, size_t len) {
  uint64_t sum = 0, v = 0;
  int in = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned d = (unsigned char)p[i] - '0';
    if (d <= 9) {
      v = v * 10 + d;
      in = 1;
    } else if (in) {
      sum += v;
      v = 0;
      in = 0;
    }
  }
  return sum + v;
}

static volatile uint64_t sink;

/* One call of a stage. Returns 0, or -1 when the call failed. */
static int stage_once(int stage) {
  size_t len;
  switch (stage) {
  case ST_READ:
    sink += read_file(ms_path);
    return 0;
  case ST_CONVERT:
    len = read_file(ms_path);
    sink += convert_all(fbuf, len);
    return 0;
  case ST_PARSE:
    len = read_file(ms_path);
    return ms_parse(&bench_snap, fbuf, len) == 0 ? 0 : -1;
  default:
    return mountstats_read() == 0 ? 0 : -1;
  }
}

/* Runs one stage iters times; a function of its own so that callgrind can
 * collect exactly the timed calls (--toggle-collect=run_stage). Returns 0,
 * or -1 when a call failed. */
__attribute__((noinline, noclone)) static int run_stage(int stage,
                                                        size_t iters) {
  int rc = 0;
  for (size_t i = 0; i < iters; i++)
    rc |= stage_once(stage);
  return rc;
}

/* ---- plugin configuration ---- */

/* ReportStall for configure(): on, reading the tree at stall_root. */
static bool stall_on;
static char stall_root[600];

#define ITEM(k, v)                                                             \
  (oconfig_item_t) { .key = (char *)(k), .values = (v), .values_num = 1 }

/* Shuts the plugin down and configures it afresh: File, MountInfoFile (mi,
 * or "" for none) and the options in conf_bits. */
static int configure(const char *file, const char *mi, unsigned conf_bits) {
  mountstats_shutdown();
  oconfig_value_t vfile = {.value.string = (char *)file,
                           .type = OCONFIG_TYPE_STRING};
  oconfig_value_t vmi = {.value.string = (char *)(mi ? mi : ""),
                         .type = OCONFIG_TYPE_STRING};
  oconfig_value_t vtrue = {.value.boolean = 1, .type = OCONFIG_TYPE_BOOLEAN};
  oconfig_value_t vroot = {.value.string = stall_root,
                           .type = OCONFIG_TYPE_STRING};
  oconfig_item_t items[8];
  int n = 0;
  items[n++] = ITEM("File", &vfile);
  items[n++] = ITEM("MountInfoFile", &vmi);
  if (stall_on) {
    items[n++] = ITEM("ReportStall", &vtrue);
    items[n++] = ITEM("SysfsRoot", &vroot);
  }
  if (conf_bits & GEN_ZERO_OPS)
    items[n++] = ITEM("ReportZeroOps", &vtrue);
  if (conf_bits & GEN_PER_TRANSPORT)
    items[n++] = ITEM("ReportPerTransport", &vtrue);
  if (conf_bits & GEN_ALL_MOUNTS)
    items[n++] = ITEM("ReportAllMountPoints", &vtrue);
  if (conf_bits & GEN_IOSTAT)
    items[n++] = ITEM("ReportIostat", &vtrue);
  oconfig_item_t block = {
      .key = (char *)"Plugin", .children = items, .children_num = n};
  if (mountstats_config(&block) != 0 || mountstats_init() != 0) {
    fprintf(stderr, "bench: configuring the plugin failed\n");
    return -1;
  }
  return 0;
}

/* Configures, then runs the warm-up reads: the first read allocates
 * everything and logs shared superblocks once; the second allocates again
 * for the keysets that remember what was logged (they alternate between two
 * arrays); from the third on, a read allocates nothing. */
static int configure_warm(const char *mi, unsigned conf_bits) {
  if (configure(ms_path, mi, conf_bits) != 0)
    return -1;
  for (int i = 0; i < 2; i++) {
    if ((conf_bits & GEN_IOSTAT) && i > 0 && next_epoch() != 0)
      return -1;
    if (mountstats_read() != 0)
      return -1;
  }
  return 0;
}

/* ---- verification ---- */

static const struct {
  const char *type;
  size_t n;
} type_values[] = {
    {"nfs_op", 8},          {"nfs_op_errors", 1},   {"nfs_events_cache", 4},
    {"nfs_events_vfs", 8},  {"nfs_events_file", 6}, {"nfs_events_io", 7},
    {"nfs_events_pnfs", 2}, {"nfs_bytes", 8},       {"nfs_fscache", 5},
    {"uptime", 1},          {"nfs_xprt", 6},        {"nfs_xprt_conn", 3},
    {"nfs_xprt_slots", 3},  {"count", 1},           {"nfs_iostat", 5},
    {"nfs_op_avg", 7},
};

static struct {
  unsigned conf;
  size_t found[GEN_MAX_PROBES];
  size_t bad_values[GEN_MAX_PROBES];
  size_t bad_shape;
  uint64_t checksum; /* of the lists other than ReportIostat's */
  cdtime_t time;
  size_t times;
  char (*names)[DATA_MAX_NAME_LEN];
  size_t nnames, names_cap;
} vf;

static void verify_hook(const value_list_t *vl) {
  if (vf.times++ == 0)
    vf.time = vl->time;
  int shape_ok = strcmp(vl->plugin, "mountstats") == 0 && vl->time == vf.time &&
                 vl->plugin_instance[0] != '\0';
  int known = 0;
  for (size_t i = 0; i < sizeof(type_values) / sizeof(type_values[0]); i++)
    if (strcmp(vl->type, type_values[i].type) == 0) {
      known = 1;
      shape_ok = shape_ok && vl->values_len == type_values[i].n;
    }
  if (!known || !shape_ok)
    vf.bad_shape++;
  if (strcmp(vl->type, "nfs_iostat") != 0 &&
      strcmp(vl->type, "nfs_op_avg") != 0) {
    uint64_t raw[64];
    size_t n = vl->values_len < 64 ? vl->values_len : 64;
    memcpy(raw, vl->values, n * sizeof(raw[0]));
    vf.checksum += gen_list_checksum(raw, n);
  }
  if (strcmp(vl->type, "uptime") == 0 && vf.nnames < vf.names_cap)
    memcpy(vf.names[vf.nnames++], vl->plugin_instance, DATA_MAX_NAME_LEN);
  for (size_t k = 0; k < ex.nprobes; k++) {
    const gen_probe_t *p = &ex.probes[k];
    if (strcmp(vl->plugin_instance, p->plugin_instance) != 0 ||
        strcmp(vl->type, p->type) != 0 ||
        strcmp(vl->type_instance, p->type_instance) != 0)
      continue;
    vf.found[k]++;
    if (vl->values_len != p->n ||
        memcmp(vl->values, p->raw, p->n * sizeof(p->raw[0])) != 0)
      vf.bad_values[k]++;
  }
}

static int cmp_names(const void *a, const void *b) { return strcmp(a, b); }

/* Runs the plugin once (after warm-up) under conf and checks everything it
 * dispatched against the generator's model. */
static void verify_callback(const char *mi, unsigned cfg) {
  const char *what = mi ? "with mountinfo" : "without mountinfo";
  if (configure_warm(mi, cfg) != 0) {
    CHECK(0, "plugin read failed (config %u, %s)", cfg, what);
    return;
  }
  stub_counts_t before = stub_counts;
  memset(vf.found, 0, sizeof(vf.found));
  memset(vf.bad_values, 0, sizeof(vf.bad_values));
  vf.conf = cfg;
  vf.bad_shape = vf.times = vf.nnames = 0;
  vf.checksum = 0;
  vf.names_cap = ex.mounts + 1;
  vf.names = calloc(vf.names_cap, sizeof(*vf.names));
  if ((cfg & GEN_IOSTAT) && next_epoch() != 0) {
    CHECK(0, "writing the next epoch failed");
    return;
  }
  stub_dispatch_hook = verify_hook;
  int rc = mountstats_read();
  stub_dispatch_hook = NULL;
  CHECK(rc == 0, "ms_read returned %d", rc);
  uint64_t lists = stub_counts.lists - before.lists;
  uint64_t values = stub_counts.values - before.values;
  CHECK(lists == ex.lists[cfg],
        "config %u %s: %llu value lists dispatched, expected %zu", cfg, what,
        (unsigned long long)lists, ex.lists[cfg]);
  CHECK(values == ex.values[cfg],
        "config %u %s: %llu values dispatched, expected %zu", cfg, what,
        (unsigned long long)values, ex.values[cfg]);
  CHECK(vf.checksum == ex.checksum[cfg],
        "config %u %s: checksum of the dispatched values differs", cfg, what);
  CHECK(vf.bad_shape == 0,
        "config %u %s: %zu value lists with a wrong plugin, time, type or "
        "number of values",
        cfg, what, vf.bad_shape);
  CHECK(vf.nnames == ex.reported[cfg],
        "config %u %s: %zu mounts reported, expected %zu", cfg, what, vf.nnames,
        ex.reported[cfg]);
  qsort(vf.names, vf.nnames, sizeof(*vf.names), cmp_names);
  for (size_t i = 1; i < vf.nnames; i++)
    CHECK(strcmp(vf.names[i - 1], vf.names[i]) != 0,
          "config %u: two mounts named \"%s\"", cfg, vf.names[i]);
  for (size_t k = 0; k < ex.nprobes; k++) {
    const gen_probe_t *p = &ex.probes[k];
    size_t want = (p->present >> cfg) & 1u;
    CHECK(vf.found[k] == want && vf.bad_values[k] == 0,
          "config %u %s: %s/%s-%s dispatched %zu times (expected %zu), %zu "
          "with wrong values",
          cfg, what, p->plugin_instance, p->type, p->type_instance, vf.found[k],
          want, vf.bad_values[k]);
  }
  uint64_t warnings = stub_counts.logs[LOG_ERR] + stub_counts.logs[LOG_WARNING];
  CHECK(warnings == 0, "the plugin logged %llu errors or warnings",
        (unsigned long long)warnings);
  free(vf.names);
  vf.names = NULL;
}

static uint64_t snapshot_checksum(const ms_snapshot_t *s) {
  uint64_t c = 0;
  for (size_t i = 0; i < s->nmounts; i++) {
    const ms_mount_t *m = &s->mounts[i];
    c += m->age + gen_list_checksum(m->events, m->nevents) +
         gen_list_checksum(m->bytes, MS_BYTES_COUNT);
  }
  for (size_t i = 0; i < s->nxprts; i++)
    c += gen_list_checksum(s->xprts[i].v, s->xprts[i].nfields);
  for (size_t i = 0; i < s->nops; i++)
    c += gen_list_checksum(s->ops[i].v, s->ops[i].nfields) + s->ops[i].nfields;
  return c;
}

static void verify_parse(void) {
  size_t len = read_file(ms_path);
  int rc = ms_parse(&bench_snap, fbuf, len);
  CHECK(rc == 0, "ms_parse returned %d", rc);
  CHECK(bench_snap.nmounts == ex.mounts, "parsed %zu NFS mounts, expected %zu",
        bench_snap.nmounts, ex.mounts);
  CHECK(bench_snap.records == ex.records, "saw %zu records, expected %zu",
        bench_snap.records, ex.records);
  CHECK(bench_snap.lines == ex.lines, "read %zu lines, expected %zu",
        bench_snap.lines, ex.lines);
  CHECK(bench_snap.nops == ex.ops, "parsed %zu ops, expected %zu",
        bench_snap.nops, ex.ops);
  CHECK(bench_snap.nxprts == ex.xprts, "parsed %zu xprt lines, expected %zu",
        bench_snap.nxprts, ex.xprts);
  CHECK(bench_snap.diags_total == 0, "%zu diagnostics on a well-formed file",
        bench_snap.diags_total);
  CHECK(snapshot_checksum(&bench_snap) == ex.parse_checksum,
        "checksum of the parsed numbers differs");
  fast_share = bench_snap.nops
                   ? (double)bench_snap.fast_lines / (double)bench_snap.nops
                   : 0.0;
}

/* ---- timing ---- */

typedef struct {
  double best[NSTAGES]; /* seconds per call */
  uint64_t allocs[NSTAGES], calls[NSTAGES];
  size_t rounds, iters;
} timing_t;

/* Times the stages interleaved: each round runs every stage (in an order
 * that rotates) for a batch of about 10 ms; the best batch counts. Also
 * checks what every timed batch parsed or dispatched. */
static void time_stages(timing_t *t, double budget) {
  for (int s = 0; s < NSTAGES; s++) {
    t->best[s] = 1e30;
    t->allocs[s] = t->calls[s] = 0;
  }
  configure_warm(NULL, 0);
  double one = 1e30;
  for (int i = 0; i < 3; i++) {
    double t0 = cpu_s();
    run_stage(ST_CALLBACK, 1);
    double dt = cpu_s() - t0;
    one = dt < one ? dt : one;
  }
  t->iters = one >= 10e-3 ? 1 : (size_t)(10e-3 / (one > 1e-7 ? one : 1e-7));
  double start = wall_s();
  t->rounds = 0;
  while (t->rounds < 10 || (wall_s() - start < budget && t->rounds < 1000)) {
    for (int k = 0; k < NSTAGES; k++) {
      int s = (int)((k + t->rounds) % NSTAGES);
      /* Untimed: the configuration and its warm-up reads, or one call. */
      if (s == ST_CALLBACK || s == ST_CALLBACK_MI) {
        configure_warm(s == ST_CALLBACK_MI ? mi_path : NULL, 0);
      } else {
        run_stage(s, 1);
      }
      stub_counts_t c0 = stub_counts;
      alloc_counts_t a0 = alloc_counts;
      double b0 = cpu_s();
      int rc = run_stage(s, t->iters);
      double dt = (cpu_s() - b0) / (double)t->iters;
      alloc_counts_t a1 = alloc_counts;
      t->allocs[s] += alloc_events(&a0, &a1);
      t->calls[s] += t->iters;
      if (dt < t->best[s])
        t->best[s] = dt;
      CHECK(rc == 0, "stage %s failed", stage_keys[s]);
      if (s == ST_PARSE)
        CHECK(bench_snap.nmounts == ex.mounts && bench_snap.nops == ex.ops,
              "timed parse gave %zu mounts, %zu ops", bench_snap.nmounts,
              bench_snap.nops);
      if (s == ST_CALLBACK || s == ST_CALLBACK_MI) {
        uint64_t lists = stub_counts.lists - c0.lists;
        uint64_t cs = stub_counts.checksum - c0.checksum;
        CHECK(lists == ex.lists[0] * t->iters &&
                  cs == ex.checksum[0] * (uint64_t)t->iters,
              "timed %s dispatched %llu value lists, expected %zu per call",
              stage_keys[s], (unsigned long long)lists, ex.lists[0]);
      }
    }
    t->rounds++;
  }
}

/* ---- reporting ---- */

static void print_machine(void) {
  char model[256] = "unknown";
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f != NULL) {
    char line[512];
    while (fgets(line, sizeof(line), f) != NULL)
      if (strncmp(line, "model name", 10) == 0) {
        char *c = strchr(line, ':');
        if (c != NULL) {
          snprintf(model, sizeof(model), "%s", c + 2);
          model[strcspn(model, "\n")] = '\0';
        }
        break;
      }
    fclose(f);
  }
  struct utsname u;
  uname(&u);
  printf("machine: %s, %ld cores online, Linux %s; gcc %s, %s build\n", model,
         sysconf(_SC_NPROCESSORS_ONLN), u.release, __VERSION__, BENCH_BUILD);
  printf("input: generated kernel-format files in %s (tmpfs)\n", tmpdir);
}

static const char *pass(int ok) { return ok ? "PASS" : "MISS"; }

typedef struct {
  size_t n, bytes;
  timing_t t;
  int64_t heap, buf, snap;
  uint64_t warm_allocs, warm_calls;
  size_t lists[GEN_NCONF], reported[GEN_NCONF];
  double fast_share; /* op lines taken by the parser's fast path */
} size_result_t;

static void print_size_table(const size_result_t *r) {
  const timing_t *t = &r->t;
  double floor_b = t->best[ST_CONVERT];
  for (int s = 0; s < NSTAGES; s++) {
    double dt = t->best[s];
    if (s == 0)
      printf("%6zu %8.3f  ", r->n, (double)r->bytes / 1e6);
    else
      printf("%6s %8s  ", "", "");
    printf("%-24s %9.0f %9.3f %8.2fx %9.2f\n", stage_names[s],
           (double)r->bytes / 1e6 / dt, dt * 1e6 / (double)r->n, dt / floor_b,
           t->calls[s] ? (double)t->allocs[s] / (double)t->calls[s] : 0.0);
  }
  printf("%6s %8s  (best of %zu rounds of %zu calls per stage, thread CPU "
         "time; %.1f%% of op lines by the parser's fast path)\n",
         "", "", t->rounds, t->iters, 100.0 * r->fast_share);
}

/* Heap the plugin keeps between intervals (default config, mountinfo on). */
static void measure_memory(size_result_t *r) {
  mountstats_shutdown();
  int64_t before = alloc_counts.live_bytes;
  configure_warm(mi_path, 0);
  r->heap = alloc_counts.live_bytes - before;
  size_t buffers = 0, snapshot = 0;
  mountstats_footprint(&buffers, &snapshot);
  r->buf = (int64_t)buffers;
  r->snap = (int64_t)snapshot;
  /* Allocations in warm intervals, over a few more reads. */
  alloc_counts_t a0 = alloc_counts;
  run_stage(ST_CALLBACK_MI, 5);
  alloc_counts_t a1 = alloc_counts;
  r->warm_allocs = alloc_events(&a0, &a1);
  r->warm_calls = 5;
  if (r->warm_allocs > 0 && getenv("BENCH_ALLOC_TRACE") != NULL) {
    alloc_trace(1);
    run_stage(ST_CALLBACK_MI, 1);
    alloc_trace(0);
  }
}

static int bench_size(size_t n, double budget, size_result_t *r) {
  memset(r, 0, sizeof(*r));
  r->n = n;
  if (make_input(n) != 0) {
    fprintf(stderr, "bench: generating %zu mounts failed\n", n);
    return -1;
  }
  struct stat st;
  r->bytes = stat(ms_path, &st) == 0 ? (size_t)st.st_size : 0;
  verify_parse();
  r->fast_share = fast_share;
  for (unsigned c = 0; c < GEN_NCONF; c++) {
    verify_callback(mi_path, c);
    r->lists[c] = ex.lists[c];
    r->reported[c] = ex.reported[c];
  }
  verify_callback(NULL, 0); /* superblocks from identical counters */
  time_stages(&r->t, budget);
  measure_memory(r);
  return 0;
}

static void print_targets(const size_result_t *res, size_t nres) {
  printf("\ntargets (ratios to B from this run):\n");
  const struct {
    const char *what;
    int stage;
    double limit;
  } targets[] = {
      {"parser (P) <= 1.5x", ST_PARSE, 1.5},
      {"read callback (C) <= 2x", ST_CALLBACK, 2.0},
      {"read callback + mountinfo (M) <= 2x", ST_CALLBACK_MI, 2.0},
  };
  for (size_t k = 0; k < sizeof(targets) / sizeof(targets[0]); k++) {
    printf("  %-37s", targets[k].what);
    for (size_t i = 0; i < nres; i++) {
      double ratio =
          res[i].t.best[targets[k].stage] / res[i].t.best[ST_CONVERT];
      printf("  %zu: %.2fx %s", res[i].n, ratio,
             pass(ratio <= targets[k].limit));
    }
    printf("\n");
  }
  printf("  %-37s", "no allocation per warm interval");
  for (size_t i = 0; i < nres; i++) {
    uint64_t a = res[i].warm_allocs + res[i].t.allocs[ST_CALLBACK] +
                 res[i].t.allocs[ST_CALLBACK_MI] + res[i].t.allocs[ST_PARSE];
    uint64_t calls = res[i].warm_calls + res[i].t.calls[ST_CALLBACK] +
                     res[i].t.calls[ST_CALLBACK_MI] + res[i].t.calls[ST_PARSE];
    printf("  %zu: %llu in %llu calls %s", res[i].n, (unsigned long long)a,
           (unsigned long long)calls, pass(a == 0));
  }
  printf("\n");
}

static void print_memory(const size_result_t *res, size_t nres) {
  printf("\nmemory kept between intervals, per NFS mount (default config, "
         "mountinfo on):\n");
  printf("%6s %12s %12s %12s %12s %12s\n", "mounts", "file bytes", "read bufs",
         "snapshot", "other state", "total heap");
  for (size_t i = 0; i < nres; i++) {
    const size_result_t *r = &res[i];
    double n = (double)r->n;
    printf("%6zu %12.0f %12.0f %12.0f %12.0f %12.0f\n", r->n,
           (double)r->bytes / n, (double)r->buf / n, (double)r->snap / n,
           (double)(r->heap - r->buf - r->snap) / n, (double)r->heap / n);
  }
  printf("(snapshot: ms_mount_t %zu B, ms_op_t %zu B, ms_xprt_t %zu B; read "
         "buffers grow by doubling)\n",
         sizeof(ms_mount_t), sizeof(ms_op_t), sizeof(ms_xprt_t));
}

static const char *conf_name(unsigned c) {
  switch (c) {
  case 0:
    return "default";
  case GEN_ZERO_OPS:
    return "ReportZeroOps true";
  case GEN_PER_TRANSPORT:
    return "ReportPerTransport true";
  case GEN_ALL_MOUNTS:
    return "ReportAllMountPoints true";
  case GEN_IOSTAT:
    return "ReportIostat true";
  case GEN_ALL_ON:
    return "all four true";
  }
  return "?";
}

/* Value lists per mount for each option, and the callback time with the
 * stub, at one size. ReportIostat is timed on a client whose counters move
 * between reads (the next epoch is written before each call, untimed). */
static void bench_options(size_t n, double budget) {
  epoch = 0;
  if (make_input(n) != 0)
    return;
  size_t nconf = sizeof(option_confs) / sizeof(option_confs[0]);
  double best[sizeof(option_confs) / sizeof(option_confs[0])];
  uint64_t allocs[sizeof(option_confs) / sizeof(option_confs[0])] = {0};
  uint64_t calls[sizeof(option_confs) / sizeof(option_confs[0])] = {0};
  for (size_t k = 0; k < nconf; k++)
    best[k] = 1e30;
  double start = wall_s();
  size_t rounds = 0;
  while (rounds < 5 || (wall_s() - start < budget && rounds < 1000)) {
    for (size_t k = 0; k < nconf; k++) {
      unsigned c = option_confs[k];
      configure_warm(mi_path, c);
      size_t iters = (c & GEN_IOSTAT) || n >= 1000 ? 1 : 1000 / n;
      if (c & GEN_IOSTAT)
        next_epoch();
      stub_counts_t c0 = stub_counts;
      alloc_counts_t a0 = alloc_counts;
      double t0 = cpu_s();
      run_stage(ST_CALLBACK_MI, iters);
      double dt = (cpu_s() - t0) / (double)iters;
      alloc_counts_t a1 = alloc_counts;
      allocs[k] += alloc_events(&a0, &a1);
      calls[k] += iters;
      CHECK(stub_counts.lists - c0.lists == ex.lists[c] * iters,
            "options: %llu value lists under %s, expected %zu",
            (unsigned long long)(stub_counts.lists - c0.lists), conf_name(c),
            ex.lists[c] * iters);
      if (dt < best[k])
        best[k] = dt;
    }
    rounds++;
  }
  printf("\nvalue lists per interval by option, %zu mounts (M: mountinfo on; "
         "best of %zu rounds):\n",
         n, rounds);
  printf("%-26s %7s %11s %10s %9s %9s %11s\n", "config", "lists", "lists/mount",
         "values/mnt", "us/mount", "x default", "allocs/call");
  for (size_t k = 0; k < nconf; k++) {
    unsigned c = option_confs[k];
    printf("%-26s %7zu %11.1f %10.1f %9.2f %8.2fx %11.2f\n", conf_name(c),
           ex.lists[c], (double)ex.lists[c] / (double)n,
           (double)ex.values[c] / (double)n, best[k] * 1e6 / (double)n,
           best[k] / best[0], (double)allocs[k] / (double)calls[k]);
  }
  printf("(ReportIostat: counters moving between reads, so every used op has "
         "an average)\n");
}

/* ---- ReportStall ---- */

/* Writes text to root/rel, making its folders. */
static int put_file(const char *root, const char *rel, const char *text) {
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s", root, rel);
  for (char *p = path + strlen(root) + 1; *p != '\0'; p++)
    if (*p == '/') {
      *p = '\0';
      if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -1;
      *p = '/';
    }
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return -1;
  fputs(text, f);
  return fclose(f);
}

static int put_link(const char *root, const char *rel, const char *target) {
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s", root, rel);
  if (put_file(root, rel, "") != 0 || unlink(path) != 0)
    return -1;
  return symlink(target, path);
}

/* The sysfs tree a 6.12 client with the generated mounts shows (gen.c: one
 * server connection per 10 superblocks, superblock 0:(1000 + sb)): a switch
 * per connection with nx connected transports (nconnect), an RPC client per
 * switch, each superblock linked to its connection's client. Returns the
 * number of connections. */
static size_t write_sysfs(const char *root, size_t n, size_t nx) {
  size_t nconn = 0;
  if (mkdir(root, 0755) != 0 && errno != EEXIST)
    return 0;
  for (size_t sb = 0; sb < n; sb++) {
    size_t conn = (sb / 20) * 2 + (sb % 2 == 0);
    char rel[256], target[256];
    if (conn + 1 > nconn)
      nconn = conn + 1;
    snprintf(rel, sizeof(rel), "fs/nfs/0:%zu/nfs_client", 1000 + sb);
    snprintf(target, sizeof(target),
             "../../../kernel/sunrpc/rpc-clients/clnt-%zu", conn);
    if (put_link(root, rel, target) != 0)
      return 0;
  }
  for (size_t c = 0; c < nconn; c++) {
    char rel[256], target[256], info[512];
    snprintf(rel, sizeof(rel),
             "kernel/sunrpc/xprt-switches/switch-%zu/"
             "xprt_switch_info",
             c);
    snprintf(info, sizeof(info),
             "num_xprts=%zu\nnum_active=%zu\nnum_unique_destaddr=1\n"
             "queue_len=0\n",
             nx, nx);
    if (put_file(root, rel, info) != 0)
      return 0;
    for (size_t k = 0; k < nx; k++) {
      snprintf(rel, sizeof(rel),
               "kernel/sunrpc/xprt-switches/switch-%zu/xprt-%zu-tcp/xprt_info",
               c, 4 * c + k);
      snprintf(info, sizeof(info),
               "last_used=4294895295\ncur_cong=0\ncong_win=256\n"
               "max_num_slots=65536\nmin_num_slots=2\nnum_reqs=2\n"
               "binding_q_len=0\nsending_q_len=0\npending_q_len=0\n"
               "backlog_q_len=0\nmain_xprt=%d\nsrc_port=%zu\n"
               "tasks_queuelen=0\ndst_port=2049\n",
               k == 0, 700 + c * 4 + k);
      if (put_file(root, rel, info) != 0)
        return 0;
      snprintf(rel, sizeof(rel),
               "kernel/sunrpc/xprt-switches/switch-%zu/xprt-%zu-tcp/xprt_state",
               c, 4 * c + k);
      if (put_file(root, rel, "state= CONNECTED   BOUND       \n") != 0)
        return 0;
      snprintf(rel, sizeof(rel),
               "kernel/sunrpc/xprt-switches/switch-%zu/xprt-%zu-tcp/dstaddr", c,
               4 * c + k);
      if (put_file(root, rel, "127.0.0.1\n") != 0)
        return 0;
    }
    snprintf(rel, sizeof(rel), "kernel/sunrpc/rpc-clients/clnt-%zu/switch", c);
    snprintf(target, sizeof(target), "../../xprt-switches/switch-%zu", c);
    if (put_link(root, rel, target) != 0)
      return 0;
  }
  return nconn;
}

/* --stall N,...: the read callback (mountinfo on) with ReportStall off and
 * on over a sysfs tree on tmpfs (write_sysfs), interleaved in rounds; the
 * value lists it adds (one nfs_xprt_stall per reported mount, one
 * nfs_xprt_queue per connection) and its allocations per warm interval. */
static int bench_stall(const size_t *sizes, size_t nsizes, double budget) {
  printf("ReportStall: read callback (mountinfo on) off and on, sysfs tree on "
         "tmpfs\n(one server connection per 10 superblocks, routed by "
         "superblock links; %d attribute files kept open)\n",
         MS_SYSFS_OPEN_MAX);
  printf("%7s %6s %9s %13s %12s %8s %12s %13s\n", "mounts", "conns",
         "xprts/conn", "off us/mount", "on us/mount", "on/off", "lists added",
         "allocs/call");
  for (size_t i = 0; i < 2 * nsizes; i++) {
    size_t n = sizes[i % nsizes], nx = i < nsizes ? 1 : 4;
    epoch = 0;
    if (make_input(n) != 0)
      return -1;
    snprintf(stall_root, sizeof(stall_root), "%s/sys-%zu-%zu", tmpdir, n, nx);
    size_t nconn = write_sysfs(stall_root, n, nx);
    if (nconn == 0) {
      fprintf(stderr, "bench: writing the sysfs tree failed\n");
      return -1;
    }
    /* Connections with a reported superblock: every one here. */
    size_t added_expect = ex.reported[0] + nconn;
    double best[2] = {1e30, 1e30};
    uint64_t allocs = 0, calls = 0, lists[2] = {0, 0};
    size_t iters = n >= 1000 ? 1 : 1000 / n, rounds = 0;
    double start = wall_s();
    while (rounds < 5 || (wall_s() - start < budget && rounds < 1000)) {
      for (int on = 0; on < 2; on++) {
        stall_on = on;
        if (configure_warm(mi_path, 0) != 0)
          return -1;
        stub_counts_t c0 = stub_counts;
        alloc_counts_t a0 = alloc_counts;
        double t0 = cpu_s();
        run_stage(ST_CALLBACK_MI, iters);
        double dt = (cpu_s() - t0) / (double)iters;
        alloc_counts_t a1 = alloc_counts;
        lists[on] = (stub_counts.lists - c0.lists) / iters;
        if (on) {
          allocs += alloc_events(&a0, &a1);
          calls += iters;
        }
        if (dt < best[on])
          best[on] = dt;
      }
      rounds++;
    }
    stall_on = false;
    CHECK(lists[1] - lists[0] == added_expect,
          "stall: ReportStall added %llu value lists at %zu mounts, expected "
          "%zu (one per reported mount and per connection)",
          (unsigned long long)(lists[1] - lists[0]), n, added_expect);
    CHECK(allocs == 0, "stall: %llu allocations in %llu warm calls",
          (unsigned long long)allocs, (unsigned long long)calls);
    printf("%7zu %6zu %9zu %13.2f %12.2f %7.2fx %12llu %13.2f\n", n, nconn, nx,
           best[0] * 1e6 / (double)n, best[1] * 1e6 / (double)n,
           best[1] / best[0], (unsigned long long)(lists[1] - lists[0]),
           (double)allocs / (double)(calls ? calls : 1));
  }
  printf("(target: on <= 1.2x off at 100 and 1,000 mounts with one transport "
         "per connection;\n nconnect 4 for comparison; sysfs on tmpfs, the "
         "kernel's own attribute reads are timed by the live suite)\n");
  return 0;
}

/* ---- other modes ---- */

static FILE *dump_out;

static void dump_hook(const value_list_t *vl) {
  /* Our data sets as the plugin registered them; the two stock types it
   * uses (types.db: "uptime value:GAUGE", "count value:GAUGE") are gauges. */
  const data_set_t *ds = stub_find_ds(vl->type);
  int stock_gauge =
      strcmp(vl->type, "uptime") == 0 || strcmp(vl->type, "count") == 0;
  fprintf(dump_out, "%s\t%s\t%s\t%zu", vl->plugin_instance, vl->type,
          vl->type_instance, vl->values_len);
  for (size_t j = 0; j < vl->values_len; j++) {
    if (stock_gauge ||
        (ds != NULL && j < ds->ds_num && ds->ds[j].type == DS_TYPE_GAUGE))
      fprintf(dump_out, "\tg%.17g", vl->values[j].gauge);
    else
      fprintf(dump_out, "\td%lld", (long long)vl->values[j].derive);
  }
  fputc('\n', dump_out);
}

/* --ids OUT N [OPTION...]: the value lists of one warm interval of the
 * plugin over the generated input for N mounts (mountinfo on), under the
 * given options (each set true), one per line, for the daemon's
 * dispatch-floor plugin (floor_plugin.c). With ReportIostat the counters
 * move between reads, as with daemon_cpu.sh's moving input. */
static int write_ids(const char *out, size_t n, unsigned cfg) {
  if (make_input(n) != 0 || configure_warm(mi_path, cfg) != 0)
    return 2;
  dump_out = fopen(out, "w");
  if (dump_out == NULL) {
    perror(out);
    return 2;
  }
  stub_counts_t c0 = stub_counts;
  if (cfg & GEN_IOSTAT)
    next_epoch();
  stub_dispatch_hook = dump_hook;
  int rc = mountstats_read();
  stub_dispatch_hook = NULL;
  if (fclose(dump_out) != 0 || rc != 0)
    return 2;
  uint64_t lists = stub_counts.lists - c0.lists;
  printf("%llu value lists (%llu values) written to %s\n",
         (unsigned long long)lists,
         (unsigned long long)(stub_counts.values - c0.values), out);
  if (lists != ex.lists[cfg]) {
    fprintf(stderr, "WRONG: %llu value lists, expected %zu\n",
            (unsigned long long)lists, ex.lists[cfg]);
    return 1;
  }
  return 0;
}

/* --write MOUNTSTATS MOUNTINFO|- N [EPOCH] */
static int write_inputs(const char *ms, const char *mi, size_t n, uint64_t at) {
  gen_buf_t b1 = {0}, b2 = {0};
  if (gen_mountstats(n, at, &b1, &b2, &ex) != 0 || write_file(ms, &b1) != 0 ||
      (strcmp(mi, "-") != 0 && write_file(mi, &b2) != 0)) {
    fprintf(stderr, "bench: writing %s, %s failed\n", ms, mi);
    return 2;
  }
  printf("%zu NFS mounts, %zu bytes: %s (and %s); value lists per interval: "
         "%zu default, %zu with ReportZeroOps, ReportPerTransport, "
         "ReportAllMountPoints and ReportIostat (counters moving)\n",
         ex.mounts, b1.len, ms, mi, ex.lists[0], ex.lists[GEN_ALL_ON]);
  gen_buf_free(&b1);
  gen_buf_free(&b2);
  return 0;
}

/* --stage NAME --size N --iters K: one stage alone, for perf or callgrind:
 * valgrind --tool=callgrind --collect-atstart=no --toggle-collect=run_stage
 * collects exactly the K timed calls. */
static int profile_stage(const char *name, size_t n, size_t iters) {
  int stage = -1;
  for (int s = 0; s < NSTAGES; s++)
    if (strcmp(name, stage_keys[s]) == 0)
      stage = s;
  if (stage < 0 || make_input(n) != 0)
    return 2;
  verify_parse();
  configure_warm(stage == ST_CALLBACK_MI ? mi_path : NULL, 0);
  stage_once(stage); /* warm, and not collected by callgrind */
  double t0 = cpu_s();
  int rc = run_stage(stage, iters);
  double dt = (cpu_s() - t0) / (double)iters;
  printf("%s, %zu mounts: %.1f us per call, %.3f us per mount\n", name, n,
         dt * 1e6, dt * 1e6 / (double)n);
  return rc == 0 && failures == 0 ? 0 : 1;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw) {
  (void)st;
  (void)ftw;
  return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void remove_tmpdir(void) {
  if (tmpdir[0] == '\0')
    return;
  nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int make_tmpdir(void) {
  const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(tmpdir, sizeof(tmpdir), "%s/bench_mountstats.XXXXXX", base);
  if (mkdtemp(tmpdir) == NULL) {
    perror("mkdtemp");
    return -1;
  }
  atexit(remove_tmpdir);
  return 0;
}

static void usage(void) {
  fprintf(stderr,
          "usage: bench_mountstats [--sizes 10,100,1000,5000] [--time S] "
          "[--options-size N]\n"
          "       bench_mountstats --write MOUNTSTATS MOUNTINFO|- N [EPOCH]\n"
          "       bench_mountstats --ids OUT N [ReportZeroOps] "
          "[ReportPerTransport] [ReportAllMountPoints] [ReportIostat]\n"
          "       bench_mountstats [--time S] --stall 100,1000\n"
          "       bench_mountstats --stage "
          "read|convert|parse|callback|callback-mi --size N --iters K\n");
}

int main(int argc, char **argv) {
  size_t sizes[MAX_SIZES] = {10, 100, 1000, 5000}, nsizes = 4;
  double budget = 4.0;
  size_t options_size = 1000, stage_size = 1000, stage_iters = 10;
  const char *stage = NULL;

  /* The stub counts only (no allocation per value list) and keeps the
   * real clock; warnings and errors go to stderr. */
  stub_recording = false;
  stub_now = 0;
  stub_log_print_level = LOG_WARNING;
  module_register();
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--write") == 0 && i + 3 < argc)
      return write_inputs(argv[i + 1], argv[i + 2],
                          strtoul(argv[i + 3], NULL, 10),
                          i + 4 < argc ? strtoull(argv[i + 4], NULL, 10) : 0);
    if (strcmp(a, "--ids") == 0 && i + 2 < argc) {
      unsigned cfg = 0;
      for (int k = i + 3; k < argc; k++) {
        if (strcmp(argv[k], "ReportZeroOps") == 0)
          cfg |= GEN_ZERO_OPS;
        else if (strcmp(argv[k], "ReportPerTransport") == 0)
          cfg |= GEN_PER_TRANSPORT;
        else if (strcmp(argv[k], "ReportAllMountPoints") == 0)
          cfg |= GEN_ALL_MOUNTS;
        else if (strcmp(argv[k], "ReportIostat") == 0)
          cfg |= GEN_IOSTAT;
        else {
          usage();
          return 2;
        }
      }
      if (make_tmpdir() != 0)
        return 2;
      return write_ids(argv[i + 1], strtoul(argv[i + 2], NULL, 10), cfg);
    }
    if (strcmp(a, "--stall") == 0 && i + 1 < argc) {
      size_t ss[MAX_SIZES], ns = 0;
      for (char *p = argv[i + 1]; *p != '\0' && ns < MAX_SIZES;) {
        ss[ns++] = strtoul(p, &p, 10);
        if (*p == ',')
          p++;
        else if (*p != '\0')
          break;
      }
      if (make_tmpdir() != 0)
        return 2;
      int rc = bench_stall(ss, ns, budget);
      mountstats_shutdown();
      return rc != 0 || failures > 0 ? 1 : 0;
    }
    if (strcmp(a, "--sizes") == 0 && i + 1 < argc) {
      nsizes = 0;
      for (char *p = argv[++i]; *p != '\0' && nsizes < MAX_SIZES;) {
        sizes[nsizes++] = strtoul(p, &p, 10);
        if (*p == ',')
          p++;
        else if (*p != '\0')
          break;
      }
    } else if (strcmp(a, "--time") == 0 && i + 1 < argc) {
      budget = strtod(argv[++i], NULL);
    } else if (strcmp(a, "--options-size") == 0 && i + 1 < argc) {
      options_size = strtoul(argv[++i], NULL, 10);
    } else if (strcmp(a, "--stage") == 0 && i + 1 < argc) {
      stage = argv[++i];
    } else if (strcmp(a, "--size") == 0 && i + 1 < argc) {
      stage_size = strtoul(argv[++i], NULL, 10);
    } else if (strcmp(a, "--iters") == 0 && i + 1 < argc) {
      stage_iters = strtoul(argv[++i], NULL, 10);
    } else {
      usage();
      return 2;
    }
  }
  for (size_t i = 0; i < nsizes; i++)
    if (sizes[i] == 0) {
      usage();
      return 2;
    }
  if (make_tmpdir() != 0)
    return 2;
  if (stage != NULL)
    return profile_stage(stage, stage_size, stage_iters);

  printf("bench_mountstats: the mountstats plugin's read path against the "
         "read-and-convert floor\n");
  print_machine();
  printf("\n%6s %8s  %-24s %9s %9s %9s %9s\n", "mounts", "file MB", "stage",
         "MB/s", "us/mount", "x B", "allocs/call");
  size_result_t res[MAX_SIZES];
  for (size_t i = 0; i < nsizes; i++) {
    if (bench_size(sizes[i], budget, &res[i]) != 0)
      return 2;
    print_size_table(&res[i]);
    fflush(stdout);
  }
  print_targets(res, nsizes);
  print_memory(res, nsizes);

  printf("\nvalue lists per interval per NFS mount (generated mixed v3/v4.2 "
         "mounts, 1 in 25 a bind mount; iostat: counters moving):\n");
  printf("%6s %9s %9s %9s %9s %9s %9s\n", "mounts", "default", "zero ops",
         "per xprt", "all mnts", "iostat", "all four");
  for (size_t i = 0; i < nsizes; i++) {
    const size_result_t *r = &res[i];
    double n = (double)r->n;
    printf("%6zu %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", r->n,
           (double)r->lists[0] / n, (double)r->lists[GEN_ZERO_OPS] / n,
           (double)r->lists[GEN_PER_TRANSPORT] / n,
           (double)r->lists[GEN_ALL_MOUNTS] / n,
           (double)r->lists[GEN_IOSTAT] / n, (double)r->lists[GEN_ALL_ON] / n);
  }
  if (options_size > 0)
    bench_options(options_size, budget);

  mountstats_shutdown();
  ms_snapshot_free(&bench_snap);
  free(fbuf);
  if (failures > 0) {
    printf("\nRESULT: WRONG (%d checks failed, see stderr)\n", failures);
    return 1;
  }
  printf("\nRESULT: all results checked and correct\n");
  return 0;
}
