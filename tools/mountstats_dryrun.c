/* SPDX-License-Identifier: MIT
 *
 * mountstats-dryrun: what the collectd mountstats plugin would dispatch,
 * without collectd. Reads a mountstats file (default /proc/self/mountstats)
 * the way the plugin does, with the plugin's options given as flags, runs
 * the collector core (src/collector.h) and prints every value list it would
 * dispatch (identifier, data source names and values) and every line it
 * would log. Text by default, JSON with --json (the field names of
 * collectd's JSON format). The values are formatted as collectd's csv
 * plugin writes them (DERIVE as integers, GAUGE with "%lf"), so the output
 * can be compared with a daemon's (tests/dryrun_csv.py does, per fixture).
 */
#include "collector.h"
#include "metrics.h"
#include "naming.h"
#include "options.h"
#include "readfile.h"
#include "sysfs.h"
#include "text.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef MOUNTSTATS_VERSION
#define MOUNTSTATS_VERSION "unknown"
#endif

#define DATA_MAX_NAME_LEN 128 /* collectd's field size, NUL included */

static const char *const level_names[] = {[MS_LOG_ERR] = "error",
                                          [MS_LOG_WARNING] = "warning",
                                          [MS_LOG_NOTICE] = "notice",
                                          [MS_LOG_INFO] = "info"};

static bool json;
static bool explain; /* --explain-names: the names, not the values */
static const char *host = "localhost";
static double now_s;
static size_t nrecords, nlogs;

static void usage(FILE *out) {
  fprintf(out,
          "usage: mountstats-dryrun [--json | --explain-names] [--host NAME] "
          "[--reads N [--interval S]]\n"
          "                         [--OPTION VALUE ...] [FILE]\n"
          "       mountstats-dryrun --list-options\n"
          "Prints the value lists and log lines the collectd mountstats "
          "plugin would\n"
          "dispatch for FILE (default %s). OPTION is any option of\n"
          "<Plugin mountstats>, e.g. --ReportZeroOps true, --MountPoint "
          "/home\n"
          "(repeat for several patterns), --MountInfoFile \"\" "
          "(see collectd-mountstats(5)).\n"
          "--list-options prints the options and their kinds.\n",
          MS_DEFAULT_FILE);
}

/* ---- output -------------------------------------------------------------- */

static void json_string(const char *s, size_t len) {
  putchar('"');
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20 || c == 0x7f)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

/* A value as collectd's csv plugin writes it. */
static void print_value(const ms_metric_type_t *t, size_t i,
                        const ms_value_t *v) {
  if (ms_metric_is_gauge(t, i)) {
    if (json && !isfinite(v->gauge))
      printf("null");
    else
      printf("%lf", v->gauge);
  } else {
    printf("%" PRIi64, v->derive);
  }
}

/* The identifier's fields as the plugin's value list holds them: cut to
 * DATA_MAX_NAME_LEN - 1 bytes. */
static size_t cut(size_t len) {
  return len > DATA_MAX_NAME_LEN - 1 ? DATA_MAX_NAME_LEN - 1 : len;
}

static void print_record(void *ctx, const ms_record_t *r) {
  if (explain)
    return;
  (void)ctx;
  const ms_metric_type_t *t = r->type;
  size_t pil = cut(strlen(r->plugin_instance));
  size_t til = cut(r->type_instance_len);
  if (json) {
    printf("%s{\"host\":", nrecords++ ? ",\n" : "");
    json_string(host, strlen(host));
    printf(",\"plugin\":\"" MS_PLUGIN_NAME "\",\"plugin_instance\":");
    json_string(r->plugin_instance, pil);
    printf(",\"type\":\"%s\",\"type_instance\":", t->name);
    json_string(r->type_instance, til);
    printf(",\"time\":%.3f,\"dstypes\":[", now_s);
    for (size_t i = 0; i < r->values_len; i++)
      printf("%s\"%s\"", i ? "," : "",
             ms_metric_is_gauge(t, i) ? "gauge" : "derive");
    printf("],\"dsnames\":[");
    for (size_t i = 0; i < r->values_len; i++)
      printf("%s\"%s\"", i ? "," : "", t->ds_names[i]);
    printf("],\"values\":[");
    for (size_t i = 0; i < r->values_len; i++) {
      if (i)
        putchar(',');
      print_value(t, i, &r->values[i]);
    }
    printf("]}");
    return;
  }
  /* host/plugin-instance/type-instance ds=value ... */
  printf("%s/" MS_PLUGIN_NAME "%s%.*s/%s%s%.*s", host, pil ? "-" : "", (int)pil,
         r->plugin_instance, t->name, til ? "-" : "", (int)til,
         r->type_instance);
  for (size_t i = 0; i < r->values_len; i++) {
    printf(" %s=", t->ds_names[i]);
    print_value(t, i, &r->values[i]);
  }
  putchar('\n');
  nrecords++;
}

/* Log lines go to stderr in text mode ("[level] message", as collectd's
 * logfile plugin prints them with PrintSeverity), into "log" with --json. */
static char **json_logs;
static int *json_log_levels;

static void log_line(void *ctx, int level, const char *msg) {
  (void)ctx;
  if (level < MS_LOG_ERR || level > MS_LOG_INFO)
    level = MS_LOG_INFO;
  if (!json) {
    fprintf(stderr, "[%s] %s\n", level_names[level], msg);
    nlogs++;
    return;
  }
  char **l = realloc(json_logs, (nlogs + 1) * sizeof(*l));
  int *lv = realloc(json_log_levels, (nlogs + 1) * sizeof(*lv));
  if (l != NULL)
    json_logs = l;
  if (lv != NULL)
    json_log_levels = lv;
  if (l == NULL || lv == NULL || (l[nlogs] = strdup(msg)) == NULL) {
    fprintf(stderr, "mountstats-dryrun: out of memory\n");
    exit(1);
  }
  lv[nlogs++] = level;
}

/* ---- options ------------------------------------------------------------- */

static int parse_bool(const char *v, bool *out) {
  static const char *const yes[] = {"true", "yes", "on"};
  static const char *const no[] = {"false", "no", "off"};
  for (size_t i = 0; i < 3; i++) {
    if (strcasecmp(v, yes[i]) == 0) {
      *out = true;
      return 0;
    }
    if (strcasecmp(v, no[i]) == 0) {
      *out = false;
      return 0;
    }
  }
  return -EINVAL;
}

static int parse_number(const char *v, double *out) {
  char *end = NULL;
  errno = 0;
  *out = strtod(v, &end);
  return errno == 0 && end != v && *end == '\0' ? 0 : -EINVAL;
}

/* One plugin option from the text of a flag: read as its kind says, set
 * and checked by the core, which words what is wrong as the plugin logs
 * it. */
static int set_option(ms_config_t *cfg, const char *key, const char *text) {
  const ms_option_t *opt = ms_option_find(key);
  enum ms_option_kind kind = opt != NULL ? opt->kind : MS_OPTION_UNKNOWN;
  ms_option_value_t v = {.string = text};
  if (kind == MS_OPTION_BOOL && parse_bool(text, &v.boolean) != 0) {
    fprintf(stderr, "mountstats-dryrun: %s takes true or false, not \"%s\"\n",
            key, text);
    return -1;
  }
  if ((kind == MS_OPTION_NUMBER || kind == MS_OPTION_INTEGER) &&
      parse_number(text, &v.number) != 0)
    v.number = NAN; /* no number: outside the limits, said so */
  size_t errlen = MS_OPTION_ERR_MIN + strlen(key) + strlen(text);
  char *err = malloc(errlen);
  if (err == NULL)
    return -1;
  int rc = ms_config_set(cfg, key, &v, err, errlen);
  if (rc != 0 && err[0] != '\0')
    fprintf(stderr, MS_PLUGIN_NAME " plugin: %s\n", err);
  free(err);
  return rc == 0 ? 0 : -1;
}

/* --list-options: the options of <Plugin mountstats>, one a line, with
 * their kind (tests/package_test.sh compares them with the man page and
 * the Debian drop-in). */
static void list_options(void) {
  for (size_t i = 0; i < ms_options_num; i++)
    printf("%s\t%s\n", ms_options[i].key,
           ms_option_kind_name(ms_options[i].kind));
}

/* --explain-names: for every NFS mount of the file, its mount point, the
 * rule that named it and the name it is reported under (tab-separated). */
static void explain_names(const ms_collector_t *c) {
  size_t n = ms_collector_explain_names(c, NULL, 0);
  ms_name_explain_t *e = calloc(n ? n : 1, sizeof(*e));
  if (e == NULL)
    return;
  ms_collector_explain_names(c, e, n);
  printf("# mount point\trule\tname\n");
  for (size_t i = 0; i < n; i++) {
    char mp[4096];
    size_t len =
        ms_unescape(mp, sizeof(mp), e[i].mountpoint.ptr, e[i].mountpoint.len);
    mp[len < sizeof(mp) ? len : sizeof(mp) - 1] = '\0';
    if (e[i].name == NULL)
      printf("%s\t-\tnot reported (not selected)\n", mp);
    else if (e[i].shared)
      printf("%s\tsuperblock\t%s (one superblock with it)\n", mp, e[i].name);
    else
      printf("%s\t%s\t%s\n", mp, e[i].rule, e[i].name);
  }
  free(e);
}

/* ---- main ---------------------------------------------------------------- */

static double wall_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the flags other than the plugin's options ask for. */
typedef struct {
  long reads;
  double interval;  /* seconds between reads */
  const char *file; /* NULL: the plugin's default */
} run_t;

/* The flag a with its value v: one of the tool's, or an option of the
 * plugin. Returns -1 to go on, or the exit status. */
static int take_flag(ms_config_t *cfg, run_t *run, const char *a,
                     const char *v) {
  if (strcmp(a, "--host") == 0) {
    host = v;
  } else if (strcmp(a, "--reads") == 0) {
    run->reads = strtol(v, NULL, 10);
    if (run->reads < 1) {
      fprintf(stderr, "mountstats-dryrun: --reads wants 1 or more\n");
      return 2;
    }
  } else if (strcmp(a, "--interval") == 0) {
    if (parse_number(v, &run->interval) != 0 || run->interval < 0) {
      fprintf(stderr, "mountstats-dryrun: bad --interval \"%s\"\n", v);
      return 2;
    }
  } else if (set_option(cfg, a + 2, v) != 0) {
    fprintf(stderr, MS_PLUGIN_NAME " plugin: " MS_OPTION_INVALID_FMT "\n",
            a + 2);
    return 2;
  }
  return -1;
}

/* The command line into cfg and run. Returns -1 to go on, or the exit
 * status (--help, --list-options, a bad flag). */
static int take_args(int argc, char **argv, ms_config_t *cfg, run_t *run) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    }
    if (strcmp(a, "--list-options") == 0) {
      list_options();
      return 0;
    }
    if (strcmp(a, "--json") == 0) {
      json = true;
      continue;
    }
    if (strcmp(a, "--explain-names") == 0) {
      explain = true;
      continue;
    }
    if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
      if (run->file != NULL || a[0] == '-') {
        usage(stderr);
        return 2;
      }
      run->file = a;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "mountstats-dryrun: %s needs a value\n", a);
      return 2;
    }
    int rc = take_flag(cfg, run, a, argv[++i]);
    if (rc >= 0)
      return rc;
  }
  return -1;
}

/* JSON: the log lines gathered, after the values. */
static void print_json_logs(void) {
  printf("\n],\"log\":[");
  for (size_t i = 0; i < nlogs; i++) {
    printf("%s\n{\"level\":\"%s\",\"message\":", i ? "," : "",
           level_names[json_log_levels[i]]);
    json_string(json_logs[i], strlen(json_logs[i]));
    putchar('}');
    free(json_logs[i]);
  }
  printf("\n]}\n");
  free(json_logs);
  free(json_log_levels);
}

/* The reads: the collector run on each, as the plugin's read callback
 * does. Returns the exit status: 1 when a read failed. */
static int read_all(ms_collector_t *c, const ms_config_t *cfg,
                    const run_t *run) {
  ms_buffer_t buf = {0}, mi_buf = {0};
  ms_sysfs_t sysfs = {.dirfd = -1};
  bool use_sysfs = cfg->report_stall && cfg->sysfs_root[0] != '\0';
  if (use_sysfs)
    ms_sysfs_open(&sysfs, cfg->sysfs_root);
  int rc = 0;
  for (long r = 0; r < run->reads; r++) {
    if (r > 0 && run->interval > 0)
      usleep((useconds_t)(run->interval * 1e6));
    now_s = wall_clock();
    ms_input_t in = {.now = now_s, .sysfs = use_sysfs ? &sysfs.fs : NULL};
    ms_read_input(cfg, &buf, &mi_buf, &in);
    if (!json && !explain && run->reads > 1)
      printf("# read %ld\n", r + 1);
    if (ms_collector_run(c, &in) != 0)
      rc = 1;
    if (explain && in.err == 0)
      explain_names(c);
    if (in.err != 0)
      rc = 1;
  }
  ms_buffer_free(&buf);
  ms_buffer_free(&mi_buf);
  ms_sysfs_close(&sysfs);
  return rc;
}

int main(int argc, char **argv) {
  ms_config_t cfg = {0};
  ms_config_defaults(&cfg);
  run_t run = {.reads = 1, .interval = 1.0};
  int rc = take_args(argc, argv, &cfg, &run);
  if (rc >= 0) {
    ms_config_free(&cfg);
    return rc;
  }
  if (run.file != NULL && set_option(&cfg, "File", run.file) != 0)
    return 1;
  if (ms_config_finish(&cfg) != 0)
    return 1;
  ms_collector_t *c = ms_collector_new(&cfg, print_record, log_line, NULL);
  if (c == NULL)
    return 1;
  char start[MS_LOG_LINE_MAX];
  snprintf(start, sizeof(start),
           MS_PLUGIN_NAME " plugin: version %s, reading \"%s\"%s%s.",
           MOUNTSTATS_VERSION, cfg.file,
           cfg.mountinfo_file ? ", superblocks from " : "",
           cfg.mountinfo_file ? cfg.mountinfo_file : "");
  log_line(NULL, MS_LOG_INFO, start);
  if (json)
    printf("{\"values\":[\n");
  rc = read_all(c, &cfg, &run);
  if (json)
    print_json_logs();
  ms_collector_free(c);
  ms_config_free(&cfg);
  return rc;
}
