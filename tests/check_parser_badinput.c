/* SPDX-License-Identifier: MIT
 *
 * check_parser_badinput.c: every truncation of a complete record (every
 * byte offset, so every line end and the middle of every number), through
 * the parser and through the plugin's read path (badinput.h says what is
 * checked): only complete lines count, the incomplete last line is one
 * diagnostic of its record and one WARNING naming it.
 */
#include "badinput.h"

#include <stdlib.h>
#include <string.h>

/* ---- cuts: every truncation of a complete record --------------------------
 */

/* A complete NFS record; every number has at least two digits, so every
 * number can be cut in its middle. */
typedef struct {
  const char *text;
  want_t want[5];
} cut_line_t;

static const cut_line_t cut_lines[] = {
    {.text = "device srvcut:/export/cut mounted on /cut with fstype nfs4 "
             "statvers=1.1\n"},
    {.text =
         "\topts:\trw,vers=4.2,rsize=1048576,proto=tcp,fsc,local_lock=none\n"},
    {.text = "\tage:\t987654\n", .want = {{"cut", "uptime", "age", V(987654)}}},
    {.text = "\timpl_id:\tname='',domain='',date='0,0'\n"},
    {.text =
         "\tcaps:\tcaps=0x3ffdf,wtmult=512,dtsize=32768,bsize=0,namlen=255\n"},
    {.text = "\tnfsv4:\tbm0=0xfdffbfff,bm1=0x40f9be3e,bm2=0x28803,acl=0x3,"
             "sessions\n"},
    {.text = "\tsec:\tflavor=1,pseudoflavor=1\n"},
    {.text = "\tevents:\t101 102 103 104 105 106 107 108 109 110 111 112 113 "
             "114 115 "
             "116 117 118 119 120 121 122 123 124 125 126 127 \n",
     .want = {EV27("cut", 100)}},
    {.text = "\tbytes:\t123456789 234567890 345678901 456789012 567890123 "
             "678901234 "
             "78901 89012 \n",
     .want = {{"cut", "nfs_bytes", "",
               V(123456789, 234567890, 345678901, 456789012, 567890123,
                 678901234, 78901, 89012)}}},
    {.text = "\tfsc:\t5101 5202 5303 5404 5505 \n",
     .want = {{"cut", "nfs_fscache", "", V(5101, 5202, 5303, 5404, 5505)}}},
    {.text = "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"},
    {.text = "\txprt:\ttcp 40001 12 34 56 78 901 902 13 1415 16 17 1819 2021\n",
     .want = {{"cut", "nfs_xprt", "tcp", V(12, 901, 902, 13, 1415, 16)},
              {"cut", "nfs_xprt_conn", "tcp", V(34, 56, 78)},
              {"cut", "nfs_xprt_slots", "tcp", V(17, 1819, 2021)},
              {"cut", "count", "transports", V(1)}}},
    {.text = "\tper-op statistics\n"},
    {.text = "\t        READ: 11 12 13 1400 1500 16 17 18 19\n",
     .want = {OP9("cut", "READ", 11, 12, 13, 1400, 1500, 16, 17, 18, 19)}},
    {.text = "\t       WRITE: 21 22 23 2400 2500 26 27 28 29\n",
     .want = {OP9("cut", "WRITE", 21, 22, 23, 2400, 2500, 26, 27, 28, 29)}},
    {.text = "\t      COMMIT: 31 32 33 3400 3500 36 37 38 39\n",
     .want = {OP9("cut", "COMMIT", 31, 32, 33, 3400, 3500, 36, 37, 38, 39)}},
    {.text = "\n"},
};
#define CUT_NLINES (sizeof(cut_lines) / sizeof(cut_lines[0]))

typedef struct {
  char *text; /* OK_RECORD + the cut record */
  size_t ok_len, len;
  size_t start[CUT_NLINES + 1]; /* offset of each line in text */
} cut_text_t;

static void cut_text_build(cut_text_t *t) {
  size_t len = strlen(OK_RECORD);
  for (size_t k = 0; k < CUT_NLINES; k++)
    len += strlen(cut_lines[k].text);
  t->text = malloc(len + 1);
  ck_assert_ptr_nonnull(t->text);
  strcpy(t->text, OK_RECORD);
  t->ok_len = strlen(OK_RECORD);
  size_t o = t->ok_len;
  for (size_t k = 0; k < CUT_NLINES; k++) {
    t->start[k] = o;
    strcpy(t->text + o, cut_lines[k].text);
    o += strlen(cut_lines[k].text);
  }
  t->start[CUT_NLINES] = o;
  t->len = o;
}

/* What a file cut at offset `cut` (>= ok_len) must give. */
typedef struct {
  size_t complete;  /* cut-record lines complete */
  int diag;         /* a TRUNCATED diagnostic */
  size_t diag_line; /* its line number */
  int body;         /* the cut line is a body line of /cut */
  int mid_number;   /* the cut is between two digits */
} cut_expect_t;

static cut_expect_t cut_expect(const cut_text_t *t, size_t cut) {
  cut_expect_t e = {0};
  size_t k = 0;
  while (k < CUT_NLINES && t->start[k + 1] <= cut)
    k++;
  e.complete = k;
  if (k < CUT_NLINES && cut > t->start[k]) {
    for (size_t i = t->start[k]; i < cut; i++)
      if (t->text[i] != ' ' && t->text[i] != '\t')
        e.diag = 1;
    e.diag_line = OK_LINES + k + 1;
    e.body = k > 0;
    e.mid_number = cut < t->len && t->text[cut - 1] >= '0' &&
                   t->text[cut - 1] <= '9' && t->text[cut] >= '0' &&
                   t->text[cut] <= '9';
  }
  return e;
}

static size_t cut_wants(const cut_expect_t *e, const want_t **out) {
  size_t n = 0;
  for (size_t i = 0; i < ok_want_n; i++)
    out[n++] = &ok_want[i];
  for (size_t k = 1; k < e->complete; k++)
    for (size_t i = 0;
         i < sizeof(cut_lines[k].want) / sizeof(cut_lines[k].want[0]) &&
         cut_lines[k].want[i].pi;
         i++)
      out[n++] = &cut_lines[k].want[i];
  return n;
}

START_TEST(test_cut_every_offset) {
  cut_text_t t;
  cut_text_build(&t);
  char path[4200];
  snprintf(path, sizeof(path), "%s/cut.mountstats", tmpdir);
  size_t line_ends = 0, mid_number[CUT_NLINES] = {0};
  for (size_t cut = t.ok_len; cut <= t.len; cut++) {
    cut_expect_t e = cut_expect(&t, cut);
    line_ends += !e.diag && (cut == t.len || cut == t.start[e.complete]);
    if (e.mid_number)
      mid_number[e.complete]++;
    char when[64];
    size_t before = nfails;

    /* Parser. */
    ms_snapshot_t s = {0};
    ck_assert_int_eq(ms_parse(&s, t.text, cut), 0);
    size_t want_mounts = 1 + (e.complete >= 1);
    snprintf(when, sizeof(when), "cut at %zu (line %zu)", cut - t.ok_len,
             OK_LINES + e.complete + 1);
    if (s.nmounts != want_mounts)
      note_fail("%s: %zu records, want %zu", when, s.nmounts, want_mounts);
    if (s.diags_total != (size_t)e.diag)
      note_fail("%s: %zu diagnostics, want %d", when, s.diags_total, e.diag);
    else if (e.diag && (s.diags[0].reason != MS_DIAG_TRUNCATED ||
                        s.diags[0].line != e.diag_line))
      note_fail("%s: diagnostic (%s, line %zu), want (truncated, line %zu)",
                when, reason_text(s.diags[0].reason), s.diags[0].line,
                e.diag_line);
    /* A cut body line belongs to /cut (record 1), a cut header to none; it
     * is not the record's fault: bad_lines stays 0. */
    if (e.diag && s.diags_total == 1 &&
        s.diags[0].mount != (e.body ? 1 : MS_NO_MOUNT))
      note_fail("%s: truncated line attributed to record %zd, want %zd", when,
                (ssize_t)s.diags[0].mount,
                e.body ? (ssize_t)1 : (ssize_t)MS_NO_MOUNT);
    for (size_t m = 0; m < s.nmounts; m++)
      if (s.mounts[m].bad_lines != 0)
        note_fail("%s: record %zu has bad_lines %u, want 0", when, m,
                  s.mounts[m].bad_lines);
    ms_snapshot_free(&s);

    /* Plugin: only complete lines are dispatched, with their full values. */
    write_file(path, t.text, cut);
    plugin_start(path);
    const want_t *want[64];
    size_t nwant = cut_wants(&e, want);
    for (int r = 1; r <= 5; r++) {
      size_t vl_from = stub_dispatched_n;
      stub_now += TIME_T_TO_CDTIME_T(10);
      ck_assert_int_eq(mountstats_read(), 0);
      if (r == 1 || r == 5) {
        char w2[80];
        snprintf(w2, sizeof(w2), "%s read %d", when, r);
        check_dispatch(want, nwant, NULL, 0, NULL, vl_from, stub_dispatched_n,
                       w2);
      }
    }
    size_t warnings = count_sev(LOG_WARNING, 0);
    if (warnings != (size_t)e.diag)
      note_fail("%s: %zu WARNING lines after 5 reads, want %d", when, warnings,
                e.diag);
    if (e.diag) {
      diag_want_t d = {MS_DIAG_TRUNCATED, e.diag_line, 0, NULL, 0};
      if (find_diag_log(path, &d, 0) != 1)
        note_fail("%s: no WARNING with the path, \"line %zu\" and \"%s\"", when,
                  e.diag_line, reason_text(MS_DIAG_TRUNCATED));
    }
    if (count_sev(LOG_ERR, 0) || count_sev(LOG_NOTICE, 0))
      note_fail("%s: ERROR or NOTICE logged", when);
    check_log_hygiene(when);
    if (nfails > before && nfails > 20)
      break; /* enough to see the pattern */
  }
  free(t.text);
  /* Every line end, and the middle of every number of every line that
   * dispatches something, were cut. */
  if (line_ends != CUT_NLINES + 1)
    note_fail("%zu cuts at line ends, want %zu", line_ends, CUT_NLINES + 1);
  for (size_t k = 0; k < CUT_NLINES; k++)
    if (cut_lines[k].want[0].pi != NULL && mid_number[k] == 0)
      note_fail("no mid-number cut on line %zu", k + 1);
  ASSERT_NO_FAILS("cut");
}
END_TEST

/* The incomplete last line is attributed to its record: its WARNING names
 * the mount and the line. (Was a bug: the parser reported it with
 * MS_NO_MOUNT and the WARNING said mount "-".) */
START_TEST(test_cut_log_names_mount) {
  cut_text_t t;
  cut_text_build(&t);
  char path[4200];
  snprintf(path, sizeof(path), "%s/cut.mountstats", tmpdir);
  size_t checked = 0, unnamed = 0, first = 0;
  char first_log[1024] = "";
  for (size_t cut = t.ok_len; cut <= t.len; cut++) {
    cut_expect_t e = cut_expect(&t, cut);
    if (!e.diag || !e.body)
      continue;
    write_file(path, t.text, cut);
    plugin_start(path);
    ck_assert_int_eq(mountstats_read(), 0);
    checked++;
    diag_want_t d = {MS_DIAG_TRUNCATED, e.diag_line, 0, "/cut", 0};
    if (find_diag_log(path, &d, 0) != 1) {
      if (unnamed++ == 0) {
        first = cut - t.ok_len;
        for (size_t k = 0; k < stub_logs_n; k++)
          if (stub_logs[k].severity == LOG_WARNING)
            snprintf(first_log, sizeof(first_log), "%s", stub_logs[k].text);
      }
    }
  }
  free(t.text);
  ck_assert_uint_gt(checked, 500);
  ck_assert_msg(unnamed == 0,
                "%zu of %zu cut body lines are logged without mount \"/cut\"; "
                "first: cut at offset %zu of the record: %s",
                unnamed, checked, first, show(first_log));
}
END_TEST

int main(void) {
  TCase *tc = badinput_tcase("cut");
  tcase_add_test(tc, test_cut_every_offset);
  tcase_add_test(tc, test_cut_log_names_mount);
  return badinput_run("parser_badinput", tc);
}
