/* SPDX-License-Identifier: MIT
 *
 * collector.h: the collector core. Given the bytes of a mountstats file (and
 * of the matching mountinfo file), the time and a configuration, it parses,
 * selects, groups superblocks and connections, names the mounts and emits
 * each value record (plugin instance, type, type instance, values) to a
 * sink the caller gives; what it has to say goes to a logger the caller
 * gives, already formatted, with the rate limits of the plugin applied.
 *
 * Everything that lives across intervals sits in one ms_collector_t the
 * caller creates and destroys: no globals, no collectd header, no I/O
 * (the caller reads the files: plugin/readfile.h; ReportStall's sysfs
 * reads go through the calls the caller gives: fs.h, plugin/sysfs.h). Once its
 * arrays have grown to the mount set, a run allocates nothing.
 *
 * The data path of one run:
 *   bytes --ms_parse--> snapshot --select (config, mountinfo)--> kept records
 *   --superblocks, connections--> one record per superblock --naming-->
 *   instance names --records--> sink
 */
#ifndef MOUNTSTATS_COLLECTOR_H
#define MOUNTSTATS_COLLECTOR_H

#include "fs.h"
#include "metrics.h"
#include "mountstats.h"
#include "options.h"

#include <stddef.h>
#include <stdint.h>

/* Log levels, syslog's numbers (collectd's LOG_ERR .. LOG_INFO). */
#define MS_LOG_ERR 3
#define MS_LOG_WARNING 4
#define MS_LOG_NOTICE 5
#define MS_LOG_INFO 6

/* Longest log line handed to the logger, NUL included (collectd's
 * plugin_log formats into 1024 bytes too). */
#define MS_LOG_LINE_MAX 1024

/* A read error of the caller's that is not an errno value: the file is a
 * FIFO, device or socket, which is never read (plugin/readfile.h). */
#define MS_ENOTREG (-1)

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
/* msg is one line without the newline, the plugin prefix included:
 * "mountstats plugin: ...". */
typedef void (*ms_logger_fn)(void *ctx, int level, const char *msg);

typedef struct ms_collector ms_collector_t;

/* What the caller read for one interval. */
typedef struct {
  const char *buf; /* the mountstats file's bytes (len of them) */
  size_t len;
  int err; /* 0, or why the file could not be read: an errno value (EFBIG:
              over MaxFileSize) or MS_ENOTREG; buf is then not looked at */
  const char *mi_buf; /* the mountinfo file's bytes, or NULL: none */
  size_t mi_len;
  int mi_err; /* 0, or why the configured mountinfo file could not be read */
  double now; /* seconds; the time of this read */
  /* ReportStall: the sysfs to read the kernel's RPC queues from (fs.h), or
   * NULL for none (every mount gets the estimate) */
  const ms_fs_t *sysfs;
} ms_input_t;

/* Creates a collector for cfg, which the caller keeps alive (and finished,
 * see ms_config_finish) until ms_collector_free; changes to it apply from
 * the next run. sink and logger get ctx. Returns NULL when out of memory. */
ms_collector_t *ms_collector_new(const ms_config_t *cfg, ms_sink_fn sink,
                                 ms_logger_fn logger, void *ctx);

/* One interval. With in->err set, only logs (each kind of failure at most
 * once a minute) and emits nothing. Otherwise emits the records of the
 * file's mounts to the sink, in order: per reported mount age, events,
 * bytes, fscache, transports, stall, operations, iostat. Returns 0, or -ENOMEM
 * (logged; the records emitted before stay emitted). */
int ms_collector_run(ms_collector_t *c, const ms_input_t *in);

/* Frees c and everything it holds (not the configuration). NULL is fine. */
void ms_collector_free(ms_collector_t *c);

/* How one NFS record of the last run was named (mountstats-dryrun
 * --explain-names). */
typedef struct {
  ms_span_t mountpoint; /* still \ooo-escaped, as in the file */
  const char *name;     /* the plugin instance it is reported under; NULL:
                           not reported (not selected) */
  const char *rule;     /* how that name was made: "path", "k8s-csi", ... */
  bool shared;          /* one superblock with an earlier mount point: reported
                           under that one's name */
} ms_name_explain_t;

/* Fills out (room for max) for the NFS records of the last run, in file
 * order, and returns how many there are (possibly more than max). */
size_t ms_collector_explain_names(const ms_collector_t *c,
                                  ms_name_explain_t *out, size_t max);

/* Bytes of snapshot arrays c holds (for the benchmark's memory report). */
size_t ms_collector_snapshot_bytes(const ms_collector_t *c);

/* The kernel's 64 bits as a signed 64-bit value: 2^64-k becomes -k, so a
 * negative quantity printed unsigned keeps collectd's DERIVE arithmetic
 * right. */
int64_t ms_derive(uint64_t v);

/* Makes a printable copy of len bytes at p for a log message: bytes outside
 * printable ASCII (and the backslash) as \ooo, cut with "..." to fit size
 * (> 4). */
void ms_printable(char *out, size_t size, const char *p, size_t len);

#endif
