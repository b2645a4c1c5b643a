/* SPDX-License-Identifier: MIT
 *
 * check_stall.c: ReportStall's per-mount values (src/stall.c). Every
 * expected number is worked out by hand in the comment next to it, from the
 * rules stall.h gives: waiting from the kernel's queues ("sysfs") or the
 * estimate X above its level; since_reply from the read that last saw recvs
 * rise; stalled = min(seconds waiting has been above 0, since_reply).
 */
#include "check_run.h"
#include "mountstats.h"
#include "stall.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ms_snapshot_t snap;
static ms_stall_table_t table;

static void teardown(void) {
  ms_snapshot_free(&snap);
  ms_stall_free(&table);
}

/* One read of one mount: a new interval with just this update. */
static ms_stall_t read_once(uint64_t key, double now,
                            const ms_stall_input_t *in) {
  ms_stall_t out;
  ck_assert_int_eq(ms_stall_update(&table, key, now, in, &out), 0);
  ms_stall_end(&table);
  return out;
}

static ms_stall_t sysfs_read(double now, uint64_t recvs, double waiting) {
  ms_stall_input_t in = {.recvs = recvs, .sysfs = true, .waiting = waiting};
  return read_once(1, now, &in);
}

static ms_stall_t estimate_read(double now, uint64_t recvs, int64_t x) {
  ms_stall_input_t in = {.recvs = recvs, .x = x};
  return read_once(1, now, &in);
}

#define HDR(dev, mp, opts)                                                     \
  "device " dev " mounted on " mp " with fstype nfs statvers=1.1\n"            \
  "\topts:\t" opts "\n"                                                        \
  "\tage:\t100\n"                                                              \
  "\tRPC iostats version: 1.1  p/v: 100003/3 (nfs)\n"

/* The counts one read gives: nconnect lines summed, retransmissions and
 * major timeouts over the operations, X from them. */
START_TEST(test_counts_from_text) {
  const char *text =
      HDR("srv:/a", "/a", "rw,vers=3,hard,proto=tcp,timeo=10,retrans=2")
      /* tcp: port bind connects connect_time idle sends recvs ... */
      "\txprt:\ttcp 800 1 2 0 7 60 57 0 60 0 2 0 0\n"
      "\txprt:\ttcp 801 1 3 0 4 40 38 0 40 0 2 0 0\n"
      "\txprt:\tudp 802 1 5 4 0 5 0 0 0\n"
      "\tper-op statistics\n"
      /* ops trans timeouts ...: 1 retransmission, 1 major timeout */
      "\t       WRITE: 10 11 1 0 0 0 0 0 0\n"
      /* trans < ops (kernels before 4.10): counts as 0, not -2 */
      "\t        READ: 5 3 0 0 0 0 0 0 0\n"
      "\t     GETATTR: 4 5 0 0 0 0 0 0 0\n";
  ck_assert_int_eq(ms_parse(&snap, text, strlen(text)), 0);
  uint64_t sends, recvs, retrans = 0, timeouts = 0;
  ck_assert(ms_stall_transport_counts(&snap, 0, MS_XPRT_TCP, &sends, &recvs));
  ck_assert_uint_eq(sends, 100); /* 60 + 40; the udp line is another kind */
  ck_assert_uint_eq(recvs, 95);  /* 57 + 38 */
  ms_stall_op_counts(&snap, 0, &retrans, &timeouts);
  ck_assert_uint_eq(retrans, 2);  /* WRITE 1 + GETATTR 1, READ 0 */
  ck_assert_uint_eq(timeouts, 1); /* WRITE */
  /* 100 - 95 - 2 - 1: two transmissions without a reply */
  ck_assert_int_eq(ms_stall_x(sends, recvs, retrans, timeouts), 2);
  /* udp (port bind_count sends recvs ...): a kind of its own; rdma none */
  ck_assert(ms_stall_transport_counts(&snap, 0, MS_XPRT_UDP, &sends, &recvs));
  ck_assert_uint_eq(sends, 5);
  ck_assert_uint_eq(recvs, 4);
  ck_assert(!ms_stall_transport_counts(&snap, 0, MS_XPRT_RDMA, &sends, &recvs));
}
END_TEST

/* X below 0 from counters that wrap: still a plain difference. */
START_TEST(test_x_wraps) {
  ck_assert_int_eq(ms_stall_x(5, 7, 0, 0), -2);
  ck_assert_int_eq(ms_stall_x(0, UINT64_MAX, 0, 0), 1);
}
END_TEST

/* The kernel's queue: a server that stops answering while a request waits,
 * and comes back. Reads 1 s apart. */
START_TEST(test_sysfs_hung_and_back) {
  ms_stall_t o;
  o = sysfs_read(100, 500, 1); /* first read: nothing known of the past */
  ck_assert(o.route_changed);
  ck_assert_double_eq(o.waiting, 1);
  ck_assert_double_eq(o.since_reply, 0);
  ck_assert_double_eq(o.stalled, 0); /* min(0 s waiting, 0 s) */
  o = sysfs_read(101, 520, 1);       /* replies arrive: busy, not stalled */
  ck_assert(!o.route_changed);
  ck_assert_double_eq(o.since_reply, 0);
  ck_assert_double_eq(o.stalled, 0); /* min(1, 0) */
  /* the server stops between 101 and 102; the last replies came before */
  o = sysfs_read(102, 530, 1);
  ck_assert_double_eq(o.stalled, 0); /* recvs rose at this read */
  o = sysfs_read(103, 530, 1);
  ck_assert_double_eq(o.since_reply, 1);
  ck_assert_double_eq(o.stalled, 1); /* min(3 s waiting, 1 s) */
  o = sysfs_read(104, 530, 2);       /* a second request waits */
  ck_assert_double_eq(o.waiting, 2);
  ck_assert_double_eq(o.stalled, 2); /* min(4, 2) */
  o = sysfs_read(130, 530, 2);
  ck_assert_double_eq(o.stalled, 28); /* held: min(30, 28) */
  o = sysfs_read(131, 533, 1);        /* answers again */
  ck_assert_double_eq(o.since_reply, 0);
  ck_assert_double_eq(o.stalled, 0);
  o = sysfs_read(132, 540, 0);
  ck_assert_double_eq(o.waiting, 0);
  ck_assert_double_eq(o.stalled, 0);
}
END_TEST

/* An idle mount whose lease renewal is in flight at one read: nothing has
 * waited across two reads, so nothing stalls, although no reply came for a
 * long time before. */
START_TEST(test_sysfs_idle_renewal) {
  ms_stall_t o;
  o = sysfs_read(0, 40, 0);
  for (double t = 1; t < 60; t++)
    o = sysfs_read(t, 40, 0); /* idle: since_reply grows, stalled 0 */
  ck_assert_double_eq(o.since_reply, 59);
  ck_assert_double_eq(o.stalled, 0);
  o = sysfs_read(60, 40, 1); /* the renewal is on the wire at this read */
  ck_assert_double_eq(o.since_reply, 60);
  ck_assert_double_eq(o.stalled, 0); /* min(0 s waiting, 60) */
  o = sysfs_read(61, 41, 0);         /* answered */
  ck_assert_double_eq(o.stalled, 0);
  o = sysfs_read(62, 41, 0);
  ck_assert_double_eq(o.since_reply, 1);
  ck_assert_double_eq(o.stalled, 0);
}
END_TEST

/* A server that is already dead when the plugin starts: the kernel's queue
 * says so from the first read, and the alert needs no baseline. */
START_TEST(test_sysfs_dead_at_start) {
  ms_stall_t o = sysfs_read(10, 7, 3);
  ck_assert_double_eq(o.stalled, 0);
  o = sysfs_read(11, 7, 3);
  ck_assert_double_eq(o.stalled, 1);
  o = sysfs_read(12, 7, 3);
  ck_assert_double_eq(o.stalled, 2);
}
END_TEST

/* The estimate, on a hung NFSv3 server with timeo=10: the writer's request
 * was on the wire at the last read with replies, so it is in the level; the
 * resends after timeo raise X with no reply. */
START_TEST(test_estimate_resends) {
  ms_stall_t o;
  o = estimate_read(100, 1000, 0); /* level 0 */
  ck_assert_double_eq(o.waiting, 0);
  o = estimate_read(101, 1010, 1); /* replies: level relearned to 1 */
  ck_assert_double_eq(o.waiting, 0);
  ck_assert_double_eq(o.stalled, 0);
  o = estimate_read(102, 1010, 1); /* hung: nothing moves */
  ck_assert_double_eq(o.waiting, 0);
  o = estimate_read(103, 1010, 2); /* the first resend: X 2, level 1 */
  ck_assert_double_eq(o.waiting, 1);
  ck_assert_double_eq(o.since_reply, 2);
  ck_assert_double_eq(o.stalled, 0); /* first read waiting */
  o = estimate_read(104, 1010, 3);
  ck_assert_double_eq(o.waiting, 2);
  ck_assert_double_eq(o.stalled, 1); /* min(1, 3) */
  o = estimate_read(110, 1010, 8);
  ck_assert_double_eq(o.stalled, 7); /* held: min(7, 9) */
  o = estimate_read(111, 1018, 0);   /* all answered: X back to 0 */
  ck_assert_double_eq(o.waiting, 0);
  ck_assert_double_eq(o.stalled, 0);
}
END_TEST

/* An NFSv4.1 callback reply: one send that never gets a reply. X rises by
 * 1 for good; the DELEGRETURN's reply comes at the same or the next read,
 * and the level follows: no alarm, also after a restart. */
START_TEST(test_estimate_callback_no_alarm) {
  ms_stall_t o;
  o = estimate_read(0, 46, 0);
  /* the callback reply is sent just before this read, DELEGRETURN after */
  o = estimate_read(1, 46, 1);
  ck_assert_double_eq(o.waiting, 1);
  ck_assert_double_eq(o.stalled, 0); /* first read waiting */
  o = estimate_read(2, 47, 1);       /* DELEGRETURN answered */
  ck_assert_double_eq(o.waiting, 0);
  for (double t = 3; t < 100; t++) {
    o = estimate_read(t, 47, 1); /* idle, X stays 1 */
    ck_assert_double_eq(o.stalled, 0);
  }
  ms_stall_free(&table); /* collectd restarts: the level starts at X */
  o = estimate_read(200, 47, 1);
  ck_assert_double_eq(o.waiting, 0);
  o = estimate_read(201, 47, 1);
  ck_assert_double_eq(o.stalled, 0);
}
END_TEST

/* A waiter killed with no reply leaves X one higher; the level follows X
 * down only, so it waits for the next reply to forget it. */
START_TEST(test_estimate_level_follows_down) {
  ms_stall_t o;
  o = estimate_read(0, 10, 5); /* level 5 */
  o = estimate_read(1, 10, 3); /* X lower: level 3 at once */
  ck_assert_double_eq(o.waiting, 0);
  o = estimate_read(2, 10, 4);
  ck_assert_double_eq(o.waiting, 1);
  o = estimate_read(3, 11, 4); /* a reply: level 4 */
  ck_assert_double_eq(o.waiting, 0);
}
END_TEST

/* A mount that changes source (the sysfs tree appears, a mapping is found)
 * starts the estimate's level again; the route change is reported. */
START_TEST(test_source_change) {
  ms_stall_input_t in = {.recvs = 5, .x = 4, .route = 0};
  ms_stall_t o = read_once(1, 0, &in);
  ck_assert(o.route_changed);
  in = (ms_stall_input_t){.recvs = 5, .sysfs = true, .waiting = 0, .route = 2};
  o = read_once(1, 1, &in);
  ck_assert(o.route_changed);
  ck_assert_double_eq(o.waiting, 0);
  in = (ms_stall_input_t){.recvs = 5, .x = 9, .route = 0};
  o = read_once(1, 2, &in); /* back to the estimate: level 9 */
  ck_assert(o.route_changed);
  ck_assert_double_eq(o.waiting, 0);
}
END_TEST

/* A clock that goes back never gives negative seconds. */
START_TEST(test_clock_back) {
  ms_stall_t o = sysfs_read(100, 1, 1);
  o = sysfs_read(50, 1, 1);
  ck_assert_double_eq(o.since_reply, 0);
  ck_assert_double_eq(o.stalled, 0);
}
END_TEST

/* Mounts not read in an interval are forgotten; 1,000 keys stay apart. */
START_TEST(test_forget_and_many_keys) {
  ms_stall_t o;
  ms_stall_input_t in = {.recvs = 1, .sysfs = true, .waiting = 1};
  for (uint64_t k = 0; k < 1000; k++)
    ck_assert_int_eq(ms_stall_update(&table, k * 7919, 0, &in, &o), 0);
  ms_stall_end(&table);
  for (uint64_t k = 0; k < 1000; k++) {
    ck_assert_int_eq(ms_stall_update(&table, k * 7919, 5, &in, &o), 0);
    ck_assert(!o.route_changed);
    ck_assert_double_eq(o.stalled, 5); /* min(5, 5): each kept its state */
  }
  ms_stall_end(&table);
  ms_stall_end(&table); /* an interval without them */
  ck_assert_int_eq(ms_stall_update(&table, 7919, 6, &in, &o), 0);
  ck_assert(o.route_changed); /* forgotten: new again */
  ck_assert_double_eq(o.stalled, 0);
  ms_stall_end(&table);
}
END_TEST

static Suite *stall_suite(void) {
  Suite *s = suite_create("stall");
  MS_CHECK_CASE(s, "stall", NULL, teardown, test_counts_from_text, test_x_wraps,
                test_sysfs_hung_and_back, test_sysfs_idle_renewal,
                test_sysfs_dead_at_start, test_estimate_resends,
                test_estimate_callback_no_alarm,
                test_estimate_level_follows_down, test_source_change,
                test_clock_back, test_forget_and_many_keys);
  return s;
}

int main(void) { return ms_check_run(stall_suite()) == 0 ? 0 : 1; }
