/* SPDX-License-Identifier: MIT
 *
 * options.c: see options.h for the contract.
 */
#include "options.h"

#include "naming.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AT(...)                                                                \
  .at = {__VA_ARGS__}, .nat = sizeof((size_t[]){__VA_ARGS__}) / sizeof(size_t)
#define FIELD(f) offsetof(ms_config_t, f)
#define BOOL(key, ...)                                                         \
  { key, MS_OPTION_BOOL, AT(__VA_ARGS__) }
#define STRING(key, f)                                                         \
  { key, MS_OPTION_STRING, AT(FIELD(f)) }
/* A switch of a section: ReportX sets report_x. */
#define REPORT(key, field) BOOL(key, FIELD(report_##field))
/* Pattern lists name the key as written in their messages. */
#define PATTERN(key, f)                                                        \
  { key, MS_OPTION_PATTERN, AT(FIELD(f)), .says_key_as_written = true }

static const char *const naming_choices[] = {
    [MS_NAMING_MOUNTPOINT] = "MountPoint", [MS_NAMING_DEVICE] = "Device"};
static const char *const scheme_choices[] = {
    [MS_SCHEME_AUTO] = "auto", [MS_SCHEME_PATH] = "path"};

/* In the order of collectd.conf.example. Messages are part of the
 * contract: those that name the key keep naming it as they always did, as
 * written for the pattern lists and MaxFileSize, as spelled here for
 * NamingSource, NamingScheme and MaxNameLength. */
const ms_option_t ms_options[] = {
    STRING("File", file),
    STRING("MountInfoFile", mountinfo_file),
    PATTERN("MountPoint", sel_mountpoint),
    PATTERN("Device", sel_device),
    PATTERN("FSType", sel_fstype),
    BOOL("IgnoreSelected", FIELD(sel_mountpoint.invert),
         FIELD(sel_device.invert), FIELD(sel_fstype.invert)),
    PATTERN("Operation", sel_op),
    BOOL("IgnoreSelectedOperation", FIELD(sel_op.invert)),
    REPORT("ReportAge", age),
    REPORT("ReportEvents", events),
    REPORT("ReportBytes", bytes),
    REPORT("ReportFsCache", fscache),
    REPORT("ReportTransport", transport),
    REPORT("ReportOperations", ops),
    REPORT("ReportOpErrors", op_errors),
    REPORT("ReportZeroOps", zero_ops),
    REPORT("ReportPerTransport", per_transport),
    REPORT("ReportAllMountPoints", all_mountpoints),
    REPORT("ReportIostat", iostat),
    REPORT("ReportStall", stall),
    STRING("SysfsRoot", sysfs_root),
    {"NamingSource", MS_OPTION_CHOICE, AT(FIELD(naming)),
     .choices = naming_choices},
    {"NamingScheme", MS_OPTION_CHOICE, AT(FIELD(naming_scheme)),
     .choices = scheme_choices},
    {"MaxNameLength", MS_OPTION_INTEGER, AT(FIELD(max_name_len)),
     .min = MS_NAME_MIN, .max = MS_NAME_MAX, .unit = ""},
    {"MaxFileSize", MS_OPTION_NUMBER, AT(FIELD(max_file_size)),
     .min = MS_MAX_FILE_SIZE_MIN, .max = MS_MAX_FILE_SIZE_MAX, .unit = " bytes",
     .says_key_as_written = true},
};
const size_t ms_options_num = sizeof(ms_options) / sizeof(ms_options[0]);

const ms_option_t *ms_option_find(const char *key) {
  for (size_t i = 0; i < ms_options_num; i++)
    if (strcasecmp(key, ms_options[i].key) == 0)
      return &ms_options[i];
  return NULL;
}

const char *ms_option_kind_name(enum ms_option_kind kind) {
  static const char *const names[] = {
      [MS_OPTION_UNKNOWN] = "unknown", [MS_OPTION_BOOL] = "bool",
      [MS_OPTION_STRING] = "string",   [MS_OPTION_PATTERN] = "pattern",
      [MS_OPTION_CHOICE] = "choice",   [MS_OPTION_NUMBER] = "number",
      [MS_OPTION_INTEGER] = "integer"};
  return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind]
                                                           : "unknown";
}

/* The field at offset off of cfg. */
static void *field(ms_config_t *cfg, size_t off) { return (char *)cfg + off; }

static int set_pattern(ms_config_t *cfg, const ms_option_t *opt,
                       const char *key, const char *pattern, char *err,
                       size_t errlen) {
  char why[256] = "";
  int rc = ms_matcher_add(field(cfg, opt->at[0]), pattern, why, sizeof(why));
  if (rc == -EINVAL)
    snprintf(err, errlen, "Option \"%s\": bad regex \"%s\": %s.", key, pattern,
             why);
  else if (rc != 0)
    snprintf(err, errlen, "Option \"%s\": out of memory.", key);
  return rc;
}

static int set_string(ms_config_t *cfg, const ms_option_t *opt,
                      const char *text) {
  char *copy = strdup(text);
  if (copy == NULL)
    return -ENOMEM;
  char **dst = field(cfg, opt->at[0]);
  free(*dst);
  *dst = copy;
  return 0;
}

/* A CHOICE sets an enum, which is as large as an unsigned int here. */
_Static_assert(sizeof(enum ms_naming_source) == sizeof(unsigned) &&
                   sizeof(enum ms_naming_scheme) == sizeof(unsigned),
               "the CHOICE options' enums are unsigned ints");

/* The CHOICE options (NamingSource, NamingScheme) have two values each: the
 * message says "neither ... nor". */
static int set_choice(ms_config_t *cfg, const ms_option_t *opt,
                      const char *name, const char *text, char *err,
                      size_t errlen) {
  for (unsigned i = 0; i < 2; i++) {
    if (strcasecmp(text, opt->choices[i]) == 0) {
      memcpy(field(cfg, opt->at[0]), &i, sizeof(i));
      return 0;
    }
  }
  snprintf(err, errlen, "Option \"%s\": \"%s\" is neither \"%s\" nor \"%s\".",
           name, text, opt->choices[0], opt->choices[1]);
  return -EINVAL;
}

static int set_number(ms_config_t *cfg, const ms_option_t *opt,
                      const char *name, double v, char *err, size_t errlen) {
  /* NaN fails the first test: text that is no number is out of range. */
  if (!(v >= opt->min && v <= opt->max) ||
      (opt->kind == MS_OPTION_INTEGER && v != (double)(long long)v)) {
    snprintf(err, errlen, "Option \"%s\" must be between %.0f and %.0f%s.",
             name, opt->min, opt->max, opt->unit);
    return -ERANGE;
  }
  *(size_t *)field(cfg, opt->at[0]) = (size_t)v;
  return 0;
}

int ms_config_set(ms_config_t *cfg, const char *key,
                  const ms_option_value_t *value, char *err, size_t errlen) {
  if (errlen > 0)
    err[0] = '\0';
  const ms_option_t *opt = ms_option_find(key);
  if (opt == NULL) {
    snprintf(err, errlen, "Option \"%s\" not allowed here.", key);
    return -ENOENT;
  }
  const char *name = opt->says_key_as_written ? key : opt->key;
  switch (opt->kind) {
  case MS_OPTION_BOOL:
    for (size_t i = 0; i < opt->nat; i++)
      *(bool *)field(cfg, opt->at[i]) = value->boolean;
    return 0;
  case MS_OPTION_STRING:
    return set_string(cfg, opt, value->string);
  case MS_OPTION_PATTERN:
    return set_pattern(cfg, opt, name, value->string, err, errlen);
  case MS_OPTION_CHOICE:
    return set_choice(cfg, opt, name, value->string, err, errlen);
  case MS_OPTION_NUMBER:
  case MS_OPTION_INTEGER:
    return set_number(cfg, opt, name, value->number, err, errlen);
  case MS_OPTION_UNKNOWN:
    break;
  }
  return -ENOENT; /* not reached: every table entry has a kind */
}

void ms_config_defaults(ms_config_t *cfg) {
  cfg->report_age = cfg->report_events = cfg->report_bytes = true;
  cfg->report_fscache = cfg->report_transport = cfg->report_ops = true;
  cfg->report_op_errors = true;
  cfg->report_zero_ops = cfg->report_per_transport = false;
  cfg->report_all_mountpoints = false;
  cfg->report_iostat = cfg->report_stall = false;
  cfg->sel_mountpoint.invert = cfg->sel_device.invert = false;
  cfg->sel_fstype.invert = cfg->sel_op.invert = false;
  cfg->naming = MS_NAMING_MOUNTPOINT;
  cfg->naming_scheme = MS_SCHEME_AUTO;
  cfg->max_file_size = MS_DEFAULT_MAX_FILE_SIZE;
  cfg->max_name_len = MS_DEFAULT_MAX_NAME_LEN;
}

void ms_config_free(ms_config_t *cfg) {
  free(cfg->file);
  free(cfg->mountinfo_file);
  free(cfg->sysfs_root);
  ms_matcher_free(&cfg->sel_mountpoint);
  ms_matcher_free(&cfg->sel_device);
  ms_matcher_free(&cfg->sel_fstype);
  ms_matcher_free(&cfg->sel_op);
  memset(cfg, 0, sizeof(*cfg));
  ms_config_defaults(cfg);
}

char *ms_config_derive_mountinfo(const char *file) {
  const char *suffix = "/mountstats";
  size_t len = strlen(file), sl = strlen(suffix);
  if (strncmp(file, "/proc/", 6) != 0 || len <= 6 + sl ||
      strcmp(file + len - sl, suffix) != 0 ||
      memchr(file + 6, '/', len - 6 - sl) != NULL)
    return NULL;
  char *mi = malloc(len + 1);
  if (mi == NULL)
    return NULL;
  memcpy(mi, file, len - sl);
  memcpy(mi + len - sl, "/mountinfo", sizeof("/mountinfo"));
  return mi;
}

int ms_config_finish(ms_config_t *cfg) {
  if (cfg->file == NULL && (cfg->file = strdup(MS_DEFAULT_FILE)) == NULL)
    return -ENOMEM;
  if (cfg->mountinfo_file == NULL)
    cfg->mountinfo_file = ms_config_derive_mountinfo(cfg->file);
  else if (cfg->mountinfo_file[0] == '\0') {
    free(cfg->mountinfo_file);
    cfg->mountinfo_file = NULL;
  }
  if (cfg->sysfs_root == NULL &&
      (cfg->sysfs_root = strdup(MS_DEFAULT_SYSFS_ROOT)) == NULL)
    return -ENOMEM;
  return 0;
}
