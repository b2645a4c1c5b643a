/* SPDX-License-Identifier: MIT
 *
 * check_plugin_badinput.c: the plugin's read path over every file of
 * fixtures/bad/ (and a few large ones generated here into a temporary
 * directory), each checked against a table of what the parser, the
 * dispatched value lists and the log must show (badinput.h says how).
 * fixtures/bad/README.md has one line per case.
 */
#include "badinput.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#ifndef BAD_DIR
#error "BAD_DIR must name fixtures/bad"
#endif

#define TF MS_DIAG_TOO_FEW_FIELDS
#define BN MS_DIAG_BAD_NUMBER
#define OV MS_DIAG_OVERFLOW
#define ON MS_DIAG_BAD_OP_NAME
#define NT MS_DIAG_NO_TRANSPORT
#define DU MS_DIAG_DUPLICATE_OP
#define RPT 1 /* diag_want_t.repeat */

/* ---- generated files ------------------------------------------------------
 */

/* 1 MiB lines: an opts line (vers= and proto= at its end), an unknown
 * label, a line of blanks, and an op line whose bytes_sent has 1 MiB of
 * digits (line 9). */
static void gen_long_lines(FILE *f) {
  fputs("device srv-ln:/ln mounted on /ln with fstype nfs statvers=1.1\n"
        "\topts:\trw,",
        f);
  put_n(f, "x=1,", MIB / 4);
  fputs("vers=3,proto=tcp\n\tage:\t241\n\tjunk:\t", f);
  put_n(f, "x", MIB);
  fputs("\n\t", f);
  put_n(f, " \t", MIB / 2);
  fputs("\n\tRPC iostats version: 1.1  p/v: 100003/3 (nfs)\n"
        "\txprt:\ttcp 910 1 1 0 0 3 3 0 3 0 1 0 1\n"
        "\tper-op statistics\n"
        "\t        READ: 1 1 0 ",
        f);
  put_n(f, "9", MIB);
  fputs(" 1 1 1 1 0\n"
        "\t       WRITE: 2 2 0 200 200 2 2 2 0\n\n" OK_RECORD,
        f);
}

/* A mount point of 1 MiB, and a malformed line in its record (line 3). */
static void gen_long_mountpoint(FILE *f) {
  fputs("device srv-lm:/lm mounted on /", f);
  put_n(f, "m", MIB);
  fputs(
      " with fstype nfs statvers=1.1\n\tage:\t251\n\tbytes:\t1 2\n\n" OK_RECORD,
      f);
}

/* 50,000 non-NFS lines, an NFS record, 50,000 more, the control record. */
static void gen_non_nfs(FILE *f) {
  for (int half = 0; half < 2; half++) {
    for (int i = 0; i < 50000; i++) {
      switch (i % 5) {
      case 0:
        fprintf(f, "device tmpfs mounted on /run/user/%d with fstype tmpfs\n",
                i);
        break;
      case 1:
        fprintf(f, "device proc mounted on /proc/%d with fstype proc\n", i);
        break;
      case 2:
        fprintf(f, "device //win/s%d mounted on /mnt/c%d with fstype cifs \n",
                i, i);
        break;
      case 3:
        fprintf(f, "device nfsd mounted on /srv/nfsd%d with fstype nfsd\n", i);
        break;
      default:
        fprintf(f, "no device mounted on /x%d with fstype fuse.sshfs\n", i);
      }
    }
    if (half == 0)
      fputs("device srv-mid:/mid mounted on /mid with fstype nfs "
            "statvers=1.1\n\tage:\t261\n\tper-op statistics\n"
            "\t        READ: 1 1 0 100 100 1 1 1 0\n\n",
            f);
  }
  fputs(OK_RECORD, f);
}

/* 258 distinct ops (lines 4..261), then OP257 again (line 262): more ops
 * than the parser's duplicate table (256 slots) holds. */
#define DUP_OPS 258
static void gen_dup_beyond_table(FILE *f) {
  fputs("device srv-dp:/dp mounted on /dp with fstype nfs statvers=1.1\n"
        "\tage:\t271\n\tper-op statistics\n",
        f);
  for (int i = 0; i < DUP_OPS; i++)
    fprintf(f, "\t      OP%03d: %d 1 0 0 0 0 0 0 0\n", i, i + 1);
  fprintf(f, "\t      OP%03d: 9999 1 0 0 0 0 0 0 0\n\n", DUP_OPS - 1);
  fputs(OK_RECORD, f);
}

/* ---- the table ------------------------------------------------------------
 */

#define M10 "mmmmmmmmmm"
#define E10                                                                    \
  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"   \
  "\xc3\xa9"
#define CTL_PI "ctl_a_[1mb_c_d_e"
#define B63 "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"

static void custom_dup_beyond_table(void);

static const bad_case_t cases[] = {
    {.name = "empty.mountstats"},
    {.name = "blank-lines.mountstats"},
    {.name = "cifs-trailing-space.mountstats",
     .nmounts = 2,
     .ok = 1,
     .want = {{"a", "uptime", "age", V(11)},
              OP9("a", "ACCESS", 3, 3, 0, 300, 200, 1, 2, 3, 0)},
     .absent = {{"mnt-cifs", NULL, NULL}, {"mnt-cifs2", NULL, NULL}}},
    {.name = "no-per-op.mountstats",
     .nmounts = 3,
     .ok = 1,
     .want = {{"a", "uptime", "age", V(21)},
              EV27("a", 100),
              {"a", "nfs_bytes", "", V(201, 202, 203, 204, 205, 206, 207, 208)},
              {"a", "nfs_xprt", "tcp", V(1, 50, 50, 0, 60, 0)},
              {"a", "nfs_xprt_conn", "tcp", V(1, 0, 0)},
              {"a", "nfs_xprt_slots", "tcp", V(2, 0, 3)},
              {"a", "count", "transports", V(1)},
              {"b", "uptime", "age", V(22)},
              EV27("b", 200),
              {"b", "nfs_bytes", "",
               V(301, 302, 303, 304, 305, 306, 307, 308)}},
     .absent = {{"a", "nfs_op", NULL}, {"b", "nfs_xprt*", NULL}}},
    {.name = "crlf-mixed.mountstats",
     .nmounts = 2,
     .ok = 1,
     .want = {{"crlf", "uptime", "age", V(31)},
              EV27("crlf", 300),
              {"crlf", "nfs_bytes", "",
               V(401, 402, 403, 404, 405, 406, 407, 408)},
              {"crlf", "nfs_xprt", "tcp", V(1, 7, 7, 0, 7, 0)},
              {"crlf", "nfs_xprt_conn", "tcp", V(1, 0, 0)},
              {"crlf", "nfs_xprt_slots", "tcp", V(1, 0, 1)},
              {"crlf", "count", "transports", V(1)},
              OP9("crlf", "READ", 5, 5, 0, 500, 40000, 1, 2, 3, 1),
              OP9("crlf", "WRITE", 6, 6, 0, 60000, 600, 4, 5, 6, 0)}},
    {.name = "cr-in-number.mountstats",
     .nmounts = 2,
     .diags_total = 2,
     .diag = {{BN, 2, 0, "/d"}, {BN, 4, 0, "/d"}},
     .warnings = 2,
     .ok = 1,
     .want = {OP9("d", "WRITE", 6, 6, 0, 600, 600, 4, 5, 6, 0)},
     .absent = {{"d", "uptime", NULL}, {"d", "nfs_op", "READ"}}},
    {.name = "nul-in-number.mountstats",
     .nmounts = 2,
     .diags_total = 3,
     .diag = {{BN, 3, 0, "/e"}, {BN, 5, 0, "/e"}, {BN, 7, 0, "/e"}},
     .warnings = 3,
     .log_has = {"\\000"},
     .ok = 1,
     .want = {{"e", "uptime", "age", V(51)},
              OP9("e", "WRITE", 6, 6, 0, 600, 600, 4, 5, 6, 0)},
     .absent = {{"e", "nfs_events*", NULL},
                {"e", "nfs_op", "READ"},
                {"e", "nfs_op", "COMMIT"}}},
    {.name = "nul-in-opname.mountstats",
     .nmounts = 2,
     .diags_total = 2,
     .diag = {{ON, 4, 0, "/f"}, {ON, 5, 0, "/f"}},
     .warnings = 2,
     .log_has = {"GET\\000ATTR"},
     .ok = 1,
     .want = {{"f", "uptime", "age", V(61)},
              OP9("f", "READ", 2, 2, 0, 200, 200, 2, 2, 2, 0)}},
    /* Was a bug: the decoded mount point was used as a C string, so
     * "/ok<NUL>evil" was named "ok" and took that name from the real /ok
     * (which became "ok~2"). A NUL becomes "_" in matching and naming; the
     * log escapes it. */
    {.name = "nul-in-mountpoint.mountstats",
     .nmounts = 2,
     .diags_total = 1,
     .diag = {{TF, 3, 0, "/ok\\000evil"}},
     .warnings = 1,
     .log_has = {"evil"},
     .ok = 1,
     .want = {{"ok_evil", "uptime", "age", V(71)},
              OP9("ok_evil", "READ", 2, 2, 0, 200, 200, 2, 2, 2, 0)},
     .absent = {{"ok~2", NULL, NULL}}},
    {.name = "nul-lines.mountstats",
     .nmounts = 2,
     .diags_total = 1,
     .diag = {{ON, 7, 0, "/h"}},
     .warnings = 1,
     .ok = 1,
     .want = {{"h", "uptime", "age", V(81)},
              OP9("h", "READ", 2, 2, 0, 200, 200, 2, 2, 2, 0),
              OP9("h", "WRITE", 3, 3, 0, 300, 300, 3, 3, 3, 0)}},
    /* Was a bug: the WARNING printed the decoded mount point raw (ESC, DEL,
     * TAB and a newline ended up in the log line). */
    {.name = "control-bytes-mountpoint.mountstats",
     .nmounts = 2,
     .diags_total = 1,
     .diag = {{TF, 5, 0, "/ctl\\001a\\033[1mb\\177c\\011d\\012e"}},
     .warnings = 1,
     .log_has = {"[1mb"},
     .ok = 1,
     .want = {{CTL_PI, "uptime", "age", V(91)},
              {CTL_PI, "nfs_op", "READ", V(2, 2, 0, 200, 200, 2, 2, 2)}},
     .absent = {{CTL_PI, "nfs_op_errors", NULL}, {CTL_PI, "nfs_op", "WRITE"}}},
    {.name = "non-utf8-mountpoint.mountstats",
     .nmounts = 2,
     .diags_total = 2,
     /* The log escapes the mount point's bytes (collectd-mountstats(5), LOGGING); the
      * name keeps them. */
     .diag = {{ON, 4, 0, "/caf\\351/\\377\\376\\303"},
              {ON, 5, 0, "/caf\\351/\\377\\376\\303"}},
     .warnings = 2,
     .ok = 1,
     .want = {{"caf\xe9-\xff\xfe\xc3", "uptime", "age", V(101)},
              OP9("caf\xe9-\xff\xfe\xc3", "READ", 3, 3, 0, 300, 300, 3, 3, 3,
                  0)}},
    {.name = "long-non-utf8-mountpoint.mountstats",
     .nmounts = 3,
     .ok = 1,
     /* MaxNameLength 64 (the default): a prefix of at most 55 bytes, cut on
      * a UTF-8 boundary: none among 300 continuation bytes; 54 bytes (27
      * "\xc3\xa9") of the second, as byte 55 is in the middle of the 28th.
      * The hash is FNV-1a 32 of the whole decoded mount point. */
     .want = {{"~279094fe", "uptime", "age", V(111)},
              {E10 E10
               "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
               "~ea03ccee",
               "uptime", "age", V(112)}}},
    {.name = "signs.mountstats",
     .nmounts = 2,
     .diags_total = 6,
     .diag = {{BN, 2, 0, "/k"},
              {BN, 3, 0, "/k"},
              {BN, 4, 0, "/k"},
              {BN, 6, 0, "/k"},
              {BN, 8, 0, "/k"},
              {BN, 9, 0, "/k"}},
     .warnings = 6,
     .ok = 1,
     .want = {OP9("k", "COMMIT", 1, 1, 0, 100, 100, 1, 1, 1, 0)},
     .absent = {{"k", "uptime", NULL},
                {"k", "nfs_events*", NULL},
                {"k", "nfs_bytes", NULL},
                {"k", "nfs_xprt", NULL},
                {"k", "count", NULL},
                {"k", "nfs_op", "READ"},
                {"k", "nfs_op", "WRITE"}}},
    {.name = "hex.mountstats",
     .nmounts = 2,
     .diags_total = 5,
     .diag = {{BN, 2, 0, "/l"},
              {BN, 3, 0, "/l"},
              {BN, 4, 0, "/l"},
              {BN, 6, 0, "/l"},
              {BN, 7, 0, "/l"}},
     .warnings = 5,
     .ok = 1,
     .want = {OP9("l", "COMMIT", 1, 1, 0, 100, 100, 1, 1, 1, 0)},
     .absent = {{"l", "uptime", NULL},
                {"l", "nfs_bytes", NULL},
                {"l", "nfs_fscache", NULL},
                {"l", "nfs_op", "READ"},
                {"l", "nfs_op", "WRITE"}}},
    {.name = "not-decimal.mountstats",
     .nmounts = 2,
     .diags_total = 6,
     .diag = {{BN, 2, 0, "/m"},
              {BN, 3, 0, "/m"},
              {BN, 4, 0, "/m"},
              {BN, 6, 0, "/m"},
              {BN, 8, 0, "/m"},
              {BN, 9, 0, "/m"}},
     .warnings = 6,
     .ok = 1,
     .want = {OP9("m", "COMMIT", 1, 1, 0, 100, 100, 1, 1, 1, 0)},
     .absent = {{"m", "uptime", NULL},
                {"m", "nfs_events*", NULL},
                {"m", "nfs_bytes", NULL},
                {"m", "nfs_xprt", NULL},
                {"m", "nfs_op", "READ"},
                {"m", "nfs_op", "WRITE"}}},
    {.name = "leading-zeros.mountstats",
     .nmounts = 2,
     .ok = 1,
     .want = {{"n", "uptime", "age", V(42)},
              EV27("n", 0),
              {"n", "nfs_bytes", "", V(42, 0, 0, 0, 0, 0, 0, 0)},
              {"n", "nfs_xprt", "tcp", V(1, 7, 7, 0, 7, 0)},
              {"n", "nfs_xprt_conn", "tcp", V(1, 0, 0)},
              {"n", "nfs_xprt_slots", "tcp", V(1, 0, 1)},
              {"n", "count", "transports", V(1)},
              OP9("n", "READ", 7, 7, 0, 700, 400, 1, 2, 3, 0),
              OP9("n", "WRITE", -1, 1, 0, 0, 0, 0, 0, 0, 0)}},
    {.name = "digits-25.mountstats",
     .nmounts = 2,
     .diags_total = 6,
     .diag = {{OV, 2, 0, "/o"},
              {OV, 3, 0, "/o"},
              {OV, 4, 0, "/o"},
              {OV, 6, 0, "/o"},
              {OV, 8, 0, "/o"},
              {OV, 9, 0, "/o"}},
     .warnings = 6,
     .ok = 1,
     .want = {OP9("o", "COMMIT", 1, 1, 0, 100, 100, 1, 1, 1, 0)},
     .absent = {{"o", "uptime", NULL},
                {"o", "nfs_events*", NULL},
                {"o", "nfs_bytes", NULL},
                {"o", "nfs_xprt", NULL},
                {"o", "nfs_op", "READ"},
                {"o", "nfs_op", "WRITE"}}},
    {.name = "overflow-2pow64.mountstats",
     .nmounts = 2,
     .diags_total = 3,
     .diag = {{OV, 2, 0, "/p"}, {OV, 5, 0, "/p"}, {OV, 6, 0, "/p"}},
     .warnings = 3,
     .ok = 1,
     .want = {OP9("p", "READ", 1, 1, 0, 100, 100, -1, 1, 1, 0)},
     .absent = {{"p", "uptime", NULL},
                {"p", "nfs_op", "WRITE"},
                {"p", "nfs_op", "COMMIT"}}},
    /* Was a bug: a 25-digit (>= 2^64) token after the 9th field was counted
     * but not checked, so the op was dispatched and nothing logged; no
     * kernel can print such a value on any field. */
    {.name = "op-extra-overflow.mountstats",
     .nmounts = 2,
     .diags_total = 1,
     .diag = {{OV, 4, 0, "/q"}},
     .warnings = 1,
     .ok = 1,
     .want = {{"q", "uptime", "age", V(111)},
              OP9("q", "WRITE", 6, 6, 0, 600, 600, 4, 5, 6, 0)},
     .absent = {{"q", "nfs_op", "READ"}}},
    {.name = "op-0-fields.mountstats",
     .nmounts = 2,
     .diags_total = 3,
     .diag = {{TF, 4, 0, "/r"}, {TF, 5, 0, "/r"}, {ON, 7, 0, "/r"}},
     .warnings = 3,
     .ok = 1,
     .want = {{"r", "uptime", "age", V(121)},
              OP9("r", "COMMIT", 1, 1, 0, 100, 100, 1, 1, 1, 0)},
     .absent = {{"r", "nfs_op", "READ"},
                {"r", "nfs_op", "WRITE"},
                {"r", "nfs_op", "ACCESS"}}},
    {.name = "op-7-fields.mountstats",
     .nmounts = 2,
     .diags_total = 2,
     .diag = {{TF, 5, 0, "/s"}, {TF, 8, 0, "/s"}},
     .warnings = 2,
     .ok = 1,
     .want = {{"s", "uptime", "age", V(131)},
              {"s", "nfs_op", "LOOKUP", V(3, 3, 0, 300, 200, 1, 2, 3)},
              OP9("s", "ACCESS", 4, 4, 0, 400, 300, 1, 2, 3, 5)},
     .absent = {{"s", "nfs_op", "GETATTR"},
                {"s", "nfs_op", "READ"},
                {"s", "nfs_op_errors", "LOOKUP"}}},
    {.name = "op-100-fields.mountstats",
     .nmounts = 2,
     .ok = 1,
     .want = {{"t", "uptime", "age", V(141)},
              OP9("t", "READ", 1, 2, 3, 4, 5, 6, 7, 8, 9)}},
    /* /w prints 25 events (kernels before 2.6.39), /w26 26: the groups up to
     * nfs_events_io (events 19-25) and no nfs_events_pnfs, which needs 27.
     * (Before the five groups, /w got pnfs_read and pnfs_write 0.) */
    {.name = "events-0.mountstats",
     .nmounts = 5,
     .diags_total = 2,
     .diag = {{TF, 3, 0, "/u"}, {TF, 8, 1, "/v"}},
     .warnings = 2,
     .ok = 1,
     .want = {{"u", "uptime", "age", V(151)},
              {"u", "nfs_bytes", "", V(1, 2, 3, 4, 5, 6, 7, 8)},
              {"v", "uptime", "age", V(152)},
              {"w", "uptime", "age", V(153)},
              EV25("w", 0),
              {"w26", "uptime", "age", V(154)},
              EV25("w26", 0)},
     .absent = {{"u", "nfs_events*", NULL},
                {"v", "nfs_events*", NULL},
                {"w", "nfs_events_pnfs", NULL},
                {"w26", "nfs_events_pnfs", NULL}}},
    {.name = "events-1000.mountstats",
     .nmounts = 2,
     .ok = 1,
     .want = {{"x", "uptime", "age", V(161)},
              EV27("x", 0),
              {"x", "nfs_bytes", "", V(1, 2, 3, 4, 5, 6, 7, 8)}}},
    {.name = "dup-op.mountstats",
     .nmounts = 3,
     .diags_total = 4,
     .diag = {{TF, 6, 0, "/y"},
              {DU, 7, 0, "/y"},
              {DU, 9, 0, "/y"},
              {DU, 10, 0, "/y"}},
     .warnings = 4,
     .ok = 1,
     .want = {{"y", "uptime", "age", V(171)},
              OP9("y", "NULL", 1, 1, 0, 44, 24, 0, 0, 1, 0),
              OP9("y", "GETATTR", 4, 4, 0, 544, 448, 0, 1, 2, 0),
              OP9("y", "ACCESS", 2, 2, 0, 200, 100, 1, 1, 1, 0),
              {"z", "uptime", "age", V(172)},
              OP9("z", "GETATTR", 8, 8, 0, 800, 800, 8, 8, 8, 0)}},
    /* Was a bug: the NOTICE named the record's header line (1), not the
     * xprt: line (5, 7). */
    {.name = "xprt-unknown.mountstats",
     .nmounts = 2,
     .notice = {{"quic", 5, "/xu"}, {"vsock", 7, "/xu"}},
     .ok = 1,
     .want = {{"xu", "uptime", "age", V(181)},
              {"xu", "nfs_xprt", "tcp", V(1, 9, 9, 0, 9, 0)},
              {"xu", "nfs_xprt_conn", "tcp", V(1, 0, 0)},
              {"xu", "nfs_xprt_slots", "tcp", V(1, 0, 1)},
              {"xu", "count", "transports", V(1)},
              OP9("xu", "READ", 1, 1, 0, 100, 100, 1, 1, 1, 0)},
     .absent = {{"xu", NULL, "quic"}, {"xu", NULL, "vsock"}}},
    /* Every line has the label "\txprt": lines 5-6 are one problem
     * (NO_TRANSPORT), lines 7-10 another (TOO_FEW); each is logged once, for
     * its first line. */
    {.name = "xprt-no-fields.mountstats",
     .nmounts = 2,
     .diags_total = 6,
     .diag = {{NT, 5, 0, "/xn"},
              {NT, 6, 0, "/xn", RPT},
              {TF, 7, 0, "/xn"},
              {TF, 8, 0, "/xn", RPT},
              {TF, 9, 0, "/xn", RPT},
              {TF, 10, 0, "/xn", RPT}},
     .warnings = 2,
     .ok = 1,
     .want = {{"xn", "uptime", "age", V(191)},
              {"xn", "nfs_xprt", "tcp", V(1, 9, 9, 0, 9, 0)},
              {"xn", "nfs_xprt_conn", "tcp", V(1, 0, 0)},
              {"xn", "nfs_xprt_slots", "tcp", V(1, 0, 1)},
              {"xn", "count", "transports", V(1)},
              OP9("xn", "READ", 1, 1, 0, 100, 100, 1, 1, 1, 0)},
     .absent = {{"xn", NULL, "udp"},
                {"xn", NULL, "rdma"},
                {"xn", NULL, "local"}}},
    {.name = "bad-opname.mountstats",
     .nmounts = 2,
     .diags_total = 6,
     .diag = {{ON, 4, 0, "/on"},
              {ON, 5, 0, "/on"},
              {ON, 6, 0, "/on"},
              {ON, 7, 0, "/on"},
              {ON, 9, 0, "/on"},
              {ON, 10, 0, "/on"}},
     .warnings = 6,
     .ok = 1,
     .want = {{"on", "uptime", "age", V(201)},
              OP9("on", B63, 2, 2, 0, 0, 0, 0, 0, 0, 0),
              OP9("on", "42", 3, 3, 0, 0, 0, 0, 0, 0, 0),
              OP9("on", "READ_PLUS", 4, 4, 0, 0, 0, 0, 0, 0, 0)},
     .absent = {{"on", "nfs_op", "BAD-NAME"}, {"on", "nfs_op", "GETATTR"}}},
    {.name = "too-few-fields.mountstats",
     .nmounts = 2,
     .diags_total = 4,
     .diag = {{TF, 2, 0, "/tf"},
              {TF, 4, 0, "/tf"},
              {TF, 5, 0, "/tf"},
              {TF, 7, 0, "/tf"}},
     .warnings = 4,
     .ok = 1,
     .want = {EV27("tf", 0), OP9("tf", "READ", 1, 1, 0, 100, 100, 1, 1, 1, 0)},
     .absent = {{"tf", "uptime", NULL},
                {"tf", "nfs_bytes", NULL},
                {"tf", "nfs_fscache", NULL},
                {"tf", "nfs_xprt", NULL},
                {"tf", "count", NULL}}},
    {.name = "unknown-lines.mountstats",
     .nmounts = 2,
     .ok = 1,
     .want = {{"ul", "uptime", "age", V(211)},
              EV27("ul", 0),
              {"ul", "nfs_bytes", "", V(1, 2, 3, 4, 5, 6, 7, 8)},
              OP9("ul", "READ", 1, 1, 0, 100, 100, 1, 1, 1, 0)}},
    /* 16 lines, one problem (/nc, TOO_FEW, "\txprt"): one WARNING naming
     * line 5, no summary (nothing was left out for lack of room), and
     * nothing in later reads. */
    {.name = "xprt-nconnect-all-bad.mountstats",
     .nmounts = 2,
     .diags_total = 16,
     .diag = {{TF, 5, 0, "/nc"},
              {TF, 6, 0, "/nc", RPT},
              {TF, 7, 0, "/nc", RPT},
              {TF, 8, 0, "/nc", RPT},
              {TF, 9, 0, "/nc", RPT},
              {TF, 10, 0, "/nc", RPT},
              {TF, 11, 0, "/nc", RPT},
              {TF, 12, 0, "/nc", RPT},
              {TF, 13, 0, "/nc", RPT},
              {TF, 14, 0, "/nc", RPT},
              {TF, 15, 0, "/nc", RPT},
              {TF, 16, 0, "/nc", RPT}},
     .warnings = 1,
     .ok = 1,
     .want = {{"nc", "uptime", "age", V(221)},
              OP9("nc", "READ", 1, 1, 0, 100, 100, 1, 1, 1, 0)},
     .absent = {{"nc", "nfs_xprt", NULL}, {"nc", "count", NULL}}},
    /* ---- generated ---- */
    {.name = "hundred-bad-lines.mountstats",
     .gen = gen_hundred_bad,
     .nmounts = 2,
     .diags_total = 100,
     .diag = {{TF, 4, 0, "/hb"},
              {TF, 5, 0, "/hb"},
              {TF, 6, 0, "/hb"},
              {TF, 7, 0, "/hb"},
              {TF, 8, 0, "/hb"},
              {TF, 9, 0, "/hb"},
              {TF, 10, 0, "/hb"},
              {TF, 11, 0, "/hb"},
              {TF, 12, 0, "/hb"},
              {TF, 13, 0, "/hb"},
              {TF, 14, 0, "/hb"},
              {TF, 15, 0, "/hb"}},
     .warnings = 11,
     .many = 1,
     .log_has = {"90 more malformed lines not logged"},
     .ok = 1,
     .want = {{"hb", "uptime", "age", V(231)},
              OP9("hb", "READ", 1, 1, 0, 100, 100, 1, 1, 1, 0)}},
    {.name = "long-lines-1mib.mountstats",
     .gen = gen_long_lines,
     .nmounts = 2,
     .diags_total = 1,
     .diag = {{OV, 9, 0, "/ln"}},
     .warnings = 1,
     .log_has = {"...\""},
     .ok = 1,
     .want = {{"ln", "uptime", "age", V(241)},
              {"ln", "nfs_xprt", "tcp", V(1, 3, 3, 0, 3, 0)},
              {"ln", "nfs_xprt_conn", "tcp", V(1, 0, 0)},
              {"ln", "nfs_xprt_slots", "tcp", V(1, 0, 1)},
              {"ln", "count", "transports", V(1)},
              OP9("ln", "WRITE", 2, 2, 0, 200, 200, 2, 2, 2, 0)},
     .absent = {{"ln", "nfs_op", "READ"}}},
    {.name = "long-mountpoint-1mib.mountstats",
     .gen = gen_long_mountpoint,
     .nmounts = 2,
     .diags_total = 1,
     .diag = {{TF, 3, 0, NULL}},
     .warnings = 1,
     .log_has = {"\"/" M10 M10},
     .ok = 1,
     /* MaxNameLength 64 (the default): 55 "m", "~" and 8 hex digits. */
     .want = {{M10 M10 M10 M10 M10 "mmmmm~????????", "uptime", "age", V(251)}}},
    {.name = "non-nfs-100k.mountstats",
     .gen = gen_non_nfs,
     .nmounts = 2,
     .ok = 1,
     .want = {{"mid", "uptime", "age", V(261)},
              OP9("mid", "READ", 1, 1, 0, 100, 100, 1, 1, 1, 0)}},
    /* Was a bug: a duplicate after the 256th op of a record was not found,
     * and the op was dispatched twice with different values. Duplicates are
     * found up to MS_MAX_OPS ops per record. */
    {.name = "dup-op-beyond-table.mountstats",
     .gen = gen_dup_beyond_table,
     .nmounts = 2,
     .diags_total = 1,
     .diag = {{DU, 4 + DUP_OPS, 0, "/dp"}},
     .warnings = 1,
     .ok = 1,
     .custom_pi = "dp",
     .custom = custom_dup_beyond_table},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void custom_dup_beyond_table(void) {
  size_t seen[DUP_OPS] = {0}, errs[DUP_OPS] = {0}, age = 0;
  for (size_t i = 0; i < stub_dispatched_n; i++) {
    const stub_vl_t *vl = &stub_dispatched[i];
    if (strcmp(vl->plugin_instance, "dp") != 0)
      continue;
    unsigned k = 0;
    if (strcmp(vl->type, "uptime") == 0) {
      age++;
      if (vl->values[0].gauge != 271)
        note_fail("dp: age %g", vl->values[0].gauge);
    } else if (sscanf(vl->type_instance, "OP%u", &k) == 1 && k < DUP_OPS) {
      if (strcmp(vl->type, "nfs_op") == 0) {
        seen[k]++;
        if (vl->values[0].derive != (derive_t)k + 1)
          note_fail("dp: OP%03u dispatched with ops %lld, want %u (the first)",
                    k, (long long)vl->values[0].derive, k + 1);
      } else {
        errs[k]++;
      }
    } else {
      note_fail("dp: unexpected %s-%s", vl->type, vl->type_instance);
    }
  }
  if (age != 1)
    note_fail("dp: age dispatched %zu times", age);
  for (unsigned k = 0; k < DUP_OPS; k++)
    if (seen[k] != 1 || errs[k] != 1)
      note_fail("dp: OP%03u dispatched %zu times (errors %zu), want once", k,
                seen[k], errs[k]);
}

static size_t collect_wants(const bad_case_t *c, const want_t **out) {
  size_t n = 0;
  if (c->ok)
    for (size_t i = 0; i < ok_want_n; i++)
      out[n++] = &ok_want[i];
  for (size_t i = 0; i < sizeof(c->want) / sizeof(c->want[0]); i++)
    if (c->want[i].pi != NULL)
      out[n++] = &c->want[i];
  return n;
}

static size_t count_absent(const bad_case_t *c) {
  size_t n = 0;
  while (n < sizeof(c->absent) / sizeof(c->absent[0]) && c->absent[n].pi)
    n++;
  return n;
}

static void check_parse(const bad_case_t *c, const char *buf, size_t len) {
  ms_snapshot_t s = {0};
  ck_assert_int_eq(ms_parse(&s, buf, len), 0);
  if (s.nmounts != c->nmounts)
    note_fail("parser: %zu NFS records, want %zu", s.nmounts, c->nmounts);
  if (s.diags_total != c->diags_total)
    note_fail("parser: %zu diagnostics, want %zu", s.diags_total,
              c->diags_total);
  size_t kept = c->diags_total < MS_MAX_DIAGS ? c->diags_total : MS_MAX_DIAGS;
  if (s.ndiags != kept)
    note_fail("parser: %zu diagnostics kept, want %zu", s.ndiags, kept);
  size_t listed = 0;
  while (listed < MAX_LISTED_DIAGS && c->diag[listed].reason != 0)
    listed++;
  ck_assert_msg(listed == (kept < MAX_LISTED_DIAGS ? kept : MAX_LISTED_DIAGS),
                "%s: the table lists %zu diagnostics", c->name, listed);
  for (size_t i = 0; i < listed && i < s.ndiags; i++) {
    const ms_diag_t *d = &s.diags[i];
    const diag_want_t *w = &c->diag[i];
    if (d->reason != w->reason || d->line != w->line || d->mount != w->mount)
      note_fail(
          "parser: diagnostic %zu is (%s, line %zu, record %zd), want (%s, "
          "line %zu, record %zd)",
          i, reason_text(d->reason), d->line, (ssize_t)d->mount,
          reason_text(w->reason), w->line, (ssize_t)w->mount);
  }
  ms_snapshot_free(&s);
}

static void check_first_read_logs(const bad_case_t *c, const char *path) {
  if (count_sev(LOG_ERR, 0) != 0)
    note_fail("log: %zu ERROR lines", count_sev(LOG_ERR, 0));
  size_t warnings = count_sev(LOG_WARNING, 0);
  if (warnings != c->warnings)
    note_fail("log: %zu WARNING lines in the first read, want %zu", warnings,
              c->warnings);
  size_t distinct = 0;
  for (size_t i = 0; i < MAX_LISTED_DIAGS && c->diag[i].reason != 0; i++) {
    const diag_want_t *d = &c->diag[i];
    if (d->repeat) {
      if (warnings_naming(path, d->line, 0) != 0)
        note_fail("log: a WARNING names line %zu, which repeats an earlier "
                  "line's problem",
                  d->line);
      continue;
    }
    if (distinct++ >= 10)
      continue; /* at most 10 problems are logged per interval */
    if (find_diag_log(path, d, 0) != 1)
      note_fail(
          "log: no single WARNING with the path, \"line %zu\", %s%s%s and "
          "\"%s\"",
          d->line, d->logmount ? "mount \"" : "",
          d->logmount ? d->logmount : "", d->logmount ? "\"" : "",
          reason_text(d->reason));
  }
  for (size_t i = 0; i < 3 && c->log_has[i]; i++) {
    int found = 0;
    for (size_t k = 0; k < stub_logs_n && !found; k++)
      found = stub_logs[k].severity == LOG_WARNING &&
              strstr(stub_logs[k].text, c->log_has[i]) != NULL;
    if (!found)
      note_fail("log: no WARNING contains \"%s\"", show(c->log_has[i]));
  }
  size_t notices = 0;
  for (size_t i = 0; i < 3 && c->notice[i].word; i++) {
    notices++;
    const notice_want_t *n = &c->notice[i];
    char word[80], mount[80];
    snprintf(word, sizeof(word), "\"%s\"", n->word);
    snprintf(mount, sizeof(mount), "\"%s\"", n->mount);
    size_t found = 0, named = 0;
    for (size_t k = 0; k < stub_logs_n; k++) {
      const char *t = stub_logs[k].text;
      if (stub_logs[k].severity != LOG_NOTICE || !strstr(t, word))
        continue;
      named++;
      found += strstr(t, path) && strstr(t, mount) && has_line(t, n->line);
    }
    if (named != 1 || found != 1)
      note_fail(
          "log: want one NOTICE naming the path, transport %s, \"line %zu\" "
          "and mount %s; %zu NOTICE(s) name the transport, %zu match",
          word, n->line, mount, named, found);
  }
  if (count_sev(LOG_NOTICE, 0) != notices)
    note_fail("log: %zu NOTICE lines, want %zu", count_sev(LOG_NOTICE, 0),
              notices);
  check_log_hygiene("first read");
}

START_TEST(test_case) {
  const bad_case_t *c = &cases[_i];
  const char *path = case_path(c);
  size_t len = 0;
  char *buf = slurp(path, &len);
  check_parse(c, buf, len);
  free(buf);

  const want_t *want[128];
  size_t nwant = collect_wants(c, want);
  size_t nabsent = count_absent(c);

  plugin_start(path);
  ck_assert_int_eq(mountstats_read(), 0);
  check_dispatch(want, nwant, c->absent, nabsent, c->custom_pi, 0,
                 stub_dispatched_n, "read 1");
  if (c->custom)
    c->custom();
  check_first_read_logs(c, path);

  /* Four more intervals: the same values, no problem logged twice, never
   * more than 10 problems + 1 summary per interval. */
  size_t warnings_1 = count_sev(LOG_WARNING, 0);
  size_t notices_1 = count_sev(LOG_NOTICE, 0);
  for (int r = 2; r <= 5; r++) {
    size_t logs_from = stub_logs_n, vl_from = stub_dispatched_n;
    stub_now += TIME_T_TO_CDTIME_T(10);
    ck_assert_int_eq(mountstats_read(), 0);
    size_t lines = 0, summaries = 0;
    for (size_t k = logs_from; k < stub_logs_n; k++)
      if (stub_logs[k].severity == LOG_WARNING) {
        if (is_summary(stub_logs[k].text))
          summaries++;
        else
          lines++;
      }
    if (lines > 10 || summaries > 1)
      note_fail("read %d: %zu WARNING lines + %zu summaries", r, lines,
                summaries);
    if (r == 5)
      check_dispatch(want, nwant, c->absent, nabsent, c->custom_pi, vl_from,
                     stub_dispatched_n, "read 5");
  }
  /* Over the five reads no line is named twice. */
  size_t named_twice = 0, twice_line = 0;
  for (size_t i = 0; i < stub_logs_n; i++) {
    size_t line_i = logged_line(stub_logs[i].text, path);
    if (stub_logs[i].severity != LOG_WARNING || line_i == 0)
      continue;
    for (size_t j = i + 1; j < stub_logs_n; j++)
      if (stub_logs[j].severity == LOG_WARNING &&
          logged_line(stub_logs[j].text, path) == line_i) {
        named_twice++;
        twice_line = line_i;
        break;
      }
  }
  if (named_twice)
    note_fail("log: %zu lines named twice in 5 reads (e.g. line %zu)",
              named_twice, twice_line);
  /* A line repeating an earlier line's problem is never named. */
  for (size_t i = 0; i < MAX_LISTED_DIAGS && c->diag[i].reason != 0; i++)
    if (c->diag[i].repeat && warnings_naming(path, c->diag[i].line, 0) != 0)
      note_fail("log: line %zu (a repeated problem) named in reads 1-5",
                c->diag[i].line);
  if (!c->many && count_sev(LOG_WARNING, 0) != warnings_1)
    note_fail("log: %zu WARNING lines after 5 reads, %zu after the first",
              count_sev(LOG_WARNING, 0), warnings_1);
  if (count_sev(LOG_NOTICE, 0) != notices_1)
    note_fail("log: %zu NOTICE lines after 5 reads, %zu after the first",
              count_sev(LOG_NOTICE, 0), notices_1);
  if (count_sev(LOG_ERR, 0) != 0)
    note_fail("log: ERROR lines in later reads");
  check_log_hygiene("reads 2-5");
  ASSERT_NO_FAILS(c->name);
}
END_TEST

/* The table covers every fixture, and the README describes every case. */
START_TEST(test_inventory) {
  ck_assert_uint_ge(NCASES, 30);
  DIR *d = opendir(BAD_DIR);
  ck_assert_ptr_nonnull(d);
  size_t files = 0;
  for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
    size_t n = strlen(e->d_name);
    if (n < 12 || strcmp(e->d_name + n - 11, ".mountstats") != 0)
      continue;
    files++;
    int listed = 0;
    for (size_t i = 0; i < NCASES && !listed; i++)
      listed = cases[i].gen == NULL && strcmp(cases[i].name, e->d_name) == 0;
    if (!listed)
      note_fail("%s is not in the table", e->d_name);
  }
  closedir(d);
  for (size_t i = 0; i < NCASES; i++)
    for (size_t j = i + 1; j < NCASES; j++)
      if (strcmp(cases[i].name, cases[j].name) == 0)
        note_fail("%s is in the table twice", cases[i].name);
  size_t len = 0;
  char *readme = slurp(BAD_DIR "/README.md", &len);
  readme = realloc(readme, len + 1);
  readme[len] = '\0';
  for (size_t i = 0; i < NCASES; i++) {
    char needle[128];
    snprintf(needle, sizeof(needle), "`%s`", cases[i].name);
    if (strstr(readme, needle) == NULL)
      note_fail("README.md does not describe %s", cases[i].name);
  }
  if (strstr(readme, "`cut.mountstats`") == NULL)
    note_fail("README.md does not describe the cut files");
  free(readme);
  ASSERT_NO_FAILS("inventory");
  ck_assert_uint_ge(files, 30);
}
END_TEST

int main(void) {
  TCase *tc = badinput_tcase("cases");
  tcase_add_test(tc, test_inventory);
  tcase_add_loop_test(tc, test_case, 0, (int)NCASES);
  return badinput_run("plugin_badinput", tc);
}
