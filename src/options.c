/* SPDX-License-Identifier: MIT
 *
 * options.c: see options.h for the contract.
 */
#include "options.h"

#include "naming.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BOOL_OPTION(key, field)                                                \
  { key, offsetof(ms_config_t, field) }

const ms_config_bool_t ms_config_bools[] = {
    BOOL_OPTION("IgnoreSelected", ignore_selected),
    BOOL_OPTION("IgnoreSelectedOperation", ignore_selected_op),
    BOOL_OPTION("ReportAge", report_age),
    BOOL_OPTION("ReportEvents", report_events),
    BOOL_OPTION("ReportBytes", report_bytes),
    BOOL_OPTION("ReportFsCache", report_fscache),
    BOOL_OPTION("ReportTransport", report_transport),
    BOOL_OPTION("ReportOperations", report_ops),
    BOOL_OPTION("ReportOpErrors", report_op_errors),
    BOOL_OPTION("ReportZeroOps", report_zero_ops),
    BOOL_OPTION("ReportPerTransport", report_per_transport),
    BOOL_OPTION("ReportAllMountPoints", report_all_mountpoints),
    BOOL_OPTION("ReportIostat", report_iostat),
    BOOL_OPTION("ReportStall", report_stall),
};
const size_t ms_config_bools_num =
    sizeof(ms_config_bools) / sizeof(ms_config_bools[0]);

void ms_config_defaults(ms_config_t *cfg) {
  cfg->report_age = cfg->report_events = cfg->report_bytes = true;
  cfg->report_fscache = cfg->report_transport = cfg->report_ops = true;
  cfg->report_op_errors = true;
  cfg->report_zero_ops = cfg->report_per_transport = false;
  cfg->report_all_mountpoints = false;
  cfg->report_iostat = cfg->report_stall = false;
  cfg->ignore_selected = cfg->ignore_selected_op = false;
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

bool *ms_config_bool(ms_config_t *cfg, const char *key) {
  for (size_t i = 0; i < ms_config_bools_num; i++)
    if (strcasecmp(key, ms_config_bools[i].key) == 0)
      return (bool *)((char *)cfg + ms_config_bools[i].offset);
  return NULL;
}

ms_matcher_t *ms_config_patterns(ms_config_t *cfg, const char *key) {
  if (strcasecmp(key, "MountPoint") == 0)
    return &cfg->sel_mountpoint;
  if (strcasecmp(key, "Device") == 0)
    return &cfg->sel_device;
  if (strcasecmp(key, "FSType") == 0)
    return &cfg->sel_fstype;
  if (strcasecmp(key, "Operation") == 0)
    return &cfg->sel_op;
  return NULL;
}

int ms_config_set_naming(ms_config_t *cfg, const char *value) {
  if (strcasecmp(value, "MountPoint") == 0)
    cfg->naming = MS_NAMING_MOUNTPOINT;
  else if (strcasecmp(value, "Device") == 0)
    cfg->naming = MS_NAMING_DEVICE;
  else
    return -EINVAL;
  return 0;
}

int ms_config_set_naming_scheme(ms_config_t *cfg, const char *value) {
  if (strcasecmp(value, "auto") == 0)
    cfg->naming_scheme = MS_SCHEME_AUTO;
  else if (strcasecmp(value, "path") == 0)
    cfg->naming_scheme = MS_SCHEME_PATH;
  else
    return -EINVAL;
  return 0;
}

int ms_config_set_max_file_size(ms_config_t *cfg, double v) {
  if (!(v >= MS_MAX_FILE_SIZE_MIN && v <= MS_MAX_FILE_SIZE_MAX))
    return -ERANGE;
  cfg->max_file_size = (size_t)v;
  return 0;
}

int ms_config_set_max_name_len(ms_config_t *cfg, int v) {
  if (v < MS_NAME_MIN || v > MS_NAME_MAX)
    return -ERANGE;
  cfg->max_name_len = (size_t)v;
  return 0;
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
