/* SPDX-License-Identifier: MIT
 *
 * bench_stub.c: see bench_stub.h. Our own minimal implementation of the
 * daemon functions in `nm -D --undefined-only mountstats.so`.
 */
#include "bench_stub.h"

#include "utils/common/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_SETS 32
#define MAX_DS 32

bench_counts_t bench_counts;
void (*bench_dispatch_hook)(const value_list_t *vl);
int bench_log_print_level = LOG_WARNING;

static data_set_t sets[MAX_SETS];
static data_source_t sources[MAX_SETS][MAX_DS];
static size_t nsets;

const data_set_t *bench_find_ds(const char *type) {
  for (size_t i = 0; i < nsets; i++)
    if (strcmp(sets[i].type, type) == 0)
      return &sets[i];
  return NULL;
}

void plugin_log(int level, const char *format, ...) {
  if (level >= 0 && level < 8)
    bench_counts.logs[level]++;
  if (level > bench_log_print_level)
    return;
  char text[1024];
  va_list ap;
  va_start(ap, format);
  vsnprintf(text, sizeof(text), format, ap);
  va_end(ap);
  fprintf(stderr, "log[%d]: %s\n", level, text);
}

int plugin_dispatch_values(value_list_t const *vl) {
  uint64_t c = 0;
  for (size_t j = 0; j < vl->values_len; j++) {
    uint64_t raw;
    memcpy(&raw, &vl->values[j], sizeof(raw));
    c += raw * (2 * j + 1);
  }
  bench_counts.lists++;
  bench_counts.values += vl->values_len;
  bench_counts.checksum += c;
  if (bench_dispatch_hook != NULL)
    bench_dispatch_hook(vl);
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
  if (bench_find_ds(ds->type) != NULL)
    return 0;
  if (nsets >= MAX_SETS || ds->ds_num > MAX_DS)
    return -1;
  sets[nsets] = *ds;
  sets[nsets].ds = sources[nsets];
  memcpy(sources[nsets], ds->ds, ds->ds_num * sizeof(*ds->ds));
  nsets++;
  return 0;
}

const data_set_t *plugin_get_ds(const char *name) {
  (void)name;
  return NULL;
}

cdtime_t cdtime(void) {
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

static const oconfig_value_t *single(const oconfig_item_t *ci, int type) {
  if (ci->values_num != 1 || ci->values[0].type != type)
    return NULL;
  return &ci->values[0];
}

int cf_util_get_string(const oconfig_item_t *ci, char **ret_string) {
  const oconfig_value_t *v = single(ci, OCONFIG_TYPE_STRING);
  if (v == NULL)
    return -1;
  char *s = strdup(v->value.string);
  if (s == NULL)
    return -1;
  free(*ret_string);
  *ret_string = s;
  return 0;
}

int cf_util_get_boolean(const oconfig_item_t *ci, bool *ret_bool) {
  const oconfig_value_t *v = single(ci, OCONFIG_TYPE_BOOLEAN);
  if (v == NULL)
    return -1;
  *ret_bool = v->value.boolean != 0;
  return 0;
}

int cf_util_get_int(const oconfig_item_t *ci, int *ret_value) {
  const oconfig_value_t *v = single(ci, OCONFIG_TYPE_NUMBER);
  if (v == NULL)
    return -1;
  *ret_value = (int)v->value.number;
  return 0;
}

int cf_util_get_double(const oconfig_item_t *ci, double *ret_value) {
  const oconfig_value_t *v = single(ci, OCONFIG_TYPE_NUMBER);
  if (v == NULL)
    return -1;
  *ret_value = v->value.number;
  return 0;
}
