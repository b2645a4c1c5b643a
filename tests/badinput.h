/* SPDX-License-Identifier: MIT
 *
 * badinput.h: what the bad-input tests share. They run malformed
 * mountstats text through the parser and through the plugin's read path
 * with the daemon stub, and check it against tables that say what it must
 * produce:
 *   - parser: number of NFS records, and each diagnostic (reason, line,
 *     record);
 *   - plugin: every value list that must be dispatched, with its values, and
 *     nothing else (the list is complete); identifiers that must not be
 *     dispatched are listed too, to document the intent;
 *   - log: a problem is (mount point, reason, line label: the text up to the
 *     line's first ':', at most 64 bytes); each distinct problem gets one
 *     WARNING, naming the file, "line N" of its first line (lines repeating
 *     an earlier line's problem get none), the mount point (decoded, bytes
 *     outside printable ASCII and the backslash as \ooo) and the reason; no
 *     ERROR; no byte outside printable ASCII in any log line; after five
 *     reads no problem has been logged twice, and no interval logs more than
 *     10 problems plus one summary line; problems left out for lack of room
 *     are named in later intervals.
 * One program per unit: check_plugin_badinput.c (every file of
 * fixtures/bad/ and a few large generated ones, through the read path),
 * check_parser_badinput.c (every truncation of a complete record),
 * check_collector_badinput.c (the log rate limit over several intervals),
 * check_superblock_badinput.c (bind mounts with a malformed line).
 *
 * Comments marked "Was a bug" name expectations the code once failed; they
 * are kept as regression tests.
 */
#ifndef MOUNTSTATS_TESTS_BADINPUT_H
#define MOUNTSTATS_TESTS_BADINPUT_H

#include "collector.h"
#include "mountstats.h"
#include "mountstats_plugin.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "collectd_stub.h"

#include <check.h>
#include <stdio.h>

/* ---- expectations --------------------------------------------------------
 */

/* A value list that must be dispatched once per read, with exactly these
 * values. ti "" means no type_instance; a pi ending in '*' matches by
 * prefix; a '?' in a pi matches one lowercase hex digit. */
typedef struct {
  const char *pi, *type, *ti;
  size_t n;
  const double *v;
} want_t;

/* An identifier that must not be dispatched (ti NULL, type NULL: any; a
 * type ending in '*' matches by prefix, e.g. "nfs_events*"). */
typedef struct {
  const char *pi, *type, *ti;
} absent_t;

/* A parser diagnostic, and the mount point its WARNING must name (quoted,
 * as logged: escaped; NULL: not checked, see log_has). repeat: the line has
 * the same (mount, reason, label) as an earlier line of the file, so it is
 * the same problem and no WARNING names it, in any read. */
typedef struct {
  enum ms_diag_reason reason;
  size_t line;
  size_t mount;
  const char *logmount;
  int repeat;
} diag_want_t;

/* A NOTICE that must be logged once: it names the file, the transport word,
 * the line and the mount point. */
typedef struct {
  const char *word;
  size_t line;
  const char *mount;
} notice_want_t;

#define MAX_LISTED_DIAGS 12

typedef struct {
  const char *name;     /* file in BAD_DIR, or generated into tmpdir */
  void (*gen)(FILE *f); /* generator, NULL for a fixture */
  size_t nmounts;
  size_t diags_total;
  /* The first min(ndiags, MAX_LISTED_DIAGS) diagnostics, in order. */
  diag_want_t diag[MAX_LISTED_DIAGS];
  size_t warnings; /* WARNING lines of the first read (summary included) */
  int many;        /* more than 10 problems: later reads may log more */
  notice_want_t notice[3];
  const char *log_has[3]; /* substrings of some WARNING line */
  int ok;                 /* has the control record /ok */
  const char *custom_pi;  /* value lists of this pi are checked by custom() */
  void (*custom)(void);
  want_t want[28]; /* besides /ok's */
  absent_t absent[10];
} bad_case_t;

#define V(...)                                                                 \
  sizeof((const double[]){__VA_ARGS__}) / sizeof(double), (const double[]) {   \
    __VA_ARGS__                                                                \
  }
/* The value lists of an events: line whose i-th number (1-based) is b + i,
 * in the five types of mountstats.types.db: nfs_events_cache = events 1-4
 * (inode_revalidate .. attr_invalidate), nfs_events_vfs = 5-12 (vfs_open ..
 * vfs_write_pages), nfs_events_file = 13-18 (vfs_getdents .. vfs_release),
 * nfs_events_io = 19-25 (congestion_wait .. delay), nfs_events_pnfs = 26-27
 * (pnfs_read, pnfs_write); no type_instance. A group is dispatched only when
 * the line has all of its events: EV25 for a line of 25 or 26 events (no
 * pNFS group, no made-up zeros), EV27 for 27 or more. */
#define EV25(pi, b)                                                            \
  {pi, "nfs_events_cache", "", V((b) + 1, (b) + 2, (b) + 3, (b) + 4)},         \
      {pi, "nfs_events_vfs", "",                                               \
       V((b) + 5, (b) + 6, (b) + 7, (b) + 8, (b) + 9, (b) + 10, (b) + 11,      \
         (b) + 12)},                                                           \
      {pi, "nfs_events_file", "",                                              \
       V((b) + 13, (b) + 14, (b) + 15, (b) + 16, (b) + 17, (b) + 18)},         \
  {                                                                            \
    pi, "nfs_events_io", "",                                                   \
        V((b) + 19, (b) + 20, (b) + 21, (b) + 22, (b) + 23, (b) + 24,          \
          (b) + 25)                                                            \
  }
#define EV27(pi, b)                                                            \
  EV25(pi, b), { pi, "nfs_events_pnfs", "", V((b) + 26, (b) + 27) }
#define OP9(pi, name, a, b, c, d, e, f, g, h, err)                             \
  {pi, "nfs_op", name, V(a, b, c, d, e, f, g, h)}, {                           \
    pi, "nfs_op_errors", name, V(err)                                          \
  }

/* The control record every file (but the empty ones) carries, byte for byte
 * as in the fixtures. */
#define OK_RECORD                                                              \
  "device srvok:/export/ok mounted on /ok with fstype nfs statvers=1.1\n"      \
  "\topts:\trw,vers=3,proto=tcp,local_lock=none\n"                             \
  "\tage:\t4242\n"                                                             \
  "\tevents:\t1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 " \
  "25 26 27 \n"                                                                \
  "\tbytes:\t1001 1002 1003 1004 1005 1006 1007 1008 \n"                       \
  "\tRPC iostats version: 1.1  p/v: 100003/3 (nfs)\n"                          \
  "\txprt:\ttcp 801 1 2 3 4 5 6 7 8 9 10 11 12\n"                              \
  "\tper-op statistics\n"                                                      \
  "\t        NULL: 1 1 0 44 24 0 0 1 0\n"                                      \
  "\t     GETATTR: 7 8 0 700 600 11 22 33 4\n"                                 \
  "\t      LOOKUP: 0 0 0 0 0 0 0 0 0\n"                                        \
  "\n"

#define OK_LINES 12

/* The value lists of OK_RECORD. */
extern const want_t ok_want[];
extern const size_t ok_want_n;

/* ---- generated files ------------------------------------------------------
 */

#define MIB (1u << 20)

/* Writes s times times. */
void put_n(FILE *f, const char *s, size_t times);

/* 100 distinct malformed op lines (lines 4..103), then a good one. */
void gen_hundred_bad(FILE *f);

/* ---- soft assertions ------------------------------------------------------
 */

/* Failed expectations so far; a test collects them and asserts once, so one
 * run shows every failure of a case. */
extern char fails[8192];
extern size_t fails_len, nfails;

void note_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fails_reset(void);

#define ASSERT_NO_FAILS(what)                                                  \
  do {                                                                         \
    if (nfails)                                                                \
      fprintf(stderr, "%s: %zu failed expectation(s):\n%s", what, nfails,      \
              fails);                                                          \
    ck_assert_msg(nfails == 0, "%s: %zu failed expectation(s):\n%.1500s%s",    \
                  what, nfails, fails, fails_len > 1500 ? "..." : "");         \
  } while (0)

/* ---- helpers --------------------------------------------------------------
 */

/* The temporary directory of generated files (made by badinput_run). */
extern char tmpdir[];

/* The path of case c: its fixture in BAD_DIR, or the file its generator
 * writes into tmpdir (the returned buffer is reused by the next call). */
const char *case_path(const bad_case_t *c);

/* The whole file at path, malloc'ed; *len receives its length. */
char *slurp(const char *path, size_t *len);
void write_file(const char *path, const char *buf, size_t len);

/* The phrase of the log line for reason r (what the WARNING must contain). */
const char *reason_text(enum ms_diag_reason r);

/* Uses the plugin as collectd would: File is the only option. */
void plugin_start(const char *path);

/* Printable copy of s for failure messages. */
const char *show(const char *s);

/* Checks the value lists dispatched at [from, to): each of want[0..nwant)
 * exactly once with its values, nothing else (but for custom_pi), nothing of
 * absent. */
void check_dispatch(const want_t *const *want, size_t nwant,
                    const absent_t *absent, size_t nabsent,
                    const char *custom_pi, size_t from, size_t to,
                    const char *when);

/* "line N" followed by a non-digit. */
int has_line(const char *text, size_t n);
/* The N of "<path> line N" in a log line, 0 if none. */
size_t logged_line(const char *text, const char *path);
/* The WARNING that counts the malformed lines not logged. */
int is_summary(const char *text);
/* Log lines of severity sev in logs [from, stub_logs_n). */
size_t count_sev(int sev, size_t from);
/* The WARNING of one diagnostic in logs [from, stub_logs_n). */
size_t find_diag_log(const char *path, const diag_want_t *d, size_t from);
/* WARNING lines in logs [from, stub_logs_n) that name "<path> line N". */
size_t warnings_naming(const char *path, size_t line, size_t from);
/* No raw byte outside printable ASCII, no line cut by the daemon's buffer. */
void check_log_hygiene(const char *when);

/* A test case whose checked fixture gives every test a clean stub, the
 * plugin shut down, the clock at 1000 s and no failed expectation, with a
 * timeout for the long loops. */
TCase *badinput_tcase(const char *name);

/* Makes tmpdir, runs tc in a suite of that name, removes tmpdir. Returns
 * main's exit status. */
int badinput_run(const char *suite_name, TCase *tc);

#endif
