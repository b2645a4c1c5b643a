/* SPDX-License-Identifier: MIT
 *
 * options.h: the collector's configuration: its defaults, and its options
 * as data (df.c's config_keys[], with kinds, limits and messages), set
 * through one entry point by the collectd plugin (which reads
 * <Plugin mountstats> with collectd's typing) and the dry-run tool (which
 * reads flags), so that both check and say the same. No I/O, no collectd
 * header.
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
  /* the selection lists; IgnoreSelected inverts the first three,
   * IgnoreSelectedOperation sel_op */
  ms_matcher_t sel_mountpoint, sel_device, sel_fstype, sel_op;
  bool report_age, report_events, report_bytes, report_fscache;
  bool report_transport, report_ops, report_op_errors;
  bool report_zero_ops, report_per_transport, report_all_mountpoints;
  bool report_iostat, report_stall;
  enum ms_naming_source naming;
  enum ms_naming_scheme naming_scheme;
  size_t max_name_len;
  size_t max_file_size;
} ms_config_t;

/* What a front end reads for an option: the value's type in collectd.conf
 * (the plugin reads it with collectd's cf_util_get_*), or how the text of a
 * flag is read (the dry-run tool). */
enum ms_option_kind {
  MS_OPTION_UNKNOWN = 0, /* no such option */
  MS_OPTION_BOOL,        /* true or false */
  MS_OPTION_STRING,      /* one string: a file or folder */
  MS_OPTION_PATTERN,     /* one or more strings, each exact or /regex/;
                            every line adds to the list */
  MS_OPTION_CHOICE,      /* one string of a fixed list */
  MS_OPTION_NUMBER,      /* a number within limits */
  MS_OPTION_INTEGER,     /* a whole number within limits */
};

/* Most fields one option sets (IgnoreSelected: three lists). */
#define MS_OPTION_FIELDS_MAX 3

/* One option of <Plugin mountstats>: the table is the one list of the
 * options, their kinds, limits and messages. */
typedef struct {
  const char *key; /* as in collectd.conf; matched in any case */
  enum ms_option_kind kind;
  size_t at[MS_OPTION_FIELDS_MAX]; /* offsets in ms_config_t of what it
                                      sets: bool, char *, ms_matcher_t,
                                      an enum or size_t */
  size_t nat;
  double min, max;            /* NUMBER, INTEGER: the limits, inclusive */
  const char *unit;           /* NUMBER, INTEGER: said after the limits */
  const char *const *choices; /* CHOICE: the two values, in the order of
                                 the enum it sets */
  bool says_key_as_written;   /* its messages name the key as the user
                                 wrote it, else as .key spells it */
} ms_option_t;

extern const ms_option_t ms_options[];
extern const size_t ms_options_num;

/* The option that key names (in any case), or NULL. */
const ms_option_t *ms_option_find(const char *key);

/* The name of a kind, for listings ("bool", "string", ...). */
const char *ms_option_kind_name(enum ms_option_kind kind);

/* A value as the front end read it, in the member the option's kind says. */
typedef struct {
  bool boolean;       /* BOOL */
  double number;      /* NUMBER, INTEGER; NaN for text that is no number */
  const char *string; /* STRING, CHOICE, PATTERN (one pattern) */
} ms_option_value_t;

/* Room enough for any message of ms_config_set(): this many bytes more
 * than the key and the value take (the messages quote them). */
#define MS_OPTION_ERR_MIN 512

/* Sets option key (as the user wrote it, any case) from value: a PATTERN
 * adds one pattern to its list, the others replace what was set. Returns
 * 0; -ENOENT for no such option; -EINVAL for a bad regex or a value not
 * among the choices; -ERANGE for a number outside the limits (or not whole
 * for an INTEGER, or NaN); -ENOMEM. On an error, err (errlen bytes)
 * receives the message both front ends print after "mountstats plugin: "
 * (empty for a string that could not be copied), and cfg is unchanged. */
int ms_config_set(ms_config_t *cfg, const char *key,
                  const ms_option_value_t *value, char *err, size_t errlen);

/* The message both front ends print, after "mountstats plugin: ", when an
 * option was refused (%s: the key as written). */
#define MS_OPTION_INVALID_FMT "invalid configuration (option \"%s\")."

/* Sets every option to its default (keeps nothing; frees nothing). */
void ms_config_defaults(ms_config_t *cfg);

/* Frees what cfg owns and sets the defaults again. */
void ms_config_free(ms_config_t *cfg);

/* /proc/<pid>/mountstats -> /proc/<pid>/mountinfo, newly allocated; NULL for
 * other files (or out of memory). */
char *ms_config_derive_mountinfo(const char *file);

/* Completes cfg after the options: File defaults to MS_DEFAULT_FILE,
 * MountInfoFile to the one derived from File, "" to none (NULL), SysfsRoot
 * to MS_DEFAULT_SYSFS_ROOT. Returns 0 or -ENOMEM. */
int ms_config_finish(ms_config_t *cfg);

#endif
