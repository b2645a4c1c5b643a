/* SPDX-License-Identifier: MIT
 *
 * bench_stub.h: the daemon functions the plugin calls, for the benchmark.
 * plugin_dispatch_values() only counts value lists and values and adds up a
 * checksum of the values (see gen_list_checksum()): no allocation, no copy,
 * so the benchmark measures the plugin and not a recorder. A hook can be set
 * for the untimed verification and for dumping identifiers.
 */
#ifndef BENCH_STUB_H
#define BENCH_STUB_H

#include "collectd.h"

#include "plugin.h"

#include <stdint.h>

typedef struct {
  uint64_t lists;
  uint64_t values;
  uint64_t checksum;
  uint64_t logs[8]; /* by severity, LOG_ERR (3) .. LOG_DEBUG (7) */
} bench_counts_t;

extern bench_counts_t bench_counts;

/* Called for every value list when not NULL (verification, dumps). */
extern void (*bench_dispatch_hook)(const value_list_t *vl);
/* Log lines at or above this severity (lower number) go to stderr. */
extern int bench_log_print_level;

/* The data sets the plugin registered (plugin_get_ds() answers NULL, as a
 * daemon with the stock TypesDB does). */
const data_set_t *bench_find_ds(const char *type);

#endif
