/* SPDX-License-Identifier: MIT
 *
 * log.h: the collector's log lines. Each is formatted into one line that
 * starts with the plugin's prefix and handed to the caller's logger; a
 * failure that repeats is logged once per period for each of its kinds;
 * bytes from the input are made printable before they go into a line.
 * (What is logged once while it persists uses keyset.h.) No I/O, no
 * collectd header.
 */
#ifndef MOUNTSTATS_LOG_H
#define MOUNTSTATS_LOG_H

#include "metrics.h" /* MS_PLUGIN_NAME */
#include "span.h"

#include <stdbool.h>
#include <stddef.h>

/* Log levels, syslog's numbers (collectd's LOG_ERR .. LOG_INFO). */
#define MS_LOG_ERR 3
#define MS_LOG_WARNING 4
#define MS_LOG_NOTICE 5
#define MS_LOG_INFO 6

/* Longest log line handed to the logger, NUL included (collectd's
 * plugin_log formats into 1024 bytes too). */
#define MS_LOG_LINE_MAX 1024

/* What every line starts with. */
#define MS_LOG_PREFIX MS_PLUGIN_NAME " plugin: "

/* msg is one line without the newline, the plugin prefix included:
 * "mountstats plugin: ...". */
typedef void (*ms_logger_fn)(void *ctx, int level, const char *msg);

/* Kinds of failure whose last line is remembered (ms_log_due). */
#define MS_LOG_KINDS 8

/* Zero-initialise, then set fn and ctx. */
typedef struct {
  ms_logger_fn fn;
  void *ctx;
  struct {
    int kind;
    double time; /* 0: never */
  } last_[MS_LOG_KINDS];
} ms_log_t;

/* Formats one line (cut to MS_LOG_LINE_MAX - 1 bytes) and hands it to the
 * logger. fmt includes the prefix (MS_LOG_PREFIX "..."). */
__attribute__((format(printf, 3, 4))) void ms_log(const ms_log_t *l, int level,
                                                  const char *fmt, ...);

/* True when a line about kind (an errno value, say) may be logged at now
 * (seconds): none was in the last every seconds; now is then remembered
 * for kind. A clock that went back counts as the period gone by. The last
 * MS_LOG_KINDS kinds are remembered; a new one takes the place of the one
 * logged longest ago. */
bool ms_log_due(ms_log_t *l, int kind, double now, double every);

/* Makes a printable copy of len bytes at p for a log line: bytes outside
 * printable ASCII (and the backslash) as \ooo, cut with "..." to fit size
 * (> 4). */
void ms_printable(char *out, size_t size, const char *p, size_t len);

/* A mount point or device of the file (still \ooo-escaped) fit for a log
 * line: decoded, then made printable, cut to fit size (> 4). */
void ms_log_path(char *out, size_t size, ms_span_t s);

#endif
