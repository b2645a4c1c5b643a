/* SPDX-License-Identifier: MIT
 *
 * check_sunrpc.c: the sunrpc sysfs reader (src/sunrpc.h), the routes from a
 * mount to its switches (src/rpcmap.h) and the values the collector makes of
 * them, on real trees the live suite captured (fixtures/live/<kernel>/
 * sysfs-<state>/, tests/live/capture.py), read through io/sysfs.h as
 * the plugin reads /sys, and on damaged copies. Every expected number was
 * read off the fixture files by hand (grep), as noted beside it:
 *
 *   bookworm (6.1) and trixie (6.12), both: switch-9 holds /mnt/nc16's 16
 *   transports, 8 "state= CONNECTED BOUND", 8 "state=CLOSED"; switch-4 is
 *   127.0.0.3 (/mnt/v41, and /mnt/v41trunk whose mountinfo says
 *   addr=127.0.0.3); switch-6 127.0.0.4 (/mnt/v42); switch-1, -3, -5, -7
 *   all go to 127.0.0.1 (the first is /mnt/v3tcp's, the others are the
 *   in-guest nfsd's callback clients).
 *   hung15: switch-13 (127.0.0.31, /mnt/ex3 through a stopped relay)
 *   queue_len=1, its xprt-31-tcp pending_q_len=1 tasks_queuelen=1
 *   src_port=955 dst_port=20493 (bookworm; trixie's is xprt-28-tcp).
 *   nfsd0: every xprt_info "<closed>", queue_len=1 on switch-2, -4, -6, -13,
 *   0 on the others; switch-3, -5, -7 gone.
 *   Only trixie has fs/nfs/MAJOR:MINOR links.
 */
#include "check_run.h"
#include "collector.h"
#include "mountinfo.h"
#include "mountstats.h"
#include "naming.h"
#include "options.h"
#include "readfile.h"
#include "rpcmap.h"
#include "sunrpc.h"
#include "sysfs.h"

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIVE FIXTURES_DIR "/live/"

/* ---- the texts ---------------------------------------------------------- */

static char *slurp(const char *path, size_t *len) {
  ms_buffer_t b = {0};
  ck_assert_msg(ms_read_whole(path, &b, len, 1 << 24) == 0, "%s", path);
  return b.buf;
}

START_TEST(test_parse_real_files) {
  size_t len;
  uint64_t q = 99;
  char *t = slurp(LIVE "bookworm/sysfs-hung15/sys/kernel/sunrpc/xprt-switches/"
                       "switch-13/xprt_switch_info",
                  &len);
  ck_assert_int_eq(ms_sunrpc_parse_switch_info(t, len, &q), 0);
  ck_assert_uint_eq(q, 1);
  free(t);
  ms_rpc_queues_t rq;
  t = slurp(LIVE "bookworm/sysfs-hung15/sys/kernel/sunrpc/xprt-switches/"
                 "switch-13/xprt-31-tcp/xprt_info",
            &len);
  ck_assert_int_eq(ms_sunrpc_parse_xprt_info(t, len, &rq), 0);
  ck_assert(rq.connected);
  ck_assert_uint_eq(rq.pending, 1);
  ck_assert_uint_eq(rq.tasks, 1);
  ck_assert_uint_eq(rq.sending + rq.backlog + rq.binding, 0);
  ck_assert_uint_eq(rq.src_port, 955);
  ck_assert_uint_eq(rq.dst_port, 20493);
  free(t);
  t = slurp(LIVE "trixie/sysfs-nfsd0/sys/kernel/sunrpc/xprt-switches/"
                 "switch-13/xprt-28-tcp/xprt_info",
            &len);
  ck_assert_int_eq(ms_sunrpc_parse_xprt_info(t, len, &rq), 1); /* <closed> */
  ck_assert(!rq.connected);
  free(t);
  t = slurp(LIVE "trixie/sysfs-nfsd0/sys/kernel/sunrpc/xprt-switches/"
                 "switch-13/xprt-28-tcp/xprt_state",
            &len);
  ck_assert(!ms_sunrpc_parse_xprt_state(t, len)); /* "state=    BOUND" */
  free(t);
  t = slurp(LIVE "trixie/sysfs-idle/sys/kernel/sunrpc/xprt-switches/"
                 "switch-1/xprt-2-tcp/xprt_state",
            &len);
  ck_assert(ms_sunrpc_parse_xprt_state(t, len));
  free(t);
}
END_TEST

/* Damaged and unexpected text: a clear answer, never a guess. */
START_TEST(test_parse_damaged) {
  uint64_t q = 7;
  const char *no_queue = "num_xprts=1\nnum_active=1\n";
  ck_assert_int_eq(ms_sunrpc_parse_switch_info(no_queue, strlen(no_queue), &q),
                   -EINVAL);
  ck_assert_uint_eq(q, 7); /* untouched */
  const char *bad_number = "queue_len=1x\n";
  ck_assert_int_eq(
      ms_sunrpc_parse_switch_info(bad_number, strlen(bad_number), &q), -EINVAL);
  const char *no_newline = "num_xprts=1\nqueue_len=3";
  ck_assert_int_eq(
      ms_sunrpc_parse_switch_info(no_newline, strlen(no_newline), &q), 0);
  ck_assert_uint_eq(q, 3);

  ms_rpc_queues_t rq;
  /* an unknown line and a damaged number are skipped, the rest kept; a
   * queue line that is missing counts 0 */
  const char *partial = "future_field=5\npending_q_len=2\nsending_q_len=x\n"
                        "garbage line\nbacklog_q_len=1\n";
  ck_assert_int_eq(ms_sunrpc_parse_xprt_info(partial, strlen(partial), &rq), 0);
  ck_assert(rq.connected);
  ck_assert_uint_eq(rq.pending, 2);
  ck_assert_uint_eq(rq.sending, 0);
  ck_assert_uint_eq(rq.backlog, 1);
  ck_assert_uint_eq(rq.tasks, 0);
  /* a value over 32 bits is held at the largest */
  const char *huge = "pending_q_len=99999999999\n";
  ck_assert_int_eq(ms_sunrpc_parse_xprt_info(huge, strlen(huge), &rq), 0);
  ck_assert_uint_eq(rq.pending, UINT32_MAX);
  /* not an xprt_info at all */
  const char *other = "last_used=5\ncur_cong=0\n";
  ck_assert_int_eq(ms_sunrpc_parse_xprt_info(other, strlen(other), &rq),
                   -EINVAL);
  ck_assert(!rq.connected);
  ck_assert_int_eq(ms_sunrpc_parse_xprt_info("", 0, &rq), -EINVAL);
  ck_assert_int_eq(ms_sunrpc_parse_xprt_info("<closed>", 8, &rq), 1);
  ck_assert_int_eq(ms_sunrpc_parse_xprt_info("<closed> ", 9, &rq), 1);

  const char *connecting = "state= CONNECTING BOUND\n";
  ck_assert(!ms_sunrpc_parse_xprt_state(connecting, strlen(connecting)));
  const char *both = "state= CONNECTING CONNECTED\n";
  ck_assert(ms_sunrpc_parse_xprt_state(both, strlen(both)));
  ck_assert(!ms_sunrpc_parse_xprt_state("state=CLOSED\n", 13));
  ck_assert(!ms_sunrpc_parse_xprt_state("", 0));

  uint32_t id = 0;
  const char *link = "../../xprt-switches/switch-12";
  ck_assert(ms_sunrpc_name_id(link, strlen(link), "switch-", &id));
  ck_assert_uint_eq(id, 12);
  ck_assert(ms_sunrpc_name_id("clnt-7\n", 7, "clnt-", &id));
  ck_assert_uint_eq(id, 7);
  ck_assert(!ms_sunrpc_name_id("switch-", 7, "switch-", &id));
  ck_assert(!ms_sunrpc_name_id("switch-1a", 9, "switch-", &id));
  ck_assert(!ms_sunrpc_name_id("switch-99999999999", 18, "switch-", &id));
  ck_assert(!ms_sunrpc_name_id("clnt-3", 6, "switch-", &id));
  ck_assert(!ms_sunrpc_name_id("", 0, "switch-", &id));
}
END_TEST

/* ---- the trees ---------------------------------------------------------- */

static ms_sysfs_t sysfs;
static ms_sunrpc_t rpc;

static void open_tree(const char *kernel, const char *state) {
  char root[512];
  snprintf(root, sizeof(root), LIVE "%s/sysfs-%s/sys", kernel, state);
  ck_assert_int_eq(ms_sysfs_open(&sysfs, root), 0);
  ck_assert_int_eq(ms_sunrpc_scan(&rpc, &sysfs.fs), 0);
}

static void teardown_tree(void) {
  ms_sunrpc_free(&rpc);
  ms_sysfs_close(&sysfs);
}

static size_t connected(const ms_rpc_switch_t *s) {
  size_t n = 0;
  for (size_t k = s->first; k < s->first + s->count; k++)
    n += rpc.xprts[k].q.connected;
  return n;
}

START_TEST(test_scan_both_kernels) {
  static const char *const kernels[] = {"bookworm", "trixie"};
  for (size_t i = 0; i < 2; i++) {
    open_tree(kernels[i], "idle");
    ck_assert(rpc.have_tree);
    ck_assert(rpc.have_sb_links == (i == 1)); /* fs/nfs links: 6.12 only */
    ck_assert_uint_eq(rpc.nswitches, 13);
    ck_assert_uint_eq(rpc.nxprts, 31);
    const ms_rpc_switch_t *s = ms_sunrpc_switch(&rpc, 9);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->count, 16);
    ck_assert_uint_eq(connected(s), 8);
    s = ms_sunrpc_switch(&rpc, 4);
    ck_assert_uint_eq(s->count, 1);
    ck_assert_str_eq(rpc.xprts[s->first].dstaddr, "127.0.0.3");
    ck_assert_str_eq(rpc.xprts[s->first].proto, "tcp");
    ck_assert_uint_eq(rpc.xprts[s->first].dst_port, 2049);
    ck_assert_ptr_null(ms_sunrpc_switch(&rpc, 14));
    teardown_tree();

    open_tree(kernels[i], "nfsd0");
    ck_assert_uint_eq(rpc.nswitches, 10);
    ck_assert_uint_eq(rpc.nxprts, 28);
    static const uint32_t busy[] = {2, 4, 6, 13};
    for (size_t k = 0; k < rpc.nswitches; k++) {
      const ms_rpc_switch_t *w = &rpc.switches[k];
      bool expect = false;
      for (size_t j = 0; j < 4; j++)
        expect |= w->id == busy[j];
      ck_assert_uint_eq(w->queue_len, expect ? 1 : 0);
      ck_assert_uint_eq(connected(w), 0);
    }
    teardown_tree();
  }
}
END_TEST

/* ---- routes ------------------------------------------------------------- */

static ms_snapshot_t snap;
static ms_mountinfo_t mi;
static ms_rpcmap_t map;
static char *ms_text, *mi_text;

static void map_tree(const char *kernel, const char *state) {
  char path[512];
  size_t len, mi_len;
  open_tree(kernel, state);
  snprintf(path, sizeof(path), LIVE "%s/sysfs-%s/mountstats", kernel, state);
  ms_text = slurp(path, &len);
  snprintf(path, sizeof(path), LIVE "%s/sysfs-%s/mountinfo", kernel, state);
  mi_text = slurp(path, &mi_len);
  ck_assert_int_eq(ms_parse(&snap, ms_text, len), 0);
  ck_assert_int_eq(ms_mountinfo_parse(&mi, mi_text, mi_len), 0);
  size_t n = snap.nmounts;
  uint64_t *dev = calloc(n, sizeof(*dev));
  size_t *idx = calloc(n, sizeof(*idx));
  unsigned char *want = calloc(n, 1);
  char(*addr)[MS_SUNRPC_ADDR_MAX] = calloc(n, sizeof(*addr));
  ck_assert_uint_eq(ms_mountinfo_match_index(&mi, &snap, dev, idx), n);
  for (size_t i = 0; i < n; i++) {
    want[i] = 1;
    ms_rpcmap_server_addr(mi.entries[idx[i]].superopts, snap.mounts[i].device,
                          addr[i]);
  }
  ms_rpcmap_input_t in = {want, dev, (const char(*)[MS_SUNRPC_ADDR_MAX])addr};
  ck_assert_int_eq(ms_rpcmap_build(&map, &snap, &in, &rpc), 0);
  free(dev);
  free(idx);
  free(want);
  free(addr);
}

static void teardown_map(void) {
  teardown_tree();
  ms_rpcmap_free(&map);
  ms_snapshot_free(&snap);
  ms_mountinfo_free(&mi);
  free(ms_text);
  free(mi_text);
  ms_text = mi_text = NULL;
}

/* The record at mount point mp (still escaped as in the file). */
static size_t rec_of(const char *mp) {
  for (size_t i = 0; i < snap.nmounts; i++)
    if (ms_span_is(snap.mounts[i].mountpoint, mp))
      return i;
  ck_abort_msg("no record %s", mp);
  return 0;
}

static void expect_route(const char *mp, enum ms_rpc_route route, uint32_t sw) {
  size_t r = rec_of(mp);
  ck_assert_msg(map.route[r] == route, "%s: route %d, expected %d", mp,
                map.route[r], route);
  ck_assert_msg(map.count[r] == 1 && map.ids[map.first[r]] == sw,
                "%s: %zu switches, first %u, expected switch-%u", mp,
                map.count[r], map.count[r] ? map.ids[map.first[r]] : 0, sw);
  ck_assert(!map.ambiguous[r]);
}

/* 6.12: every mount by its superblock's links, also the trunked one. */
START_TEST(test_routes_trixie) {
  map_tree("trixie", "hung15");
  ck_assert_uint_eq(map.unmapped, 0);
  expect_route("/mnt/v3tcp", MS_ROUTE_SB_LINKS, 1);
  expect_route("/mnt/v41", MS_ROUTE_SB_LINKS, 4);
  expect_route("/mnt/v41trunk", MS_ROUTE_SB_LINKS, 4);
  expect_route("/mnt/v42", MS_ROUTE_SB_LINKS, 6);
  expect_route("/mnt/nc16", MS_ROUTE_SB_LINKS, 9);
  expect_route("/mnt/ex3", MS_ROUTE_SB_LINKS, 13);
  ck_assert(ms_sunrpc_switch(&rpc, 13)->used);
  ck_assert(!ms_sunrpc_switch(&rpc, 0)->used); /* rpcbind's */
  ck_assert(!ms_sunrpc_switch(&rpc, 5)->used); /* nfsd's callback client */
}
END_TEST

/* 6.1: no links; v3 and v4.0 by their source port, v4.1+ (port 0 in
 * mountstats) by the server address, the trunked mount by mountinfo's
 * addr=, never the nfsd's callback clients to 127.0.0.1. */
START_TEST(test_routes_bookworm) {
  map_tree("bookworm", "hung15");
  ck_assert_uint_eq(map.unmapped, 0);
  expect_route("/mnt/v3tcp", MS_ROUTE_SRC_PORT, 1);
  expect_route("/mnt/v40", MS_ROUTE_SRC_PORT, 2);
  expect_route("/mnt/v41", MS_ROUTE_ADDRESS, 4);
  expect_route("/mnt/v41trunk", MS_ROUTE_ADDRESS, 4);
  expect_route("/mnt/v42", MS_ROUTE_ADDRESS, 6);
  expect_route("/mnt/nc16", MS_ROUTE_SRC_PORT, 9);
  expect_route("/mnt/ex3", MS_ROUTE_SRC_PORT, 13);
  ck_assert(!ms_sunrpc_switch(&rpc, 3)->used);
}
END_TEST

/* 6.1 with the server stopped: no transport prints its ports, so the
 * addresses decide; the callback clients are gone. */
START_TEST(test_routes_bookworm_closed) {
  map_tree("bookworm", "nfsd0");
  ck_assert_uint_eq(map.unmapped, 0);
  expect_route("/mnt/v3tcp", MS_ROUTE_ADDRESS, 1);
  expect_route("/mnt/v42", MS_ROUTE_ADDRESS, 6);
  expect_route("/mnt/ex3", MS_ROUTE_ADDRESS, 13);
}
END_TEST

START_TEST(test_server_addr) {
  char a[MS_SUNRPC_ADDR_MAX];
  const char *so = "rw,vers=4.2,clientaddr=127.0.0.1,addr=127.0.0.3";
  ms_rpcmap_server_addr((ms_span_t){so, strlen(so)},
                        (ms_span_t){"127.0.0.10:/e6", 14}, a);
  ck_assert_str_eq(a, "127.0.0.3"); /* mountinfo's word wins */
  ms_rpcmap_server_addr((ms_span_t){"", 0}, (ms_span_t){"127.0.0.9:/x", 12}, a);
  ck_assert_str_eq(a, "127.0.0.9");
  ms_rpcmap_server_addr((ms_span_t){"", 0}, (ms_span_t){"[::1]:/srv", 10}, a);
  ck_assert_str_eq(a, "::1");
  /* a host name is never resolved */
  ms_rpcmap_server_addr((ms_span_t){"", 0}, (ms_span_t){"filer:/srv", 10}, a);
  ck_assert_str_eq(a, "");
  ms_rpcmap_server_addr((ms_span_t){"", 0}, (ms_span_t){"nocolon", 7}, a);
  ck_assert_str_eq(a, "");
}
END_TEST

/* ---- what the collector makes of it ------------------------------------- */

typedef struct {
  char pi[MS_NAME_SIZE], type[32], ti[MS_NAME_SIZE];
  double v[3];
} got_t;

static got_t got[64];
static size_t ngot;

static void sink(void *ctx, const ms_record_t *r) {
  (void)ctx;
  if (strncmp(r->type->name, "nfs_xprt_stall", 14) != 0 &&
      strcmp(r->type->name, "nfs_xprt_queue") != 0)
    return;
  ck_assert(ngot < 64);
  got_t *g = &got[ngot++];
  snprintf(g->pi, sizeof(g->pi), "%s", r->plugin_instance);
  snprintf(g->type, sizeof(g->type), "%s", r->type->name);
  snprintf(g->ti, sizeof(g->ti), "%.*s", (int)r->type_instance_len,
           r->type_instance);
  for (size_t i = 0; i < 3; i++)
    g->v[i] = r->values[i].gauge;
}

static void quiet(void *ctx, int level, const char *msg) {
  (void)ctx;
  ck_assert_msg(level > MS_LOG_WARNING, "%s", msg);
}

static const got_t *got_of(const char *pi, const char *type) {
  for (size_t i = 0; i < ngot; i++)
    if (strcmp(got[i].pi, pi) == 0 && strcmp(got[i].type, type) == 0)
      return &got[i];
  ck_abort_msg("no %s for %s", type, pi);
  return NULL;
}

/* One read of a captured state through the collector, the way the plugin
 * reads /sys; then a second one 2 s later (nothing moved: a server that
 * stays silent). */
static void collect(const char *kernel, const char *state, double *stalled2) {
  char path[512], root[512];
  snprintf(path, sizeof(path), LIVE "%s/sysfs-%s/mountstats", kernel, state);
  ms_config_t cfg = {0};
  ms_config_defaults(&cfg);
  cfg.report_stall = true;
  cfg.file = strdup(path);
  snprintf(path, sizeof(path), LIVE "%s/sysfs-%s/mountinfo", kernel, state);
  cfg.mountinfo_file = strdup(path);
  ck_assert_int_eq(ms_config_finish(&cfg), 0);
  snprintf(root, sizeof(root), LIVE "%s/sysfs-%s/sys", kernel, state);
  ck_assert_int_eq(ms_sysfs_open(&sysfs, root), 0);
  ms_collector_t *c = ms_collector_new(&cfg, sink, quiet, NULL);
  size_t len, mi_len;
  char *ms = slurp(cfg.file, &len), *mit = slurp(cfg.mountinfo_file, &mi_len);
  for (int r = 0; r < 2; r++) {
    ngot = 0;
    ms_input_t in = {.buf = ms,
                     .len = len,
                     .mi_buf = mit,
                     .mi_len = mi_len,
                     .now = 1000 + 2 * r,
                     .sysfs = &sysfs.fs};
    ck_assert_int_eq(ms_collector_run(c, &in), 0);
    if (r == 0)
      continue;
    *stalled2 = got_of("mnt-ex3", "nfs_xprt_stall")->v[2];
  }
  ms_collector_free(c);
  ms_config_free(&cfg);
  ms_sysfs_close(&sysfs);
  free(ms);
  free(mit);
}

/* A hung server with the connection up: one task pending a reply. */
START_TEST(test_values_hung) {
  static const char *const kernels[] = {"bookworm", "trixie"};
  for (size_t i = 0; i < 2; i++) {
    double stalled;
    collect(kernels[i], "hung15", &stalled);
    const got_t *g = got_of("mnt-ex3", "nfs_xprt_stall");
    ck_assert_str_eq(g->ti, "sysfs");
    ck_assert(g->v[0] == 1 && g->v[1] == 2); /* waiting 1, since_reply 2 s */
    ck_assert(stalled == 2);                 /* min(2 s waiting, 2 s) */
    g = got_of("mnt-ex3", "nfs_xprt_queue");
    ck_assert_str_eq(g->ti, "tcp");
    ck_assert(g->v[0] == 1 && g->v[1] == 1 && g->v[2] == 1);
    g = got_of("mnt-nc16", "nfs_xprt_queue");
    ck_assert(g->v[0] == 0 && g->v[1] == 0 && g->v[2] == 8);
    g = got_of("mnt-v3tcp", "nfs_xprt_stall");
    ck_assert(g->v[0] == 0 && g->v[2] == 0);
  }
}
END_TEST

/* The server stopped: every transport closed, the tasks still counted by
 * their switches: waiting = queue_len, pending unknown, none connected. */
START_TEST(test_values_closed) {
  static const char *const kernels[] = {"bookworm", "trixie"};
  for (size_t i = 0; i < 2; i++) {
    double stalled;
    collect(kernels[i], "nfsd0", &stalled);
    const got_t *g = got_of("mnt-ex3", "nfs_xprt_stall");
    ck_assert(g->v[0] == 1 && stalled == 2);
    g = got_of("mnt-ex3", "nfs_xprt_queue");
    ck_assert(g->v[0] == 1 && isnan(g->v[1]) && g->v[2] == 0);
    ck_assert(got_of("mnt-v42", "nfs_xprt_stall")->v[0] == 1);
    ck_assert(got_of("mnt-v40", "nfs_xprt_stall")->v[0] == 1);
    ck_assert(got_of("mnt-v3tcp", "nfs_xprt_stall")->v[0] == 0);
    ck_assert(got_of("mnt-nc4", "nfs_xprt_stall")->v[0] == 0);
  }
}
END_TEST

/* A damaged tree: a switch whose xprt_switch_info went away between two
 * reads makes the refresh fail, so the layout is read again. */
START_TEST(test_refresh_notices_removal) {
  char tmp[] = "/tmp/check_sunrpc.XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(tmp));
  char cmd[1024];
  snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s/sys'",
           LIVE "bookworm/sysfs-hung15/sys", tmp);
  ck_assert_int_eq(system(cmd), 0);
  snprintf(cmd, sizeof(cmd), "%s/sys", tmp);
  ck_assert_int_eq(ms_sysfs_open(&sysfs, cmd), 0);
  ck_assert_int_eq(ms_sunrpc_scan(&rpc, &sysfs.fs), 0);
  ms_sunrpc_switch(&rpc, 13)->used = true;
  ck_assert_int_eq(ms_sunrpc_refresh(&rpc, &sysfs.fs), 0);
  ck_assert_uint_eq(ms_sunrpc_switch(&rpc, 13)->queue_len, 1);
  snprintf(cmd, sizeof(cmd),
           "%s/sys/kernel/sunrpc/xprt-switches/switch-13/xprt_switch_info",
           tmp);
  ck_assert_int_eq(unlink(cmd), 0);
  /* sysfs answers ENODEV on a descriptor of a removed attribute, which
   * tmpfs does not: the plugin's reader is opened again here, so the read
   * is a fresh open, as after an ENODEV */
  ms_sysfs_close(&sysfs);
  snprintf(cmd, sizeof(cmd), "%s/sys", tmp);
  ck_assert_int_eq(ms_sysfs_open(&sysfs, cmd), 0);
  ck_assert_int_eq(ms_sunrpc_refresh(&rpc, &sysfs.fs), -ENOENT);
  /* scanned again: the switch without its info keeps no transports */
  ck_assert_int_eq(ms_sunrpc_scan(&rpc, &sysfs.fs), 0);
  ck_assert_uint_eq(ms_sunrpc_switch(&rpc, 13)->count, 0);
  ck_assert_uint_eq(rpc.nxprts, 31);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *sunrpc_suite(void) {
  Suite *s = suite_create("sunrpc");
  MS_CHECK_CASE(s, "text", NULL, NULL, test_parse_real_files,
                test_parse_damaged, test_server_addr);
  MS_CHECK_CASE(s, "trees", NULL, teardown_tree, test_scan_both_kernels,
                test_refresh_notices_removal);
  MS_CHECK_CASE(s, "routes", NULL, teardown_map, test_routes_trixie,
                test_routes_bookworm, test_routes_bookworm_closed);
  MS_CHECK_CASE(s, "values", NULL, NULL, test_values_hung, test_values_closed);
  return s;
}

int main(void) { return ms_check_run(sunrpc_suite()) == 0 ? 0 : 1; }
