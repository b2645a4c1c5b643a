/* SPDX-License-Identifier: MIT
 *
 * emit.h: the records of an interval's reported mounts, as the metric
 * contract (metrics.h) says: per mount age, events, bytes, fscache,
 * transports (once per connection), stall, operations, iostat; each with as
 * many values as its type has data sources, DERIVE or GAUGE as the table
 * says, taken from the counters it names. Keeps what lives across
 * intervals for that: ReportIostat's previous samples, ReportStall's state,
 * the unknown transports already noted. Allocates nothing once its tables
 * have grown to the mount set. No I/O, no collectd header.
 */
#ifndef MOUNTSTATS_EMIT_H
#define MOUNTSTATS_EMIT_H

#include "iostat.h"
#include "keyset.h"
#include "log.h"
#include "metrics.h"
#include "mountstats.h"
#include "options.h"
#include "plan.h"
#include "stall.h"
#include "waiting.h"

#include <stddef.h>
#include <stdint.h>

/* One value of a record: which member is set follows the record's type
 * (ms_metric_is_gauge). Same layout as collectd's value_t for these two. */
typedef union {
  int64_t derive;
  double gauge;
} ms_value_t;

/* One value list to be. plugin_instance and type point at data that stays
 * the same for the whole run (a caller may compare the pointers to keep
 * fields it already set); type_instance holds type_instance_len bytes, not
 * necessarily NUL-terminated ("" and 0 for none). */
typedef struct {
  const char *plugin_instance;
  const ms_metric_type_t *type;
  const char *type_instance;
  size_t type_instance_len;
  const ms_value_t *values; /* type->ds_num values */
  size_t values_len;
} ms_record_t;

typedef void (*ms_sink_fn)(void *ctx, const ms_record_t *rec);

/* Zero-initialise, then set sink and ctx; free with ms_emit_free(). */
typedef struct {
  ms_sink_fn sink;
  void *ctx;
  ms_keyset_t other_xprt_prev_, other_xprt_cur_; /* unknown words noted */
  ms_iostat_table_t iostat_;
  ms_op_avg_t *op_avg_;   /* ReportIostat: one mount's per-op averages */
  unsigned char *op_has_; /* ...and which ops have one */
  size_t op_avg_cap_;
  ms_stall_table_t stall_;
} ms_emit_t;

/* What one interval's records are made of. */
typedef struct {
  const ms_config_t *cfg;
  const ms_snapshot_t *snap;
  const ms_plan_t *plan;       /* the reported records, their names */
  const ms_waiting_t *waiting; /* ReportStall: prepared for this plan */
  const ms_log_t *log;         /* unknown transports, ReportStall's routes */
  double now;                  /* seconds: the time of the read */
} ms_emit_input_t;

/* Sends the records of every reported mount of in->plan to e->sink, in
 * the plan's order. Returns 0, or -ENOMEM when some records could not be
 * made (a mount's iostat averages, its stall values), or an unknown
 * transport's note not remembered (it is made again): the others are sent. */
int ms_emit_records(ms_emit_t *e, const ms_emit_input_t *in);

void ms_emit_free(ms_emit_t *e);

/* The kernel's 64 bits as a signed 64-bit value: 2^64-k becomes -k, so a
 * negative quantity printed unsigned keeps collectd's DERIVE arithmetic
 * right. */
int64_t ms_derive(uint64_t v);

#endif
