/* SPDX-License-Identifier: MIT
 *
 * badinput.c: what the bad-input tests share (see badinput.h).
 */
#include "badinput.h"
#include "check_run.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifndef BAD_DIR
#error "BAD_DIR must name fixtures/bad"
#endif

const want_t ok_want[] = {
    {"ok", "uptime", "age", V(4242)},
    EV27("ok", 0),
    {"ok", "nfs_bytes", "", V(1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008)},
    {"ok", "nfs_xprt", "tcp", V(1, 5, 6, 7, 8, 9)},
    {"ok", "nfs_xprt_conn", "tcp", V(2, 3, 4)},
    {"ok", "nfs_xprt_slots", "tcp", V(10, 11, 12)},
    {"ok", "count", "transports", V(1)},
    OP9("ok", "NULL", 1, 1, 0, 44, 24, 0, 0, 1, 0),
    OP9("ok", "GETATTR", 7, 8, 0, 700, 600, 11, 22, 33, 4),
};
const size_t ok_want_n = sizeof(ok_want) / sizeof(ok_want[0]);

void put_n(FILE *f, const char *s, size_t times) {
  for (size_t i = 0; i < times; i++)
    fputs(s, f);
}

void gen_hundred_bad(FILE *f) {
  fputs("device srv-hb:/hb mounted on /hb with fstype nfs statvers=1.1\n"
        "\tage:\t231\n\tper-op statistics\n",
        f);
  for (int i = 0; i < 100; i++)
    fprintf(f, "\t      OP%03d: 1 2 3\n", i);
  fputs("\t        READ: 1 1 0 100 100 1 1 1 0\n\n" OK_RECORD, f);
}

char fails[8192];
size_t fails_len, nfails;

void note_fail(const char *fmt, ...) {
  nfails++;
  if (fails_len + 200 >= sizeof(fails))
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(fails + fails_len, sizeof(fails) - fails_len - 2, fmt, ap);
  va_end(ap);
  if (n > 0)
    fails_len += (size_t)n < sizeof(fails) - fails_len - 2
                     ? (size_t)n
                     : sizeof(fails) - fails_len - 3;
  fails[fails_len++] = '\n';
  fails[fails_len] = '\0';
}

void fails_reset(void) {
  nfails = fails_len = 0;
  fails[0] = '\0';
}

char tmpdir[] = "/tmp/check_badinput.XXXXXX";
static char path_buf[4200];

const char *case_path(const bad_case_t *c) {
  if (c->gen == NULL) {
    snprintf(path_buf, sizeof(path_buf), "%s/%s", BAD_DIR, c->name);
    return path_buf;
  }
  snprintf(path_buf, sizeof(path_buf), "%s/%s", tmpdir, c->name);
  FILE *f = fopen(path_buf, "w");
  ck_assert_ptr_nonnull(f);
  c->gen(f);
  ck_assert_int_eq(fclose(f), 0);
  return path_buf;
}

char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  ck_assert_ptr_nonnull(buf);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      ck_assert_ptr_nonnull(buf);
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    if (got == 0)
      break;
    n += got;
  }
  fclose(f);
  *len = n;
  return buf;
}

void write_file(const char *path, const char *buf, size_t len) {
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

const char *reason_text(enum ms_diag_reason r) {
  switch (r) {
  case MS_DIAG_TOO_FEW_FIELDS:
    return "too few fields";
  case MS_DIAG_BAD_NUMBER:
    return "not a decimal number";
  case MS_DIAG_OVERFLOW:
    return "value of 2^64 or more";
  case MS_DIAG_BAD_OP_NAME:
    return "per-op line without a valid name";
  case MS_DIAG_NO_TRANSPORT:
    return "xprt line without a transport";
  case MS_DIAG_TRUNCATED:
    return "last line has no newline";
  case MS_DIAG_DUPLICATE_OP:
    return "operation printed twice";
  case MS_DIAG_TOO_MANY_OPS:
    return "more operations in one record than any kernel prints";
  }
  return "?";
}

/* Uses the plugin as collectd would: File is the only option. */
void plugin_start(const char *path) {
  mountstats_shutdown(); /* frees state, resets the config to defaults */
  stub_reset_all();
  oconfig_value_t v = {.value.string = (char *)path,
                       .type = OCONFIG_TYPE_STRING};
  oconfig_item_t item = {.key = (char *)"File", .values = &v, .values_num = 1};
  oconfig_item_t block = {
      .key = (char *)"Plugin", .children = &item, .children_num = 1};
  ck_assert_int_eq(mountstats_config(&block), 0);
  ck_assert_int_eq(mountstats_init(), 0);
  stub_reset();
}

static int is_gauge(const char *type, size_t i) {
  return strcmp(type, "uptime") == 0 || strcmp(type, "count") == 0 ||
         (strcmp(type, "nfs_xprt_conn") == 0 && i == 2) ||
         (strcmp(type, "nfs_xprt_slots") == 0 && i == 0);
}

static double value_of(const stub_vl_t *vl, size_t i) {
  return is_gauge(vl->type, i) ? vl->values[i].gauge
                               : (double)vl->values[i].derive;
}

static int pi_match(const char *want, const char *got) {
  for (;; want++, got++) {
    if (want[0] == '*' && want[1] == '\0')
      return 1;
    if (want[0] == '?') {
      if (!((*got >= '0' && *got <= '9') || (*got >= 'a' && *got <= 'f')))
        return 0;
      continue;
    }
    if (*want != *got)
      return 0;
    if (*want == '\0')
      return 1;
  }
}

/* A type of absent_t: a trailing '*' matches by prefix. */
static int type_match(const char *want, const char *got) {
  size_t n = strlen(want);
  if (n > 0 && want[n - 1] == '*')
    return strncmp(want, got, n - 1) == 0;
  return strcmp(want, got) == 0;
}

static int has_ctl(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
      return 1;
  return 0;
}

/* A byte outside printable ASCII: the plugin escapes every such byte of a
 * mount point or a line before logging it (the paths here are ASCII). */
static int has_nonprint(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
      return 1;
  return 0;
}

/* Printable copy of s for failure messages. */
const char *show(const char *s) {
  static char out[4][300];
  static int k;
  char *o = out[k++ % 4];
  size_t n = 0;
  for (; *s && n + 5 < sizeof(out[0]); s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c < 0x7f)
      o[n++] = (char)c;
    else
      n += (size_t)snprintf(o + n, 5, "\\%03o", c);
  }
  o[n] = '\0';
  return o;
}

/* Checks the value lists dispatched at [from, to): each of want[0..nwant)
 * exactly once with its values, nothing else (but for custom_pi), nothing of
 * absent. */
void check_dispatch(const want_t *const *want, size_t nwant,
                    const absent_t *absent, size_t nabsent,
                    const char *custom_pi, size_t from, size_t to,
                    const char *when) {
  for (size_t w = 0; w < nwant; w++) {
    const want_t *x = want[w];
    size_t found = 0;
    for (size_t i = from; i < to; i++) {
      const stub_vl_t *vl = &stub_dispatched[i];
      if (!pi_match(x->pi, vl->plugin_instance) || strcmp(x->type, vl->type) ||
          strcmp(x->ti, vl->type_instance))
        continue;
      found++;
      if (vl->values_len != x->n) {
        note_fail("%s: %s/%s-%s has %zu values, want %zu", when, show(x->pi),
                  x->type, x->ti, vl->values_len, x->n);
        continue;
      }
      for (size_t k = 0; k < x->n; k++)
        if (value_of(vl, k) != x->v[k])
          note_fail("%s: %s/%s-%s value %zu is %.17g, want %.17g", when,
                    show(vl->plugin_instance), x->type, x->ti, k,
                    value_of(vl, k), x->v[k]);
    }
    if (found != 1)
      note_fail("%s: %s/%s-%s dispatched %zu times, want once", when,
                show(x->pi), x->type, x->ti, found);
  }
  for (size_t i = from; i < to; i++) {
    const stub_vl_t *vl = &stub_dispatched[i];
    if (strcmp(vl->plugin, "mountstats") != 0)
      note_fail("%s: plugin \"%s\"", when, vl->plugin);
    if (has_ctl(vl->plugin_instance))
      note_fail("%s: control byte in plugin_instance \"%s\"", when,
                show(vl->plugin_instance));
    if (vl->time != stub_now)
      note_fail("%s: value list with another timestamp", when);
    if (custom_pi != NULL && strcmp(vl->plugin_instance, custom_pi) == 0)
      continue;
    int wanted = 0;
    for (size_t w = 0; w < nwant && !wanted; w++)
      wanted = pi_match(want[w]->pi, vl->plugin_instance) &&
               strcmp(want[w]->type, vl->type) == 0 &&
               strcmp(want[w]->ti, vl->type_instance) == 0;
    int banned = 0;
    for (size_t a = 0; a < nabsent && !banned; a++)
      banned =
          pi_match(absent[a].pi, vl->plugin_instance) &&
          (absent[a].type == NULL || type_match(absent[a].type, vl->type)) &&
          (absent[a].ti == NULL ||
           strcmp(absent[a].ti, vl->type_instance) == 0);
    /* A listed "must not" that is also wanted is a mistake in the table. */
    ck_assert_msg(!(wanted && banned), "%s/%s-%s is both wanted and banned",
                  vl->plugin_instance, vl->type, vl->type_instance);
    if (!wanted)
      note_fail("%s: %s value list %s/%s-%s (v0 %.17g)", when,
                banned ? "must-not-dispatch" : "unexpected",
                show(vl->plugin_instance), vl->type, show(vl->type_instance),
                value_of(vl, 0));
  }
}

/* "line N" followed by a non-digit. */
int has_line(const char *text, size_t n) {
  char needle[32];
  snprintf(needle, sizeof(needle), "line %zu", n);
  size_t len = strlen(needle);
  for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
    if (p[len] < '0' || p[len] > '9')
      return 1;
  return 0;
}

/* The N of "<path> line N" in a log line, 0 if none. */
size_t logged_line(const char *text, const char *path) {
  const char *p = strstr(text, path);
  size_t n = 0;
  if (p == NULL || sscanf(p + strlen(path), " line %zu", &n) != 1)
    return 0;
  return n;
}

int is_summary(const char *text) {
  return strstr(text, "more malformed lines not logged") != NULL;
}

size_t count_sev(int sev, size_t from) {
  size_t n = 0;
  for (size_t i = from; i < stub_logs_n; i++)
    n += stub_logs[i].severity == sev;
  return n;
}

/* The WARNING of one diagnostic in logs [from, stub_logs_n). */
size_t find_diag_log(const char *path, const diag_want_t *d, size_t from) {
  char quoted[600];
  if (d->logmount)
    snprintf(quoted, sizeof(quoted), "\"%s\"", d->logmount);
  size_t n = 0;
  for (size_t i = from; i < stub_logs_n; i++) {
    const char *t = stub_logs[i].text;
    if (stub_logs[i].severity == LOG_WARNING && strstr(t, path) &&
        has_line(t, d->line) && strstr(t, reason_text(d->reason)) &&
        (d->logmount == NULL || strstr(t, quoted)))
      n++;
  }
  return n;
}

/* WARNING lines in logs [from, stub_logs_n) that name "<path> line N". */
size_t warnings_naming(const char *path, size_t line, size_t from) {
  size_t n = 0;
  for (size_t i = from; i < stub_logs_n; i++)
    n += stub_logs[i].severity == LOG_WARNING &&
         logged_line(stub_logs[i].text, path) == line;
  return n;
}

void check_log_hygiene(const char *when) {
  for (size_t i = 0; i < stub_logs_n; i++) {
    const char *t = stub_logs[i].text;
    if (has_nonprint(t))
      note_fail("%s: log line with a raw byte outside printable ASCII: \"%s\"",
                when, show(t));
    if (strlen(t) >= sizeof(stub_logs[i].text) - 1)
      note_fail("%s: log line of 1023+ bytes (cut by the daemon's buffer)",
                when);
  }
}

/* ---- running ------------------------------------------------------------
 */

static void setup(void) {
  stub_reset_all();
  mountstats_shutdown();
  stub_now = TIME_T_TO_CDTIME_T(1000);
  fails_reset();
}

static void teardown(void) {
  mountstats_shutdown();
  stub_reset_all();
}

TCase *badinput_tcase(const char *name) {
  TCase *tc = tcase_create(name);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 900);
  return tc;
}

int badinput_run(const char *suite_name, TCase *tc) {
  if (mkdtemp(tmpdir) == NULL) {
    perror("mkdtemp");
    return EXIT_FAILURE;
  }
  Suite *s = suite_create(suite_name);
  suite_add_tcase(s, tc);
  int failed = ms_check_run(s);
  char cmd[256];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", tmpdir);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
