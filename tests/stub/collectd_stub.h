/* SPDX-License-Identifier: MIT
 *
 * collectd_stub.h: the one stand-in for the parts of the collectd daemon the
 * plugin calls, for the C tests, the soak and the benchmark. It behaves like
 * the collectd 5.12 daemon where that shows: sstrncpy pads with NULs,
 * cf_util_get_boolean takes a boolean, or a string "true"/"yes"/"on" or
 * "false"/"no"/"off" with the daemon's deprecation warning, and nothing
 * else; a data set registered again replaces the one before.
 *
 * By default it records what the plugin does (value lists, log lines) so
 * unit tests can check it. With stub_recording false it only counts and
 * checksums, allocating nothing per value list (the benchmark, the soak);
 * hooks see every value list and log line either way. Integration tests use
 * the real daemon.
 */
#ifndef COLLECTD_STUB_H
#define COLLECTD_STUB_H

#include "collectd.h"

#include "plugin.h"

#include <stdbool.h>
#include <stdint.h>

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

/* Kept while stub_recording is true. */
extern stub_vl_t *stub_dispatched;
extern size_t stub_dispatched_n;
extern stub_log_t *stub_logs;
extern size_t stub_logs_n;
/* Record value lists and log lines (default); false: count only. */
extern bool stub_recording;

/* Always kept: value lists, values, a checksum of the values (each raw
 * 64-bit value times 2k+1 for its position k, summed), log lines by
 * severity (LOG_ERR 3 .. LOG_DEBUG 7). */
typedef struct {
  uint64_t lists;
  uint64_t values;
  uint64_t checksum;
  uint64_t logs[8];
} stub_counts_t;
extern stub_counts_t stub_counts;

/* Called for every value list / log line when not NULL. */
extern void (*stub_dispatch_hook)(const value_list_t *vl);
extern void (*stub_log_hook)(int severity, const char *text);
/* Log lines at or above this severity (lower number) are printed to stderr;
 * -1 (default): none, unless STUB_VERBOSE is set in the environment. */
extern int stub_log_print_level;

/* The data sets the plugin registered. */
extern data_set_t *stub_data_sets;
extern size_t stub_data_sets_n;
/* When set, plugin_get_ds() answers from stub_data_sets; otherwise it
 * answers NULL, like a daemon whose TypesDB lacks our types. */
extern int stub_known_types;
/* What cdtime() returns; 0: the real clock. */
extern cdtime_t stub_now;

/* The callbacks the plugin registered (NULL: none). */
extern int (*stub_config_cb)(oconfig_item_t *);
extern int (*stub_init_cb)(void);
extern int (*stub_read_cb)(void);
extern int (*stub_shutdown_cb)(void);

/* Forgets what was recorded and counted (not the registered data sets). */
void stub_reset(void);
/* Forgets the registered data sets too, and stub_known_types. */
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
/* The registered data set of type, or NULL (whatever stub_known_types). */
const data_set_t *stub_find_ds(const char *type);

#endif
