/* SPDX-License-Identifier: MIT
 *
 * fuzz_read.c: libFuzzer harness for the collector core (src/collector.h):
 * parse, selection, superblock matching (from a mountinfo part of the
 * input), naming and the records it emits, without collectd. The first
 * input byte picks a configuration; the rest is mountstats text, and
 * mountinfo text after a line "=====\n" when there is one. Every record is
 * checked against the metric contract (src/metrics.h).
 */
#define _GNU_SOURCE /* memmem */
#include "collector.h"
#include "metrics.h"
#include "naming.h"
#include "options.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Unlike assert(), never compiled out: the harness exists to find these. */
#define CHECK(x)                                                               \
  do {                                                                         \
    if (!(x))                                                                  \
      __builtin_trap();                                                        \
  } while (0)

#define MAX_KEPT 4096 /* the duplicate check is quadratic */

typedef struct {
  char plugin_instance[MS_NAME_SIZE];
  const ms_metric_type_t *type;
  char type_instance[MS_NAME_SIZE];
} kept_t;

static kept_t kept[MAX_KEPT];
static size_t nkept, nrecords;

static void check_record(void *ctx, const ms_record_t *r) {
  (void)ctx;
  size_t pl = strlen(r->plugin_instance);
  CHECK(pl > 0 && pl <= MS_NAME_MAX);
  for (size_t k = 0; k < pl; k++)
    CHECK((unsigned char)r->plugin_instance[k] >= 0x20 &&
          r->plugin_instance[k] != 0x7f && r->plugin_instance[k] != '/');
  CHECK(r->type >= &ms_metric_types[0] &&
        r->type < &ms_metric_types[MS_TYPES_NUM]);
  CHECK(r->type->ds_num == r->values_len);
  CHECK(r->type_instance_len <= MS_NAME_MAX);
  /* A gauge never goes under the minimum of its data source in the types
   * file (NaN: no value this interval). */
  for (size_t i = 0; i < r->values_len; i++) {
    double min = ms_metric_min(r->type, i);
    if (ms_metric_is_gauge(r->type, i) && !isnan(min))
      CHECK(isnan(r->values[i].gauge) || r->values[i].gauge >= min);
  }
  nrecords++;
  if (nkept == MAX_KEPT)
    return;
  kept_t *k = &kept[nkept++];
  memcpy(k->plugin_instance, r->plugin_instance, pl + 1);
  k->type = r->type;
  memcpy(k->type_instance, r->type_instance, r->type_instance_len);
  k->type_instance[r->type_instance_len] = '\0';
}

/* One record per identifier per read. */
static void check_unique(void) {
  if (nrecords > MAX_KEPT)
    return;
  for (size_t i = 0; i < nkept; i++)
    for (size_t j = i + 1; j < nkept; j++)
      CHECK(!(kept[i].type == kept[j].type &&
              strcmp(kept[i].plugin_instance, kept[j].plugin_instance) == 0 &&
              strcmp(kept[i].type_instance, kept[j].type_instance) == 0));
}

static void discard_log(void *ctx, int level, const char *msg) {
  (void)ctx;
  CHECK(level >= MS_LOG_ERR && level <= MS_LOG_INFO);
  CHECK(strlen(msg) < MS_LOG_LINE_MAX);
}

static void configure(ms_config_t *cfg, uint8_t bits) {
  ms_config_defaults(cfg);
  cfg->file = strdup("fuzz");
  cfg->report_zero_ops = bits & 1;
  cfg->report_per_transport = bits & 2;
  cfg->report_all_mountpoints = bits & 4;
  cfg->naming = (bits & 8) ? MS_NAMING_DEVICE : MS_NAMING_MOUNTPOINT;
  if (bits & 16)
    ms_matcher_add(&cfg->sel_mountpoint, "/^\\/[a-m]/", NULL, 0);
  if (bits & 32)
    ms_matcher_add(&cfg->sel_op, "/^[A-R]/", NULL, 0);
  cfg->sel_mountpoint.invert = cfg->sel_device.invert = cfg->sel_fstype.invert =
      bits & 64;
  /* the two options that keep state between reads */
  cfg->report_iostat = cfg->report_stall = bits & 128;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  ms_config_t cfg = {0};
  configure(&cfg, data[0]);
  ms_collector_t *c = ms_collector_new(&cfg, check_record, discard_log, NULL);
  CHECK(c != NULL);
  const char *text = (const char *)data + 1;
  size_t len = size - 1;
  const char *sep = memmem(text, len, "=====\n", 6);
  size_t ms_len = sep ? (size_t)(sep - text) : len;
  char *ms = malloc(ms_len + 1);
  memcpy(ms, text, ms_len);
  char *mi = NULL;
  size_t mi_len = 0;
  if (sep != NULL) {
    mi_len = len - ms_len - 6;
    mi = malloc(mi_len + 1);
    memcpy(mi, sep + 6, mi_len);
  }
  /* Twice: the second read runs with the state the first one left. */
  for (int round = 0; round < 2; round++) {
    nkept = nrecords = 0;
    ms_input_t in = {.buf = ms,
                     .len = ms_len,
                     .mi_buf = mi,
                     .mi_len = mi_len,
                     .now = 10 + round};
    ms_collector_run(c, &in);
    check_unique();
  }
  ms_collector_free(c);
  ms_config_free(&cfg);
  free(ms);
  free(mi);
  return 0;
}
