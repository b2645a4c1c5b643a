/* SPDX-License-Identifier: MIT
 *
 * fuzz_read.c: libFuzzer harness for the plugin's whole read path after the
 * read itself: parse, selection, superblock matching (from a mountinfo part
 * of the input), naming and dispatch into the daemon stub. The first input
 * byte picks a configuration; the rest is mountstats text, and mountinfo text
 * after a line "=====\n" when there is one. Every dispatched value list is
 * checked against the metric contract.
 */
#define _GNU_SOURCE /* memmem */
#include "mountstats_plugin.c"

#include "collectd_stub.h"

/* Unlike assert(), never compiled out: the harness exists to find these. */
#define CHECK(x)                                                               \
  do {                                                                         \
    if (!(x))                                                                  \
      __builtin_trap();                                                        \
  } while (0)

static void configure(uint8_t bits) {
  ms_shutdown();
  conf.file = strdup("fuzz");
  conf.report_zero_ops = bits & 1;
  conf.report_per_transport = bits & 2;
  conf.report_all_mountpoints = bits & 4;
  conf.naming = (bits & 8) ? NAMING_DEVICE : NAMING_MOUNTPOINT;
  if (bits & 16)
    ms_matcher_add(&conf.sel_mountpoint, "/^\\/[a-m]/", NULL, 0);
  if (bits & 32)
    ms_matcher_add(&conf.sel_op, "/^[A-R]/", NULL, 0);
  conf.ignore_selected = bits & 64;
  stub_known_types = 1;
  if (stub_data_sets_n == 0)
    ms_register_types();
}

static void check_dispatched(void) {
  for (size_t i = 0; i < stub_dispatched_n; i++) {
    const stub_vl_t *v = &stub_dispatched[i];
    CHECK(strcmp(v->plugin, "mountstats") == 0);
    size_t pl = strlen(v->plugin_instance);
    CHECK(pl > 0 && pl <= MS_NAME_MAX);
    for (size_t k = 0; k < pl; k++)
      CHECK((unsigned char)v->plugin_instance[k] >= 0x20 &&
            v->plugin_instance[k] != 0x7f && v->plugin_instance[k] != '/');
    const data_set_t *ds = plugin_get_ds(v->type);
    CHECK(ds != NULL || strcmp(v->type, "uptime") == 0 ||
          strcmp(v->type, "count") == 0);
    if (ds != NULL)
      CHECK(ds->ds_num == v->values_len);
    /* One value list per identifier per read. */
    for (size_t j = i + 1; j < stub_dispatched_n; j++) {
      const stub_vl_t *w = &stub_dispatched[j];
      CHECK(!(strcmp(v->plugin_instance, w->plugin_instance) == 0 &&
              strcmp(v->type, w->type) == 0 &&
              strcmp(v->type_instance, w->type_instance) == 0));
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  configure(data[0]);
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
    stub_reset();
    ms_process(ms, ms_len, mi, mi_len, TIME_T_TO_CDTIME_T(10 + round));
    if (stub_dispatched_n < 4096) /* the duplicate check is quadratic */
      check_dispatched();
  }
  free(ms);
  free(mi);
  return 0;
}
