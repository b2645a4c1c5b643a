/* SPDX-License-Identifier: MIT
 *
 * collectd_stub.c: see collectd_stub.h. Our own minimal implementation of
 * the daemon functions the plugin links against.
 */
#include "collectd_stub.h"

#include "utils/common/common.h"

#include <stdarg.h>

stub_vl_t *stub_dispatched;
size_t stub_dispatched_n;
static size_t dispatched_cap;
stub_log_t *stub_logs;
size_t stub_logs_n;
static size_t logs_cap;
data_set_t *stub_data_sets;
size_t stub_data_sets_n;
cdtime_t stub_now = 1000;
int stub_known_types;

void stub_reset(void) {
  stub_dispatched_n = 0;
  stub_logs_n = 0;
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

/* ---- the daemon's API ---- */

void plugin_log(int level, const char *format, ...) {
  if (stub_logs_n == logs_cap) {
    logs_cap = logs_cap ? logs_cap * 2 : 64;
    stub_logs = realloc(stub_logs, logs_cap * sizeof(*stub_logs));
  }
  stub_log_t *l = &stub_logs[stub_logs_n++];
  l->severity = level;
  va_list ap;
  va_start(ap, format);
  vsnprintf(l->text, sizeof(l->text), format, ap);
  va_end(ap);
  if (getenv("STUB_VERBOSE"))
    fprintf(stderr, "log[%d]: %s\n", level, l->text);
}

int plugin_dispatch_values(value_list_t const *vl) {
  if (stub_dispatched_n == dispatched_cap) {
    dispatched_cap = dispatched_cap ? dispatched_cap * 2 : 256;
    stub_dispatched =
        realloc(stub_dispatched, dispatched_cap * sizeof(*stub_dispatched));
  }
  stub_vl_t *v = &stub_dispatched[stub_dispatched_n++];
  memset(v, 0, sizeof(*v));
  sstrncpy(v->plugin, vl->plugin, sizeof(v->plugin));
  sstrncpy(v->plugin_instance, vl->plugin_instance, sizeof(v->plugin_instance));
  sstrncpy(v->type, vl->type, sizeof(v->type));
  sstrncpy(v->type_instance, vl->type_instance, sizeof(v->type_instance));
  v->time = vl->time;
  v->values_len = vl->values_len;
  for (size_t i = 0; i < vl->values_len && i < STUB_MAX_VALUES; i++)
    v->values[i] = vl->values[i];
  return 0;
}

int plugin_register_complex_config(const char *type,
                                   int (*callback)(oconfig_item_t *)) {
  (void)type;
  (void)callback;
  return 0;
}

int plugin_register_init(const char *name, plugin_init_cb callback) {
  (void)name;
  (void)callback;
  return 0;
}

int plugin_register_read(const char *name, int (*callback)(void)) {
  (void)name;
  (void)callback;
  return 0;
}

int plugin_register_shutdown(const char *name, plugin_shutdown_cb callback) {
  (void)name;
  (void)callback;
  return 0;
}

int plugin_register_data_set(const data_set_t *ds) {
  stub_data_sets =
      realloc(stub_data_sets, (stub_data_sets_n + 1) * sizeof(*stub_data_sets));
  data_set_t *copy = &stub_data_sets[stub_data_sets_n++];
  *copy = *ds;
  copy->ds = malloc(ds->ds_num * sizeof(*ds->ds));
  memcpy(copy->ds, ds->ds, ds->ds_num * sizeof(*ds->ds));
  return 0;
}

const data_set_t *plugin_get_ds(const char *name) {
  if (!stub_known_types)
    return NULL;
  for (size_t i = 0; i < stub_data_sets_n; i++)
    if (strcmp(stub_data_sets[i].type, name) == 0)
      return &stub_data_sets[i];
  return NULL;
}

cdtime_t cdtime(void) { return stub_now; }

char *sstrncpy(char *dest, const char *src, size_t n) {
  if (n == 0)
    return dest;
  size_t len = strnlen(src, n - 1);
  memcpy(dest, src, len);
  dest[len] = '\0';
  return dest;
}

char *sstrerror(int errnum, char *buf, size_t buflen) {
  snprintf(buf, buflen, "%s", strerror(errnum));
  return buf;
}

static oconfig_value_t *single_value(const oconfig_item_t *ci, int type) {
  if (ci->values_num != 1 || ci->values[0].type != type)
    return NULL;
  return &ci->values[0];
}

int cf_util_get_string(const oconfig_item_t *ci, char **ret_string) {
  oconfig_value_t *v = single_value(ci, OCONFIG_TYPE_STRING);
  if (v == NULL)
    return -1;
  free(*ret_string);
  *ret_string = strdup(v->value.string);
  return *ret_string ? 0 : -1;
}

int cf_util_get_boolean(const oconfig_item_t *ci, bool *ret_bool) {
  if (ci->values_num != 1)
    return -1;
  if (ci->values[0].type == OCONFIG_TYPE_BOOLEAN) {
    *ret_bool = ci->values[0].value.boolean != 0;
    return 0;
  }
  if (ci->values[0].type == OCONFIG_TYPE_STRING) {
    const char *s = ci->values[0].value.string;
    if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0) {
      *ret_bool = true;
      return 0;
    }
    if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0) {
      *ret_bool = false;
      return 0;
    }
  }
  return -1;
}

int cf_util_get_int(const oconfig_item_t *ci, int *ret_value) {
  oconfig_value_t *v = single_value(ci, OCONFIG_TYPE_NUMBER);
  if (v == NULL)
    return -1;
  *ret_value = (int)v->value.number;
  return 0;
}

int cf_util_get_double(const oconfig_item_t *ci, double *ret_value) {
  oconfig_value_t *v = single_value(ci, OCONFIG_TYPE_NUMBER);
  if (v == NULL)
    return -1;
  *ret_value = v->value.number;
  return 0;
}
