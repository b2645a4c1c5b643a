/* SPDX-License-Identifier: MIT
 *
 * check_stall.c: ReportStall's estimate of requests waiting for an answer
 * (src/stall.c). Every expected number is worked out by hand in the comment
 * next to it, from the kernel's accounting as stall.h gives it.
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

static void parse(const char *text) {
  ck_assert_int_eq(ms_parse(&snap, text, strlen(text)), 0);
}

/* One read of one mount: a new interval with just this update. */
static ms_stall_t read_once(uint64_t key, double now,
                            const ms_stall_input_t *in) {
  ms_stall_t out;
  ck_assert_int_eq(ms_stall_update(&table, key, now, in, &out), 0);
  ms_stall_end(&table);
  return out;
}

#define HDR(dev, mp, opts)                                                     \
  "device " dev " mounted on " mp " with fstype nfs statvers=1.1\n"            \
  "\topts:\t" opts "\n"                                                        \
  "\tage:\t100\n"                                                              \
  "\tRPC iostats version: 1.1  p/v: 100003/3 (nfs)\n"

/* The numbers one read gives: nconnect lines summed, idle_time the smallest,
 * per-op retransmissions and major timeouts summed, timeo x (retrans + 1). */
START_TEST(test_input_from_text) {
  parse(HDR("srv:/a", "/a", "rw,vers=3,hard,proto=tcp,timeo=10,retrans=2")
        /* tcp: port bind connects connect_time idle sends recvs ... */
        "\txprt:\ttcp 800 1 2 0 7 60 57 0 60 0 2 0 0\n"
        "\txprt:\ttcp 801 1 3 0 4 40 38 0 40 0 2 0 0\n"
        "\tper-op statistics\n"
        /* ops trans timeouts ...: 1 retransmission, 1 major timeout */
        "\t       WRITE: 10 11 1 0 0 0 0 0 0\n"
        /* trans < ops (kernels before 4.10): counts as 0, not -2 */
        "\t        READ: 5 3 0 0 0 0 0 0 0\n"
        "\t     GETATTR: 4 5 0 0 0 0 0 0 0\n");
  ms_stall_input_t in;
  ck_assert(ms_stall_input(&snap, 0, MS_XPRT_TCP, &in));
  ck_assert_uint_eq(in.sends, 100);       /* 60 + 40 */
  ck_assert_uint_eq(in.recvs, 95);        /* 57 + 38 */
  ck_assert_uint_eq(in.connect_count, 5); /* 2 + 3 */
  ck_assert_int_eq(in.idle_time, 4);      /* the smaller of 7 and 4 */
  ck_assert_uint_eq(in.op_retrans, 2);    /* WRITE 1, READ 0, GETATTR 1 */
  ck_assert_uint_eq(in.op_timeouts, 1);   /* WRITE */
  ck_assert(in.resend_s == 3.0);          /* 1.0 s x (2 + 1) */
  /* X = 100 - 95 - 2 - 1 = 2: two requests wait, and no RPC completed for
   * 4 s (not more than 2 x 3 s: they may still wait). */
  ms_stall_t st = read_once(1, 10.0, &in);
  ck_assert(st.unanswered == 2.0 && st.stalled == 4.0);
}
END_TEST

/* Without timeo and retrans in the opts: nfs(5)'s TCP defaults, 60 s x 3. A
 * udp-only mount prints no idle_time: no estimate. */
START_TEST(test_input_defaults_and_udp) {
  parse(HDR(
      "srv:/b", "/b",
      "rw,vers=3,hard,proto=tcp") "\txprt:\ttcp 800 1 2 0 7 60 57 0 60 0 2 0 "
                                  "0\n"
                                  "\tper-op statistics\n"
                                  "\t       WRITE: 10 10 0 0 0 0 0 0 0\n" HDR(
                                      "srv:/c", "/c",
                                      "rw,vers=3,hard,proto=udp,timeo=11,"
                                      "retrans=3")
        /* udp: port bind sends recvs bad_xids req_u bklog_u ... */
        "\txprt:\tudp 900 0 50 50 0 50 0 2 0 0\n"
        "\tper-op statistics\n"
        "\t       WRITE: 10 10 0 0 0 0 0 0 0\n");
  ms_stall_input_t in;
  ck_assert(ms_stall_input(&snap, 0, MS_XPRT_TCP, &in));
  ck_assert(in.resend_s == 180.0);
  ck_assert(!ms_stall_input(&snap, 1, MS_XPRT_UDP, &in));
  ck_assert(!ms_stall_input(&snap, 0, MS_XPRT_RDMA, &in));
}
END_TEST

static ms_stall_input_t tcp(uint64_t sends, uint64_t recvs, int64_t idle) {
  return (ms_stall_input_t){.sends = sends,
                            .recvs = recvs,
                            .connect_count = 1,
                            .idle_time = idle,
                            .resend_s = 3.0};
}

/* The live suite's dead server, read every second. */
START_TEST(test_server_stops_and_returns) {
  ms_stall_input_t in = tcp(100, 99, 0); /* busy from the first read */
  ms_stall_t st = read_once(7, 0.0, &in);
  ck_assert(st.unanswered == 1.0 && st.stalled == 0.0);
  in = tcp(150, 149, 0); /* busy: one request on the wire, X = 1 */
  st = read_once(7, 1.0, &in);
  ck_assert(st.unanswered == 1.0);
  ck_assert(st.stalled == 0.0); /* an RPC completed within the second */
  in = tcp(152, 150, 1); /* the server stopped: 2 wait, none completed 1 s */
  st = read_once(7, 2.0, &in);
  ck_assert(st.unanswered == 2.0 && st.stalled == 1.0);
  in = tcp(152, 150, 2);
  st = read_once(7, 3.0, &in);
  ck_assert(st.unanswered == 2.0 && st.stalled == 2.0);
  /* sent again after timeo: X = 153 - 150 = 3, still waiting */
  in = tcp(153, 150, 3);
  st = read_once(7, 4.0, &in);
  ck_assert(st.unanswered == 3.0 && st.stalled == 3.0);
  /* back: the two waiting requests get their answers (recvs +2) and the
   * one sent twice counts trans - ops = 1 when it completes:
   * X = 153 - 152 - 1 = 0 */
  in = tcp(153, 152, 0);
  in.op_retrans = 1;
  st = read_once(7, 5.0, &in);
  ck_assert(st.unanswered == 0.0 && st.stalled == 0.0);
}
END_TEST

/* An idle, healthy mount: idle_time grows, nothing waits, no stall. */
START_TEST(test_idle_is_not_stalled) {
  for (int t = 0; t < 10; t++) {
    ms_stall_input_t in = tcp(40, 40, t * 10);
    ms_stall_t st = read_once(3, t * 10.0, &in);
    ck_assert(st.unanswered == 0.0 && st.stalled == 0.0);
  }
}
END_TEST

/* X that rose for good (a request abandoned with no answer) is taken as the
 * level once it has not risen for 2 x resend_s = 6 s. */
START_TEST(test_level_learned_when_nothing_is_sent_again) {
  ms_stall_input_t in = tcp(10, 10, 0);
  read_once(5, 100.0, &in);
  in = tcp(11, 10, 1); /* X = 1 at 101: rose */
  ms_stall_t st = read_once(5, 101.0, &in);
  ck_assert(st.unanswered == 1.0 && st.stalled == 1.0);
  in = tcp(11, 10, 6); /* 6 s since it rose: not more than 6 */
  st = read_once(5, 107.0, &in);
  ck_assert(st.unanswered == 1.0 && st.stalled == 6.0);
  in = tcp(11, 10, 7); /* 7 s: a waiting request would have been resent */
  st = read_once(5, 108.0, &in);
  ck_assert(st.unanswered == 0.0 && st.stalled == 0.0);
  /* and from the new level a new request shows again */
  in = tcp(12, 10, 2);
  st = read_once(5, 109.0, &in);
  ck_assert(st.unanswered == 1.0 && st.stalled == 2.0);
}
END_TEST

/* A request that is sent again every few seconds keeps the stall, as does a
 * transport that keeps reconnecting without sending (server host down). */
START_TEST(test_resends_and_reconnects_keep_the_stall) {
  ms_stall_input_t in = tcp(10, 10, 0);
  read_once(9, 0.0, &in);
  uint64_t sends = 11;
  for (int t = 1; t <= 30; t++) {
    if (t % 5 == 0)
      sends++; /* resent every 5 s: never 6 s without a rise */
    in = tcp(sends, 10, t);
    ms_stall_t st = read_once(9, (double)t, &in);
    ck_assert(st.unanswered == (double)(sends - 10));
    ck_assert(st.stalled == (double)t);
  }
  for (int t = 31; t <= 60; t++) {
    in = tcp(sends, 10, t);
    in.connect_count = 1 + (uint64_t)(t / 4); /* a connect every 4 s */
    ms_stall_t st = read_once(9, (double)t, &in);
    ck_assert(st.stalled == (double)t);
  }
}
END_TEST

/* X below the level (a hard request answered after a major timeout counts
 * the timeout too) lowers the level: what waits later still shows. */
START_TEST(test_level_follows_down) {
  ms_stall_input_t in = tcp(10, 10, 0);
  read_once(4, 0.0, &in);
  in = tcp(20, 20, 0);
  in.op_timeouts = 2; /* X = -2 */
  ms_stall_t st = read_once(4, 1.0, &in);
  ck_assert(st.unanswered == 0.0);
  in = tcp(21, 20, 3);
  in.op_timeouts = 2; /* X = -1: one waits */
  st = read_once(4, 2.0, &in);
  ck_assert(st.unanswered == 1.0 && st.stalled == 3.0);
}
END_TEST

/* A mount not updated in an interval is forgotten: when it comes back, its
 * first read is a new level (a remount's counters start again). Keys are
 * kept apart among many. */
START_TEST(test_forgetting_and_many_keys) {
  ms_stall_input_t in;
  ms_stall_t st;
  for (uint64_t k = 0; k < 1000; k++) {
    in = tcp(1000 + k, 1000, 0);
    ck_assert_int_eq(ms_stall_update(&table, k * 7919, 0.0, &in, &st), 0);
  }
  ms_stall_end(&table);
  for (uint64_t k = 0; k < 1000; k += 2) {
    in = tcp(1000 + 2 * k, 1000, 5); /* X = 2k, level 0 */
    ck_assert_int_eq(ms_stall_update(&table, k * 7919, 1.0, &in, &st), 0);
    ck_assert(st.unanswered == (double)(2 * k));
  }
  ms_stall_end(&table); /* the odd keys are forgotten */
  /* X = 4000 on a first read after 100 s without a completed RPC: left over,
   * not waiting (a waiting request is sent again within 3 s) */
  in = tcp(5000, 1000, 100);
  st = read_once(1 * 7919, 2.0, &in);
  ck_assert(st.unanswered == 0.0 && st.stalled == 0.0);
  /* the same within 6 s of the last completion: it may wait */
  in = tcp(5000, 1000, 6);
  st = read_once(3 * 7919, 2.0, &in);
  ck_assert(st.unanswered == 4000.0 && st.stalled == 6.0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stall");
  TCase *tc = tcase_create("stall");
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_add_test(tc, test_input_from_text);
  tcase_add_test(tc, test_input_defaults_and_udp);
  tcase_add_test(tc, test_server_stops_and_returns);
  tcase_add_test(tc, test_idle_is_not_stalled);
  tcase_add_test(tc, test_level_learned_when_nothing_is_sent_again);
  tcase_add_test(tc, test_resends_and_reconnects_keep_the_stall);
  tcase_add_test(tc, test_level_follows_down);
  tcase_add_test(tc, test_forgetting_and_many_keys);
  suite_add_tcase(s, tc);
  int failed = ms_check_run(s);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
