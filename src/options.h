/* SPDX-License-Identifier: MIT
 *
 * options.h: the collector's configuration, its defaults and the checks on
 * option values, shared by the collectd plugin (which reads it from
 * <Plugin mountstats>) and the dry-run tool (which reads it from flags).
 * Messages about bad values are the callers'. No I/O, no collectd header.
 */
#ifndef MOUNTSTATS_OPTIONS_H
#define MOUNTSTATS_OPTIONS_H

#include "matcher.h"

#include <stdbool.h>
#include <stddef.h>

/* Default cap on the size of the file (a real one is ~4 kB per mount). */
#define MS_DEFAULT_MAX_FILE_SIZE (256u << 20)
/* MaxFileSize bounds, bytes. */
#define MS_MAX_FILE_SIZE_MIN 4096.0
#define MS_MAX_FILE_SIZE_MAX 4294967296.0
/* Default longest instance name. write_graphite formats each value list in
 * a 1428-byte buffer and drops the value list when it does not fit: with 8
 * data sources (nfs_op) and 64-byte names, host name and Prefix may take
 * ~30 bytes with 20-digit values and 20-character op names, ~48 with
 * 12-digit values. */
#define MS_DEFAULT_MAX_NAME_LEN 64
#define MS_DEFAULT_FILE "/proc/self/mountstats"
/* Where ReportStall reads the kernel's sunrpc and NFS sysfs trees. */
#define MS_DEFAULT_SYSFS_ROOT "/sys"

enum ms_naming_source { MS_NAMING_MOUNTPOINT = 0, MS_NAMING_DEVICE };
/* NamingScheme: "auto" names well-known container volumes after the volume
 * and suffixes clashes by path (naming.h); "path" is the df rule alone, with
 * clashes suffixed in file order, as before 0.2. */
enum ms_naming_scheme { MS_SCHEME_AUTO = 0, MS_SCHEME_PATH };

/* Zero-initialise, then ms_config_defaults(); free with ms_config_free(). */
typedef struct {
  char *file;           /* the mountstats file; NULL until ms_config_finish */
  char *mountinfo_file; /* NULL: derived from file; "": not used */
  char *sysfs_root;     /* SysfsRoot; NULL until ms_config_finish ("/sys");
                           "": never read (the estimate for every mount) */
  ms_matcher_t sel_mountpoint, sel_device, sel_fstype, sel_op;
  bool ignore_selected, ignore_selected_op;
  bool report_age, report_events, report_bytes, report_fscache;
  bool report_transport, report_ops, report_op_errors;
  bool report_zero_ops, report_per_transport, report_all_mountpoints;
  bool report_iostat, report_stall;
  enum ms_naming_source naming;
  enum ms_naming_scheme naming_scheme;
  size_t max_name_len;
  size_t max_file_size;
} ms_config_t;

/* The boolean options: their names as in collectd.conf and where they are. */
typedef struct {
  const char *key;
  size_t offset; /* of the bool in ms_config_t */
} ms_config_bool_t;

extern const ms_config_bool_t ms_config_bools[];
extern const size_t ms_config_bools_num;

/* Sets every option to its default (keeps nothing; frees nothing). */
void ms_config_defaults(ms_config_t *cfg);

/* Frees what cfg owns and sets the defaults again. */
void ms_config_free(ms_config_t *cfg);

/* The bool the option key (any case) sets; NULL when key is no boolean
 * option. */
bool *ms_config_bool(ms_config_t *cfg, const char *key);

/* The pattern list of MountPoint, Device, FSType or Operation (any case);
 * NULL for another key. */
ms_matcher_t *ms_config_patterns(ms_config_t *cfg, const char *key);

/* NamingSource: "MountPoint" or "Device" (any case). Returns 0 or -EINVAL. */
int ms_config_set_naming(ms_config_t *cfg, const char *value);

/* NamingScheme: "auto" or "path" (any case). Returns 0 or -EINVAL. */
int ms_config_set_naming_scheme(ms_config_t *cfg, const char *value);

/* MaxFileSize in bytes, MS_MAX_FILE_SIZE_MIN..MS_MAX_FILE_SIZE_MAX.
 * Returns 0 or -ERANGE (cfg unchanged). */
int ms_config_set_max_file_size(ms_config_t *cfg, double bytes);

/* MaxNameLength, MS_NAME_MIN..MS_NAME_MAX. Returns 0 or -ERANGE. */
int ms_config_set_max_name_len(ms_config_t *cfg, int len);

/* /proc/<pid>/mountstats -> /proc/<pid>/mountinfo, newly allocated; NULL for
 * other files (or out of memory). */
char *ms_config_derive_mountinfo(const char *file);

/* Completes cfg after the options: File defaults to MS_DEFAULT_FILE,
 * MountInfoFile to the one derived from File, "" to none (NULL), SysfsRoot
 * to MS_DEFAULT_SYSFS_ROOT. Returns 0 or -ENOMEM. */
int ms_config_finish(ms_config_t *cfg);

#endif
