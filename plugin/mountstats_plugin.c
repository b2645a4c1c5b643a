/* SPDX-License-Identifier: MIT
 *
 * collectd mountstats plugin: NFS client statistics per mount and per
 * operation, from /proc/self/mountstats.
 *
 * This file is the glue to collectd only: the <Plugin mountstats> block
 * becomes an ms_config_t (src/options.h); each interval the read callback
 * reads the whole file (and mountinfo) into reused buffers, hands the bytes
 * to the collector core (src/collector.h), and turns each record it emits
 * into a value list with one timestamp for the snapshot. The file is only
 * ever read: no mount point is stat()ed or statfs()ed, so a dead NFS server
 * cannot hang the daemon.
 */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "collector.h"
#include "metrics.h"
#include "mountstats_plugin.h"
#include "naming.h"
#include "options.h"
#include "readfile.h"
#include "sysfs.h"

#ifndef MOUNTSTATS_VERSION
#define MOUNTSTATS_VERSION "unknown"
#endif

#define PLUGIN_NAME MS_PLUGIN_NAME

#define GLUE __attribute__((visibility("hidden")))

static ms_config_t mountstats_conf;
static ms_collector_t *mountstats_collector;
/* The files, read whole into buffers kept across reads. */
static ms_buffer_t mountstats_file, mountstats_mountinfo;
/* ReportStall: SysfsRoot, opened once. */
static ms_sysfs_t mountstats_sysfs = {.dirfd = -1};
/* A mount sends ~40 value lists per interval, so one value_list_t is kept
 * and only the fields that change are written: plugin_instance per mount,
 * the type when it is another one, the type instance, the values (the
 * daemon copies what it keeps). */
static struct {
  value_list_t vl;
  const char *instance;         /* plugin_instance held; NULL: none */
  const ms_metric_type_t *type; /* type held; NULL: none */
  cdtime_t time;                /* this read's timestamp */
} mountstats_held;

_Static_assert(sizeof(value_t) == sizeof(ms_value_t) &&
                   _Alignof(value_t) == _Alignof(ms_value_t),
               "ms_value_t has value_t's layout");
_Static_assert(sizeof(derive_t) == sizeof(int64_t) &&
                   sizeof(gauge_t) == sizeof(double) && (derive_t)-1 < 0,
               "derive_t is int64_t and gauge_t double");

/* ---- types --------------------------------------------------------------- */

/* Registers our data sets the daemon does not know yet (no TypesDB line for
 * mountstats.types.db), so LoadPlugin alone works with the stock types.db. */
static int mountstats_register_types(void) {
  for (size_t t = 0; t < MS_TYPES_NUM; t++) {
    const ms_metric_type_t *mt = &ms_metric_types[t];
    if (mt->stock)
      continue;
    const data_set_t *known = plugin_get_ds(mt->name);
    if (known != NULL) {
      if (known->ds_num != mt->ds_num) {
        ERROR(PLUGIN_NAME " plugin: type \"%s\" is known with %zu data "
                          "sources, the plugin needs %zu: load "
                          "mountstats.types.db instead of another definition.",
              mt->name, known->ds_num, mt->ds_num);
        return -1;
      }
      continue;
    }
    data_source_t ds[MS_METRIC_DS_MAX];
    data_set_t set = {.ds_num = mt->ds_num, .ds = ds};
    sstrncpy(set.type, mt->name, sizeof(set.type));
    for (size_t i = 0; i < mt->ds_num; i++) {
      sstrncpy(ds[i].name, mt->ds_names[i], sizeof(ds[i].name));
      ds[i].type = ms_metric_is_gauge(mt, i) ? DS_TYPE_GAUGE : DS_TYPE_DERIVE;
      ds[i].min = ms_metric_min(mt, i);
      ds[i].max = NAN;
    }
    if (plugin_register_data_set(&set) != 0) {
      ERROR(PLUGIN_NAME " plugin: registering type \"%s\" failed.", mt->name);
      return -1;
    }
  }
  return 0;
}

/* ---- config -------------------------------------------------------------- */

/* Sets one value through the core, which checks it and says what is wrong
 * in the words the dry-run tool prints too. */
static int mountstats_config_set(const char *key,
                                 const ms_option_value_t *value) {
  char err[MS_LOG_LINE_MAX];
  if (ms_config_set(&mountstats_conf, key, value, err, sizeof(err)) == 0)
    return 0;
  if (err[0] != '\0')
    ERROR(PLUGIN_NAME " plugin: %s", err);
  return -1;
}

/* A pattern list: every string value of child is one more pattern. */
static int mountstats_config_patterns(const oconfig_item_t *child) {
  if (child->values_num < 1) {
    ERROR(PLUGIN_NAME " plugin: Option \"%s\" needs at least one string.",
          child->key);
    return -1;
  }
  for (int i = 0; i < child->values_num; i++) {
    if (child->values[i].type != OCONFIG_TYPE_STRING) {
      ERROR(PLUGIN_NAME " plugin: Option \"%s\" takes strings only.",
            child->key);
      return -1;
    }
    ms_option_value_t v = {.string = child->values[i].value.string};
    if (mountstats_config_set(child->key, &v) != 0)
      return -1;
  }
  return 0;
}

/* One option: its value read with collectd's own typing, so that a value
 * of the wrong type gets the daemon's messages; the rest is the core's. */
static int mountstats_config_child(const oconfig_item_t *child) {
  const ms_option_t *opt = ms_option_find(child->key);
  enum ms_option_kind kind = opt != NULL ? opt->kind : MS_OPTION_UNKNOWN;
  if (kind == MS_OPTION_PATTERN)
    return mountstats_config_patterns(child);
  ms_option_value_t v = {0};
  char *text = NULL;
  int integer = 0, rc = 0;
  switch (kind) {
  case MS_OPTION_BOOL:
    rc = cf_util_get_boolean(child, &v.boolean);
    break;
  case MS_OPTION_STRING:
  case MS_OPTION_CHOICE:
    rc = cf_util_get_string(child, &text);
    v.string = text;
    break;
  case MS_OPTION_NUMBER:
    rc = cf_util_get_double(child, &v.number);
    break;
  case MS_OPTION_INTEGER:
    rc = cf_util_get_int(child, &integer);
    v.number = integer;
    break;
  case MS_OPTION_PATTERN: /* above */
  case MS_OPTION_UNKNOWN: /* the core says it is not allowed */
    break;
  }
  if (rc == 0)
    rc = mountstats_config_set(child->key, &v);
  sfree(text);
  return rc;
}

/* Any error stops collectd's start-up: a monitoring plugin that silently
 * reports something other than what was configured is worse than none. */
GLUE int mountstats_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    if (mountstats_config_child(&ci->children[i]) != 0) {
      ERROR(PLUGIN_NAME " plugin: " MS_OPTION_INVALID_FMT, ci->children[i].key);
      return -1;
    }
  }
  return 0;
}

/* ---- what the core emits ------------------------------------------------- */

/* Copies len bytes of a name into a DATA_MAX_NAME_LEN field, cut to fit,
 * without strncpy's zero padding of the whole field. */
static void mountstats_set_field(char *field, const char *src, size_t len) {
  if (len > DATA_MAX_NAME_LEN - 1)
    len = DATA_MAX_NAME_LEN - 1;
  /* Knowing len < 128, gcc copies with an inline "rep movsq", whose start-up
   * costs more than the whole of libc's memcpy for a short name: hide the
   * bound. */
  __asm__("" : "+r"(len));
  memcpy(field, src, len);
  field[len] = '\0';
}

/* One record, one value list: plugin_instance and type are written only
 * when they are other pointers than the ones the kept value list holds. */
static void mountstats_dispatch(void *ctx, const ms_record_t *r) {
  (void)ctx;
  if (mountstats_held.instance != r->plugin_instance) {
    if (mountstats_held.vl.plugin[0] == '\0') {
      mountstats_held.vl = (value_list_t)VALUE_LIST_INIT;
      sstrncpy(mountstats_held.vl.plugin, PLUGIN_NAME,
               sizeof(mountstats_held.vl.plugin));
      mountstats_held.type = NULL;
    }
    mountstats_set_field(mountstats_held.vl.plugin_instance, r->plugin_instance,
                         strnlen(r->plugin_instance, DATA_MAX_NAME_LEN - 1));
    mountstats_held.vl.time = mountstats_held.time;
    mountstats_held.instance = r->plugin_instance;
  }
  if (mountstats_held.type != r->type) {
    mountstats_set_field(mountstats_held.vl.type, r->type->name,
                         strlen(r->type->name));
    mountstats_held.type = r->type;
  }
  mountstats_set_field(mountstats_held.vl.type_instance, r->type_instance,
                       r->type_instance_len);
  /* ms_value_t has value_t's layout for its two members (asserted above):
   * the daemon reads .derive or .gauge, as the type says, and copies what
   * it keeps; nothing writes through this pointer. A copy here cost a
   * fifth of the read callback (rep movsq per value list). */
  mountstats_held.vl.values = (value_t *)(uintptr_t)r->values;
  mountstats_held.vl.values_len = r->values_len;
  plugin_dispatch_values(&mountstats_held.vl);
}

static void mountstats_log(void *ctx, int level, const char *msg) {
  (void)ctx;
  plugin_log(level, "%s", msg);
}

/* ---- init, read, shutdown ------------------------------------------------ */

GLUE int mountstats_init(void) {
  if (ms_config_finish(&mountstats_conf) != 0)
    return -1;
  INFO(PLUGIN_NAME " plugin: version %s, reading \"%s\"%s%s.",
       MOUNTSTATS_VERSION, mountstats_conf.file,
       mountstats_conf.mountinfo_file ? ", superblocks from " : "",
       mountstats_conf.mountinfo_file ? mountstats_conf.mountinfo_file : "");
  if (mountstats_collector == NULL &&
      (mountstats_collector =
           ms_collector_new(&mountstats_conf, mountstats_dispatch,
                            mountstats_log, NULL)) == NULL)
    return -1;
  /* A root that cannot be opened is said in the log per mount (the
   * estimate); only an empty SysfsRoot means no sysfs at all. */
  if (mountstats_conf.report_stall && mountstats_conf.sysfs_root[0] != '\0' &&
      mountstats_sysfs.dirfd < 0)
    ms_sysfs_open(&mountstats_sysfs, mountstats_conf.sysfs_root);
  return mountstats_register_types();
}

GLUE int mountstats_read(void) {
  if (mountstats_collector == NULL)
    return -1;                     /* init failed or was not called */
  mountstats_held.time = cdtime(); /* one timestamp for the whole snapshot */
  mountstats_held.instance = NULL; /* names may be rebuilt by the core */
  ms_input_t in = {.now = CDTIME_T_TO_DOUBLE(mountstats_held.time)};
  if (mountstats_conf.report_stall && mountstats_conf.sysfs_root[0] != '\0')
    in.sysfs = &mountstats_sysfs.fs;
  ms_read_input(&mountstats_conf, &mountstats_file, &mountstats_mountinfo, &in);
  return ms_collector_run(mountstats_collector, &in) == 0 ? 0 : -1;
}

GLUE int mountstats_shutdown(void) {
  ms_collector_free(mountstats_collector);
  mountstats_collector = NULL;
  ms_buffer_free(&mountstats_file);
  ms_buffer_free(&mountstats_mountinfo);
  ms_sysfs_close(&mountstats_sysfs);
  memset(&mountstats_held, 0, sizeof(mountstats_held));
  ms_config_free(&mountstats_conf);
  return 0;
}

GLUE ms_config_t *mountstats_settings(void) { return &mountstats_conf; }

GLUE void mountstats_footprint(size_t *buffers, size_t *snapshot) {
  *buffers = mountstats_file.cap + mountstats_mountinfo.cap;
  *snapshot = mountstats_collector
                  ? ms_collector_snapshot_bytes(mountstats_collector)
                  : 0;
}

__attribute__((visibility("default"))) void module_register(void) {
  ms_config_defaults(&mountstats_conf);
  plugin_register_complex_config(PLUGIN_NAME, mountstats_config);
  plugin_register_init(PLUGIN_NAME, mountstats_init);
  plugin_register_read(PLUGIN_NAME, mountstats_read);
  plugin_register_shutdown(PLUGIN_NAME, mountstats_shutdown);
}
