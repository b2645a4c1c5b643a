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

static ms_config_t conf;
static ms_collector_t *collector;
static ms_buffer_t file_buf, mi_buf; /* the files, read whole */
static ms_sysfs_t sysfs = {.dirfd = -1}; /* ReportStall: SysfsRoot, open */
/* A mount sends ~40 value lists per interval, so one value_list_t is kept
 * and only the fields that change are written: plugin_instance per mount,
 * the type when it is another one, the type instance, the values (the
 * daemon copies what it keeps). */
static value_list_t vl;
static const char *vl_instance;         /* plugin_instance held; NULL: none */
static const ms_metric_type_t *vl_type; /* type held; NULL: none */
static cdtime_t vl_time;                /* this read's timestamp */

_Static_assert(sizeof(value_t) == sizeof(ms_value_t) &&
                   _Alignof(value_t) == _Alignof(ms_value_t),
               "ms_value_t has value_t's layout");
_Static_assert(sizeof(derive_t) == sizeof(int64_t) &&
                   sizeof(gauge_t) == sizeof(double) && (derive_t)-1 < 0,
               "derive_t is int64_t and gauge_t double");

/* ---- types --------------------------------------------------------------- */

/* Registers our data sets the daemon does not know yet (no TypesDB line for
 * mountstats.types.db), so LoadPlugin alone works with the stock types.db. */
static int ms_register_types(void) {
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

/* Adds every string value of child to m. */
static int ms_config_add_patterns(const oconfig_item_t *child,
                                  ms_matcher_t *m) {
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
    char err[256] = "";
    const char *pattern = child->values[i].value.string;
    int rc = ms_matcher_add(m, pattern, err, sizeof(err));
    if (rc == -EINVAL) {
      ERROR(PLUGIN_NAME " plugin: Option \"%s\": bad regex \"%s\": %s.",
            child->key, pattern, err);
      return -1;
    }
    if (rc != 0) {
      ERROR(PLUGIN_NAME " plugin: Option \"%s\": out of memory.", child->key);
      return -1;
    }
  }
  return 0;
}

static int ms_config_naming(const oconfig_item_t *child) {
  char *value = NULL;
  if (cf_util_get_string(child, &value) != 0)
    return -1;
  int rc = ms_config_set_naming(&conf, value);
  if (rc != 0)
    ERROR(PLUGIN_NAME " plugin: Option \"NamingSource\": \"%s\" is neither "
                      "\"MountPoint\" nor \"Device\".",
          value);
  sfree(value);
  return rc == 0 ? 0 : -1;
}

static int ms_config_naming_scheme(const oconfig_item_t *child) {
  char *value = NULL;
  if (cf_util_get_string(child, &value) != 0)
    return -1;
  int rc = ms_config_set_naming_scheme(&conf, value);
  if (rc != 0)
    ERROR(PLUGIN_NAME " plugin: Option \"NamingScheme\": \"%s\" is neither "
                      "\"auto\" nor \"path\".",
          value);
  sfree(value);
  return rc == 0 ? 0 : -1;
}

static int ms_config_file_size(const oconfig_item_t *child) {
  double v = 0;
  if (cf_util_get_double(child, &v) != 0)
    return -1;
  if (ms_config_set_max_file_size(&conf, v) != 0) {
    ERROR(PLUGIN_NAME " plugin: Option \"%s\" must be between 4096 and "
                      "4294967296 bytes.",
          child->key);
    return -1;
  }
  return 0;
}

static int ms_config_name_len(const oconfig_item_t *child) {
  int v = 0;
  if (cf_util_get_int(child, &v) != 0)
    return -1;
  if (ms_config_set_max_name_len(&conf, v) != 0) {
    ERROR(PLUGIN_NAME " plugin: Option \"MaxNameLength\" must be between %d "
                      "and %d.",
          MS_NAME_MIN, MS_NAME_MAX);
    return -1;
  }
  return 0;
}

static int ms_config_child(const oconfig_item_t *child) {
  const char *key = child->key;
  bool *flag = ms_config_bool(&conf, key);
  if (flag != NULL)
    return cf_util_get_boolean(child, flag);
  ms_matcher_t *patterns = ms_config_patterns(&conf, key);
  if (patterns != NULL)
    return ms_config_add_patterns(child, patterns);
  if (strcasecmp(key, "File") == 0)
    return cf_util_get_string(child, &conf.file);
  if (strcasecmp(key, "MountInfoFile") == 0)
    return cf_util_get_string(child, &conf.mountinfo_file);
  if (strcasecmp(key, "SysfsRoot") == 0)
    return cf_util_get_string(child, &conf.sysfs_root);
  if (strcasecmp(key, "NamingSource") == 0)
    return ms_config_naming(child);
  if (strcasecmp(key, "NamingScheme") == 0)
    return ms_config_naming_scheme(child);
  if (strcasecmp(key, "MaxFileSize") == 0)
    return ms_config_file_size(child);
  if (strcasecmp(key, "MaxNameLength") == 0)
    return ms_config_name_len(child);

  ERROR(PLUGIN_NAME " plugin: Option \"%s\" not allowed here.", key);
  return -1;
}

/* Any error stops collectd's start-up: a monitoring plugin that silently
 * reports something other than what was configured is worse than none. */
GLUE int mountstats_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    if (ms_config_child(&ci->children[i]) != 0) {
      ERROR(PLUGIN_NAME " plugin: invalid configuration (option \"%s\").",
            ci->children[i].key);
      return -1;
    }
  }
  return 0;
}

/* ---- what the core emits ------------------------------------------------- */

/* Copies len bytes of a name into a DATA_MAX_NAME_LEN field, cut to fit,
 * without strncpy's zero padding of the whole field. */
static void ms_set_field(char *field, const char *src, size_t len) {
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
static void ms_dispatch(void *ctx, const ms_record_t *r) {
  (void)ctx;
  if (vl_instance != r->plugin_instance) {
    if (vl.plugin[0] == '\0') {
      vl = (value_list_t)VALUE_LIST_INIT;
      sstrncpy(vl.plugin, PLUGIN_NAME, sizeof(vl.plugin));
      vl_type = NULL;
    }
    ms_set_field(vl.plugin_instance, r->plugin_instance,
                 strnlen(r->plugin_instance, DATA_MAX_NAME_LEN - 1));
    vl.time = vl_time;
    vl_instance = r->plugin_instance;
  }
  if (vl_type != r->type) {
    ms_set_field(vl.type, r->type->name, strlen(r->type->name));
    vl_type = r->type;
  }
  ms_set_field(vl.type_instance, r->type_instance, r->type_instance_len);
  /* ms_value_t has value_t's layout for its two members (asserted above):
   * the daemon reads .derive or .gauge, as the type says, and copies what
   * it keeps; nothing writes through this pointer. A copy here cost a
   * fifth of the read callback (rep movsq per value list). */
  vl.values = (value_t *)(uintptr_t)r->values;
  vl.values_len = r->values_len;
  plugin_dispatch_values(&vl);
}

static void ms_log(void *ctx, int level, const char *msg) {
  (void)ctx;
  plugin_log(level, "%s", msg);
}

/* ---- init, read, shutdown ------------------------------------------------ */

GLUE int mountstats_init(void) {
  if (ms_config_finish(&conf) != 0)
    return -1;
  INFO(PLUGIN_NAME " plugin: version %s, reading \"%s\"%s%s.",
       MOUNTSTATS_VERSION, conf.file,
       conf.mountinfo_file ? ", superblocks from " : "",
       conf.mountinfo_file ? conf.mountinfo_file : "");
  if (collector == NULL &&
      (collector = ms_collector_new(&conf, ms_dispatch, ms_log, NULL)) == NULL)
    return -1;
  /* A root that cannot be opened is said in the log per mount (the
   * estimate); only an empty SysfsRoot means no sysfs at all. */
  if (conf.report_stall && conf.sysfs_root[0] != '\0' && sysfs.dirfd < 0)
    ms_sysfs_open(&sysfs, conf.sysfs_root);
  return ms_register_types();
}

GLUE int mountstats_read(void) {
  if (collector == NULL)
    return -1;        /* init failed or was not called */
  vl_time = cdtime(); /* one timestamp for the whole snapshot */
  vl_instance = NULL; /* names may be rebuilt by the core */
  ms_input_t in = {.now = CDTIME_T_TO_DOUBLE(vl_time)};
  if (conf.report_stall && conf.sysfs_root[0] != '\0')
    in.sysfs = &sysfs.fs;
  in.err = ms_read_whole(conf.file, &file_buf, &in.len, conf.max_file_size);
  in.buf = file_buf.buf;
  if (in.err == 0 && conf.mountinfo_file != NULL) {
    in.mi_err = ms_read_whole(conf.mountinfo_file, &mi_buf, &in.mi_len,
                              conf.max_file_size);
    in.mi_buf = in.mi_err == 0 ? mi_buf.buf : NULL;
  }
  return ms_collector_run(collector, &in) == 0 ? 0 : -1;
}

GLUE int mountstats_shutdown(void) {
  ms_collector_free(collector);
  collector = NULL;
  ms_buffer_free(&file_buf);
  ms_buffer_free(&mi_buf);
  ms_sysfs_close(&sysfs);
  memset(&vl, 0, sizeof(vl));
  vl_instance = NULL;
  vl_type = NULL;
  ms_config_free(&conf);
  return 0;
}

GLUE ms_config_t *mountstats_settings(void) { return &conf; }

GLUE void mountstats_footprint(size_t *buffers, size_t *snapshot) {
  *buffers = file_buf.cap + mi_buf.cap;
  *snapshot = collector ? ms_collector_snapshot_bytes(collector) : 0;
}

__attribute__((visibility("default"))) void module_register(void) {
  ms_config_defaults(&conf);
  plugin_register_complex_config(PLUGIN_NAME, mountstats_config);
  plugin_register_init(PLUGIN_NAME, mountstats_init);
  plugin_register_read(PLUGIN_NAME, mountstats_read);
  plugin_register_shutdown(PLUGIN_NAME, mountstats_shutdown);
}
