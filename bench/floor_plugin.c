/* SPDX-License-Identifier: MIT
 *
 * floor_plugin.c: the dispatch floor for bench/daemon_cpu.sh. A collectd
 * plugin that, each interval, dispatches a fixed list of value lists (the
 * ones the mountstats plugin dispatches for the same file, written by
 * `bench_mountstats --ids`) with the same plugin, instances, types and
 * values, and parses nothing. The value lists are built the cheapest way a
 * plugin can: one value_list_t whose plugin and plugin_instance are set when
 * the instance changes, and per list only type, type_instance, values and
 * the read's timestamp (as the mountstats plugin does). What the daemon
 * spends on it is what any plugin dispatching that many value lists costs.
 *
 *   LoadPlugin mountstats_floor
 *   <Plugin mountstats_floor>
 *     File "ids.txt"   # plugin_instance TAB type TAB type_instance TAB n
 *   </Plugin>          #   then n values: TAB d<int64> or TAB g<double>
 */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <stdio.h>
#include <stdlib.h>

#define PLUGIN_NAME "mountstats_floor"
#define MAX_VALUES 64

typedef struct {
  char plugin_instance[DATA_MAX_NAME_LEN];
  char type[DATA_MAX_NAME_LEN];
  char type_instance[DATA_MAX_NAME_LEN];
  value_t *values;
  size_t values_len;
  bool new_instance; /* plugin_instance differs from the previous list's */
} floor_list_t;

static char *floor_file;
static floor_list_t *lists;
static size_t nlists, lists_cap;

static int floor_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *child = ci->children + i;
    if (strcasecmp(child->key, "File") == 0) {
      if (cf_util_get_string(child, &floor_file) != 0)
        return -1;
    } else {
      ERROR(PLUGIN_NAME " plugin: Option \"%s\" not allowed here.", child->key);
      return -1;
    }
  }
  return 0;
}

/* The next tab-separated field of *p, NUL-terminated in place. */
static char *field(char **p) {
  char *s = *p;
  if (s == NULL)
    return NULL;
  char *tab = strchr(s, '\t');
  if (tab != NULL) {
    *tab = '\0';
    *p = tab + 1;
  } else {
    *p = NULL;
  }
  return s;
}

static int parse_line(char *line, floor_list_t *fl) {
  line[strcspn(line, "\n")] = '\0';
  char *p = line;
  char *pi = field(&p), *type = field(&p), *ti = field(&p), *n = field(&p);
  if (n == NULL)
    return -1;
  size_t nvalues = strtoul(n, NULL, 10);
  if (nvalues == 0 || nvalues > MAX_VALUES)
    return -1;
  value_t *values = calloc(nvalues, sizeof(*values));
  if (values == NULL)
    return -1;
  for (size_t j = 0; j < nvalues; j++) {
    char *v = field(&p);
    if (v == NULL || (v[0] != 'g' && v[0] != 'd')) {
      free(values);
      return -1;
    }
    if (v[0] == 'g')
      values[j].gauge = strtod(v + 1, NULL);
    else
      values[j].derive = strtoll(v + 1, NULL, 10);
  }
  fl->values = values;
  fl->values_len = nvalues;
  sstrncpy(fl->plugin_instance, pi, sizeof(fl->plugin_instance));
  sstrncpy(fl->type, type, sizeof(fl->type));
  sstrncpy(fl->type_instance, ti, sizeof(fl->type_instance));
  return 0;
}

static int floor_init(void) {
  if (floor_file == NULL) {
    ERROR(PLUGIN_NAME " plugin: File is not set.");
    return -1;
  }
  FILE *f = fopen(floor_file, "r");
  if (f == NULL) {
    ERROR(PLUGIN_NAME " plugin: opening \"%s\" failed: %s", floor_file,
          STRERRNO);
    return -1;
  }
  char *line = NULL;
  size_t cap = 0;
  int rc = 0;
  while (getline(&line, &cap, f) > 0) {
    if (nlists == lists_cap) {
      size_t ncap = lists_cap ? lists_cap * 2 : 1024;
      floor_list_t *p = realloc(lists, ncap * sizeof(*p));
      if (p == NULL) {
        rc = -1;
        break;
      }
      lists = p;
      lists_cap = ncap;
    }
    floor_list_t *fl = &lists[nlists];
    if (parse_line(line, fl) != 0) {
      ERROR(PLUGIN_NAME " plugin: bad line %zu in \"%s\".", nlists + 1,
            floor_file);
      rc = -1;
      break;
    }
    fl->new_instance =
        nlists == 0 || strcmp(fl->plugin_instance, fl[-1].plugin_instance) != 0;
    nlists++;
  }
  free(line);
  fclose(f);
  INFO(PLUGIN_NAME " plugin: %zu value lists per interval from \"%s\".", nlists,
       floor_file);
  return rc;
}

static int floor_read(void) {
  cdtime_t now = cdtime();
  value_list_t vl = VALUE_LIST_INIT;
  for (size_t i = 0; i < nlists; i++) {
    const floor_list_t *fl = &lists[i];
    if (fl->new_instance) {
      vl = (value_list_t)VALUE_LIST_INIT;
      sstrncpy(vl.plugin, "mountstats", sizeof(vl.plugin));
      sstrncpy(vl.plugin_instance, fl->plugin_instance,
               sizeof(vl.plugin_instance));
    }
    vl.values = fl->values;
    vl.values_len = fl->values_len;
    vl.time = now;
    memcpy(vl.type, fl->type, sizeof(vl.type));
    memcpy(vl.type_instance, fl->type_instance, sizeof(vl.type_instance));
    plugin_dispatch_values(&vl);
  }
  return 0;
}

static int floor_shutdown(void) {
  for (size_t i = 0; i < nlists; i++)
    free(lists[i].values);
  sfree(lists);
  nlists = lists_cap = 0;
  sfree(floor_file);
  return 0;
}

__attribute__((visibility("default"))) void module_register(void) {
  plugin_register_complex_config(PLUGIN_NAME, floor_config);
  plugin_register_init(PLUGIN_NAME, floor_init);
  plugin_register_read(PLUGIN_NAME, floor_read);
  plugin_register_shutdown(PLUGIN_NAME, floor_shutdown);
}
