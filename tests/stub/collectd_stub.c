/* SPDX-License-Identifier: MIT
 *
 * collectd_stub.c: see collectd_stub.h. Our own minimal implementation of
 * the daemon functions in `nm -D --undefined-only mountstats.so`.
 */
#include "collectd_stub.h"

#include "utils/common/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

stub_vl_t *stub_dispatched;
size_t stub_dispatched_n;
static size_t dispatched_cap;
stub_log_t *stub_logs;
size_t stub_logs_n;
static size_t logs_cap;
bool stub_recording = true;
stub_counts_t stub_counts;
void (*stub_dispatch_hook)(const value_list_t *vl);
void (*stub_log_hook)(int severity, const char *text);
int stub_log_print_level = -1;
data_set_t *stub_data_sets;
size_t stub_data_sets_n;
int stub_known_types;
cdtime_t stub_now = 1000;
int (*stub_config_cb)(oconfig_item_t *);
int (*stub_init_cb)(void);
int (*stub_read_cb)(void);
int (*stub_shutdown_cb)(void);
static char plugin_name[DATA_MAX_NAME_LEN] = "stub";

void stub_reset(void) {
  stub_dispatched_n = 0;
  stub_logs_n = 0;
  memset(&stub_counts, 0, sizeof(stub_counts));
}

void stub_reset_all(void) {
  stub_reset();
  for (size_t i = 0; i < stub_data_sets_n; i++)
    free(stub_data_sets[i].ds);
  free(stub_data_sets);
  stub_data_sets = NULL;
  stub_data_sets_n = 0;
  stub_known_types = 0;
}

const stub_vl_t *stub_find(const char *pi, const char *type, const char *ti) {
  for (size_t i = 0; i < stub_dispatched_n; i++) {
    const stub_vl_t *v = &stub_dispatched[i];
    if (strcmp(v->plugin_instance, pi) == 0 && strcmp(v->type, type) == 0 &&
        (ti == NULL || strcmp(v->type_instance, ti) == 0))
      return v;
  }
  return NULL;
}

size_t stub_count(const char *pi) {
  size_t n = 0;
  for (size_t i = 0; i < stub_dispatched_n; i++)
    if (pi == NULL || strcmp(stub_dispatched[i].plugin_instance, pi) == 0)
      n++;
  return n;
}

size_t stub_log_count(int max_severity, const char *needle) {
  size_t n = 0;
  for (size_t i = 0; i < stub_logs_n; i++)
    if (stub_logs[i].severity <= max_severity &&
        strstr(stub_logs[i].text, needle) != NULL)
      n++;
  return n;
}

const data_set_t *stub_find_ds(const char *type) {
  for (size_t i = 0; i < stub_data_sets_n; i++)
    if (strcmp(stub_data_sets[i].type, type) == 0)
      return &stub_data_sets[i];
  return NULL;
}

/* Grows *arr (of *cap elements of size) to hold one more than n. */
static void *grow(void *arr, size_t *cap, size_t n, size_t size, size_t first) {
  if (n < *cap)
    return arr;
  size_t ncap = *cap ? *cap * 2 : first;
  void *p = realloc(arr, ncap * size);
  if (p == NULL) {
    fprintf(stderr, "collectd_stub: out of memory\n");
    abort();
  }
  *cap = ncap;
  return p;
}

/* ---- the daemon's API ---- */

void plugin_log(int level, const char *format, ...) {
  if (level >= 0 && level < 8)
    stub_counts.logs[level]++;
  bool print = level <= stub_log_print_level || getenv("STUB_VERBOSE");
  if (!stub_recording && !print && stub_log_hook == NULL)
    return;
  char text[1024];
  va_list ap;
  va_start(ap, format);
  vsnprintf(text, sizeof(text), format, ap);
  va_end(ap);
  if (stub_recording) {
    stub_logs = grow(stub_logs, &logs_cap, stub_logs_n, sizeof(*stub_logs), 64);
    stub_log_t *l = &stub_logs[stub_logs_n++];
    l->severity = level;
    memcpy(l->text, text, sizeof(l->text));
  }
  if (print)
    fprintf(stderr, "log[%d]: %s\n", level, text);
  if (stub_log_hook != NULL)
    stub_log_hook(level, text);
}

int plugin_dispatch_values(value_list_t const *vl) {
  uint64_t c = 0;
  for (size_t j = 0; j < vl->values_len; j++) {
    uint64_t raw;
    memcpy(&raw, &vl->values[j], sizeof(raw));
    c += raw * (2 * j + 1);
  }
  stub_counts.lists++;
  stub_counts.values += vl->values_len;
  stub_counts.checksum += c;
  if (stub_recording) {
    stub_dispatched = grow(stub_dispatched, &dispatched_cap, stub_dispatched_n,
                           sizeof(*stub_dispatched), 256);
    stub_vl_t *v = &stub_dispatched[stub_dispatched_n++];
    memset(v, 0, sizeof(*v));
    sstrncpy(v->plugin, vl->plugin, sizeof(v->plugin));
    sstrncpy(v->plugin_instance, vl->plugin_instance,
             sizeof(v->plugin_instance));
    sstrncpy(v->type, vl->type, sizeof(v->type));
    sstrncpy(v->type_instance, vl->type_instance, sizeof(v->type_instance));
    v->time = vl->time;
    v->values_len = vl->values_len;
    for (size_t i = 0; i < vl->values_len && i < STUB_MAX_VALUES; i++)
      v->values[i] = vl->values[i];
  }
  if (stub_dispatch_hook != NULL)
    stub_dispatch_hook(vl);
  return 0;
}

int plugin_register_complex_config(const char *type,
                                   int (*callback)(oconfig_item_t *)) {
  sstrncpy(plugin_name, type, sizeof(plugin_name));
  stub_config_cb = callback;
  return 0;
}

int plugin_register_init(const char *name, plugin_init_cb callback) {
  (void)name;
  stub_init_cb = callback;
  return 0;
}

int plugin_register_read(const char *name, int (*callback)(void)) {
  (void)name;
  stub_read_cb = callback;
  return 0;
}

int plugin_register_shutdown(const char *name, plugin_shutdown_cb callback) {
  (void)name;
  stub_shutdown_cb = callback;
  return 0;
}

/* As the daemon: a type registered again replaces the one before. */
int plugin_register_data_set(const data_set_t *ds) {
  data_set_t *slot = (data_set_t *)stub_find_ds(ds->type);
  if (slot == NULL) {
    data_set_t *sets =
        realloc(stub_data_sets, (stub_data_sets_n + 1) * sizeof(*sets));
    if (sets == NULL)
      return -1;
    stub_data_sets = sets;
    slot = &stub_data_sets[stub_data_sets_n++];
  } else {
    free(slot->ds);
  }
  *slot = *ds;
  slot->ds = malloc(ds->ds_num * sizeof(*ds->ds));
  if (slot->ds == NULL)
    return -1;
  memcpy(slot->ds, ds->ds, ds->ds_num * sizeof(*ds->ds));
  return 0;
}

const data_set_t *plugin_get_ds(const char *name) {
  return stub_known_types ? stub_find_ds(name) : NULL;
}

cdtime_t cdtime(void) {
  if (stub_now != 0)
    return stub_now;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return TIMESPEC_TO_CDTIME_T(&ts);
}

/* As the daemon's (collectd 5.12 src/utils/common/common.c): strncpy, which
 * pads dest with NULs to n bytes, then a terminating NUL. */
char *sstrncpy(char *dest, const char *src, size_t n) {
  strncpy(dest, src, n);
  dest[n - 1] = '\0';
  return dest;
}

char *sstrerror(int errnum, char *buf, size_t buflen) {
  snprintf(buf, buflen, "%s", strerror(errnum));
  return buf;
}

/* The one value of ci, of type; NULL (and the daemon's error) otherwise. */
static const oconfig_value_t *single(const oconfig_item_t *ci, int type,
                                     const char *what) {
  if (ci->values_num != 1 || ci->values[0].type != type) {
    plugin_log(LOG_ERR,
               "%s plugin: The `%s' option requires exactly one %s argument.",
               plugin_name, ci->key, what);
    return NULL;
  }
  return &ci->values[0];
}

int cf_util_get_string(const oconfig_item_t *ci, char **ret_string) {
  const oconfig_value_t *v = single(ci, OCONFIG_TYPE_STRING, "string");
  if (v == NULL)
    return -1;
  char *s = strdup(v->value.string);
  if (s == NULL)
    return -1;
  free(*ret_string);
  *ret_string = s;
  return 0;
}

/* As the 5.12 daemon: a boolean, or (deprecated, with a warning) a string
 * the daemon's IS_TRUE / IS_FALSE know. */
int cf_util_get_boolean(const oconfig_item_t *ci, bool *ret_bool) {
  if (ci->values_num != 1 || (ci->values[0].type != OCONFIG_TYPE_BOOLEAN &&
                              ci->values[0].type != OCONFIG_TYPE_STRING)) {
    plugin_log(LOG_ERR,
               "%s plugin: The `%s' option requires exactly one boolean "
               "argument.",
               plugin_name, ci->key);
    return -1;
  }
  if (ci->values[0].type == OCONFIG_TYPE_BOOLEAN) {
    *ret_bool = ci->values[0].value.boolean != 0;
    return 0;
  }
  const char *s = ci->values[0].value.string;
  plugin_log(LOG_WARNING,
             "%s plugin: Using string value `%s' for boolean option `%s' is "
             "deprecated and will be removed in future releases. Use "
             "unquoted true or false instead.",
             plugin_name, s, ci->key);
  if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
      strcasecmp(s, "on") == 0) {
    *ret_bool = true;
    return 0;
  }
  if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 ||
      strcasecmp(s, "off") == 0) {
    *ret_bool = false;
    return 0;
  }
  plugin_log(LOG_ERR,
             "%s plugin: Cannot parse string value `%s' of the `%s' option "
             "as a boolean value.",
             plugin_name, s, ci->key);
  return -1;
}

int cf_util_get_int(const oconfig_item_t *ci, int *ret_value) {
  const oconfig_value_t *v = single(ci, OCONFIG_TYPE_NUMBER, "numeric");
  if (v == NULL)
    return -1;
  *ret_value = (int)v->value.number;
  return 0;
}

int cf_util_get_double(const oconfig_item_t *ci, double *ret_value) {
  const oconfig_value_t *v = single(ci, OCONFIG_TYPE_NUMBER, "numeric");
  if (v == NULL)
    return -1;
  *ret_value = v->value.number;
  return 0;
}
