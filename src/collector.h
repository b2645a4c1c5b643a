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
 * (the caller reads the files: io/readfile.h; ReportStall's sysfs
 * reads go through the calls the caller gives: fs.h, io/sysfs.h). Once its
 * arrays have grown to the mount set, a run allocates nothing.
 *
 * The data path of one run, a unit each:
 *   bytes --ms_parse (mountstats.h)--> snapshot
 *   --ms_plan_make (plan.h: selection, mountinfo, superblocks, connections,
 *   names)--> plan --ms_waiting_prepare (waiting.h, ReportStall)-->
 *   --ms_emit_records (emit.h, the contract of metrics.h)--> sink
 * Its own part is what goes around them: the read failures and malformed
 * lines it logs (log.h, keyset.h), and keeping the plan while the
 * intervals complete.
 */
#ifndef MOUNTSTATS_COLLECTOR_H
#define MOUNTSTATS_COLLECTOR_H

#include "emit.h" /* ms_record_t, ms_sink_fn */
#include "fs.h"
#include "log.h" /* ms_logger_fn */
#include "metrics.h"
#include "mountstats.h"
#include "options.h"

#include <stddef.h>
#include <stdint.h>

/* A read error of the caller's that is not an errno value: the file is a
 * FIFO, device or socket, which is never read (io/readfile.h). */
#define MS_ENOTREG (-1)

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
 * (logged once): out of memory while parsing, selecting or grouping stops
 * the run (the records emitted before stay emitted); while emitting, it
 * costs only the records that could not be made; while remembering that a
 * malformed line or an unknown transport was logged, only that memory (the
 * line is logged again). */
int ms_collector_run(ms_collector_t *c, const ms_input_t *in);

/* Frees c and everything it holds (not the configuration). NULL is fine. */
void ms_collector_free(ms_collector_t *c);

/* Fills out (room for max) for the NFS records of the last run, in file
 * order, and returns how many there are (possibly more than max). */
size_t ms_collector_explain_names(const ms_collector_t *c,
                                  ms_name_explain_t *out, size_t max);

/* Bytes of snapshot arrays c holds (for the benchmark's memory report). */
size_t ms_collector_snapshot_bytes(const ms_collector_t *c);

#endif
