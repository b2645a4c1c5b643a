/* SPDX-License-Identifier: MIT
 *
 * collectd_stub.h: a stand-in for the parts of the collectd daemon the
 * plugin calls, recording what the plugin does so unit tests can check it.
 * Integration tests use the real daemon.
 */
#ifndef COLLECTD_STUB_H
#define COLLECTD_STUB_H

#include "collectd.h"

#include "plugin.h"

#define STUB_MAX_VALUES 64

typedef struct {
  char plugin[DATA_MAX_NAME_LEN];
  char plugin_instance[DATA_MAX_NAME_LEN];
  char type[DATA_MAX_NAME_LEN];
  char type_instance[DATA_MAX_NAME_LEN];
  cdtime_t time;
  size_t values_len;
  value_t values[STUB_MAX_VALUES];
} stub_vl_t;

typedef struct {
  int severity;
  char text[1024];
} stub_log_t;

extern stub_vl_t *stub_dispatched;
extern size_t stub_dispatched_n;
extern stub_log_t *stub_logs;
extern size_t stub_logs_n;
extern data_set_t *stub_data_sets;
extern size_t stub_data_sets_n;
extern cdtime_t stub_now;
/* When set, plugin_get_ds() answers from stub_data_sets; otherwise it
 * answers NULL, like a daemon whose TypesDB lacks our types. */
extern int stub_known_types;

/* Forgets what was recorded (not the registered data sets). */
void stub_reset(void);
/* Forgets the registered data sets too. */
void stub_reset_all(void);
/* The first recorded value list with these fields (NULL type_instance: any),
 * or NULL. */
const stub_vl_t *stub_find(const char *plugin_instance, const char *type,
                           const char *type_instance);
/* Value lists recorded for plugin_instance (NULL: all). */
size_t stub_count(const char *plugin_instance);
/* Log lines at or below severity (LOG_ERR < LOG_WARNING < ...) containing
 * needle. */
size_t stub_log_count(int max_severity, const char *needle);

#endif
