/* SPDX-License-Identifier: MIT
 *
 * fuzz_sunrpc.c: libFuzzer harness for ReportStall's sysfs side: the
 * parsers of src/sunrpc.h, the scan of a tree through an fs.h in memory,
 * the routes of src/rpcmap.h and the collector's stall records. The input
 * is parts separated by lines "=====": mountstats text, mountinfo text,
 * then the contents of a small fixed tree's files and link targets, in the
 * order of tree[] below (a missing part: the file is absent).
 */
#define _GNU_SOURCE /* memmem */
#include "collector.h"
#include "metrics.h"
#include "options.h"
#include "rpcmap.h"
#include "sunrpc.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                               \
  do {                                                                         \
    if (!(x))                                                                  \
      __builtin_trap();                                                        \
  } while (0)

#define SW1 "kernel/sunrpc/xprt-switches/switch-1"
#define SW2 "kernel/sunrpc/xprt-switches/switch-2"

static const struct {
  const char *path;
  int link;
} tree[] = {
    {SW1 "/xprt_switch_info", 0},
    {SW1 "/xprt-1-tcp/xprt_info", 0},
    {SW1 "/xprt-1-tcp/dstaddr", 0},
    {SW1 "/xprt-2-tcp/xprt_info", 0},
    {SW1 "/xprt-2-tcp/dstaddr", 0},
    {SW2 "/xprt_switch_info", 0},
    {SW2 "/xprt-3-udp/xprt_info", 0},
    {SW2 "/xprt-3-udp/dstaddr", 0},
    {"kernel/sunrpc/rpc-clients/clnt-1/switch", 1},
    {"kernel/sunrpc/rpc-clients/clnt-2/switch", 1},
    {"fs/nfs/0:50/nfs_client", 1},
    {"fs/nfs/0:50/nfs_state_client", 1},
};
#define NTREE (sizeof(tree) / sizeof(tree[0]))

static struct {
  const char *p;
  size_t len;
  int present;
} part[NTREE];

static int find(const char *path, int link) {
  for (size_t i = 0; i < NTREE; i++)
    if (strcmp(tree[i].path, path) == 0 && tree[i].link == link &&
        part[i].present)
      return (int)i;
  return -1;
}

static int fs_read(void *ctx, const char *path, char *buf, size_t cap,
                   size_t *len) {
  (void)ctx;
  int i = find(path, 0);
  if (i < 0)
    return -ENOENT;
  *len = part[i].len < cap ? part[i].len : cap;
  memcpy(buf, part[i].p, *len);
  return 0;
}

static int fs_readlink(void *ctx, const char *path, char *buf, size_t cap,
                       size_t *len) {
  (void)ctx;
  int i = find(path, 1);
  if (i < 0)
    return -ENOENT;
  *len = part[i].len < cap ? part[i].len : cap;
  memcpy(buf, part[i].p, *len);
  return 0;
}

/* Lists the next component under path of every present entry. */
static int fs_list(void *ctx, const char *path, ms_fs_each_fn each, void *arg) {
  (void)ctx;
  size_t plen = strlen(path);
  char seen[NTREE][64];
  size_t nseen = 0;
  for (size_t i = 0; i < NTREE; i++) {
    const char *p = tree[i].path;
    if (!part[i].present || strncmp(p, path, plen) != 0 || p[plen] != '/')
      continue;
    size_t n = strcspn(p + plen + 1, "/");
    char name[64];
    memcpy(name, p + plen + 1, n);
    name[n] = '\0';
    int dup = 0;
    for (size_t k = 0; k < nseen; k++)
      dup |= strcmp(seen[k], name) == 0;
    if (dup)
      continue;
    memcpy(seen[nseen++], name, n + 1);
    int rc = each(arg, name);
    if (rc != 0)
      return rc;
  }
  return nseen > 0 ? 0 : -ENOENT;
}

static const ms_fs_t mem_fs = {NULL, fs_read, fs_readlink, fs_list};

static void check_record(void *ctx, const ms_record_t *r) {
  (void)ctx;
  CHECK(r->type->ds_num == r->values_len);
  if (r->type == &ms_metric_types[MS_TYPE_NFS_XPRT_STALL] ||
      r->type == &ms_metric_types[MS_TYPE_NFS_XPRT_QUEUE])
    for (size_t i = 0; i < r->values_len; i++)
      CHECK(isnan(r->values[i].gauge) || r->values[i].gauge >= 0);
  if (r->type == &ms_metric_types[MS_TYPE_NFS_XPRT_STALL]) {
    /* stalled never exceeds since_reply */
    CHECK(r->values[2].gauge <= r->values[1].gauge);
    CHECK((r->type_instance_len == 5 &&
           memcmp(r->type_instance, "sysfs", 5) == 0) ||
          (r->type_instance_len == 8 &&
           memcmp(r->type_instance, "estimate", 8) == 0));
  }
}

static void ignore_log(void *ctx, int level, const char *msg) {
  (void)ctx;
  (void)level;
  CHECK(strlen(msg) < MS_LOG_LINE_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end = p + size;
  const char *ms = p, *mi = NULL;
  size_t ms_len = size, mi_len = 0;
  memset(part, 0, sizeof(part));
  /* split into parts */
  const char *parts[NTREE + 2];
  size_t lens[NTREE + 2], nparts = 0;
  while (nparts < NTREE + 2) {
    const char *sep = memmem(p, (size_t)(end - p), "\n=====\n", 7);
    parts[nparts] = p;
    lens[nparts] = sep ? (size_t)(sep - p) + 1 : (size_t)(end - p);
    nparts++;
    if (sep == NULL)
      break;
    p = sep + 7;
  }
  ms_len = lens[0];
  if (nparts > 1) {
    mi = parts[1];
    mi_len = lens[1];
  }
  for (size_t i = 2; i < nparts; i++) {
    part[i - 2].p = parts[i];
    part[i - 2].len = lens[i];
    part[i - 2].present = 1;
  }

  /* the parsers alone, on the whole input */
  uint64_t q;
  ms_rpc_queues_t rq;
  uint32_t id;
  (void)ms_sunrpc_parse_switch_info((const char *)data, size, &q);
  int rc = ms_sunrpc_parse_xprt_info((const char *)data, size, &rq);
  CHECK(rc == 0 || rc == 1 || rc == -EINVAL);
  CHECK(rc == 0 ? rq.connected : !rq.connected);
  (void)ms_sunrpc_name_id((const char *)data, size, "switch-", &id);

  /* the scan and the routes */
  ms_sunrpc_t t = {0};
  CHECK(ms_sunrpc_scan(&t, &mem_fs) == 0);
  for (size_t i = 0; i < t.nswitches; i++) {
    CHECK(t.switches[i].first + t.switches[i].count <= t.nxprts);
    if (i > 0)
      CHECK(t.switches[i - 1].id < t.switches[i].id ||
            t.switches[i - 1].id == t.switches[i].id);
    t.switches[i].used = true;
  }
  (void)ms_sunrpc_refresh(&t, &mem_fs);
  ms_snapshot_t snap = {0};
  if (ms_parse(&snap, ms, ms_len) == 0 && snap.nmounts > 0) {
    unsigned char *want = calloc(snap.nmounts, 1);
    char(*addr)[MS_SUNRPC_ADDR_MAX] = calloc(snap.nmounts, sizeof(*addr));
    uint64_t *dev = calloc(snap.nmounts, sizeof(*dev));
    if (want && addr && dev) {
      for (size_t i = 0; i < snap.nmounts; i++) {
        want[i] = 1;
        dev[i] = (uint64_t)50 * (i == 0); /* 0:50 for the first */
        ms_rpcmap_server_addr((ms_span_t){"", 0}, snap.mounts[i].device,
                              addr[i]);
        CHECK(strlen(addr[i]) < MS_SUNRPC_ADDR_MAX);
      }
      ms_rpcmap_t m = {0};
      ms_rpcmap_input_t in = {want, dev,
                              (const char(*)[MS_SUNRPC_ADDR_MAX])addr};
      if (ms_rpcmap_build(&m, &snap, &in, &t) == 0) {
        size_t unmapped = 0;
        for (size_t i = 0; i < snap.nmounts; i++) {
          CHECK(m.route[i] <= MS_ROUTE_ADDRESS);
          unmapped += m.route[i] == MS_ROUTE_NONE;
          CHECK((m.route[i] == MS_ROUTE_NONE) == (m.count[i] == 0));
          CHECK(!m.ambiguous[i] || m.route[i] == MS_ROUTE_ADDRESS);
          for (size_t k = m.first[i]; k < m.first[i] + m.count[i]; k++)
            CHECK(ms_sunrpc_switch(&t, m.ids[k]) != NULL);
        }
        CHECK(unmapped == m.unmapped);
      }
      ms_rpcmap_free(&m);
    }
    free(want);
    free(addr);
    free(dev);
  }
  ms_snapshot_free(&snap);
  ms_sunrpc_free(&t);

  /* the collector, two reads */
  ms_config_t cfg = {0};
  ms_config_defaults(&cfg);
  cfg.report_stall = true;
  cfg.file = strdup("/fuzz/mountstats");
  cfg.mountinfo_file = strdup(mi ? "/fuzz/mountinfo" : "");
  if (cfg.file && cfg.mountinfo_file && ms_config_finish(&cfg) == 0) {
    ms_collector_t *c = ms_collector_new(&cfg, check_record, ignore_log, NULL);
    if (c != NULL) {
      for (int r = 0; r < 2; r++) {
        ms_input_t in = {.buf = ms,
                         .len = ms_len,
                         .mi_buf = mi,
                         .mi_len = mi_len,
                         .now = 100.0 + r,
                         .sysfs = &mem_fs};
        (void)ms_collector_run(c, &in);
      }
      ms_collector_free(c);
    }
  }
  ms_config_free(&cfg);
  return 0;
}
