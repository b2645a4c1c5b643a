/* SPDX-License-Identifier: MIT
 *
 * check_options.c: the options as data (src/options.c): the table, and
 * ms_config_set() with the messages both front ends print (the plugin
 * through collectd's log, the dry-run tool on stderr). The messages are
 * written out here as the plugin has always logged them.
 */
#include "check_run.h"
#include "naming.h"
#include "options.h"

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static ms_config_t cfg;
static char err[MS_OPTION_ERR_MIN + 256];

static void setup(void) {
  memset(&cfg, 0, sizeof(cfg));
  ms_config_defaults(&cfg);
  strcpy(err, "stale");
}

static void teardown(void) { ms_config_free(&cfg); }

static int set_bool(const char *key, bool b) {
  ms_option_value_t v = {.boolean = b};
  return ms_config_set(&cfg, key, &v, err, sizeof(err));
}

static int set_text(const char *key, const char *s) {
  ms_option_value_t v = {.string = s};
  return ms_config_set(&cfg, key, &v, err, sizeof(err));
}

static int set_number(const char *key, double n) {
  ms_option_value_t v = {.number = n};
  return ms_config_set(&cfg, key, &v, err, sizeof(err));
}

/* ---- the table ---- */

START_TEST(test_table) {
  ck_assert_uint_eq(ms_options_num, 25);
  for (size_t i = 0; i < ms_options_num; i++) {
    const ms_option_t *o = &ms_options[i];
    ck_assert_int_ne(o->kind, MS_OPTION_UNKNOWN);
    ck_assert_uint_ge(o->nat, 1);
    ck_assert_uint_le(o->nat, MS_OPTION_FIELDS_MAX);
    ck_assert_str_ne(ms_option_kind_name(o->kind), "unknown");
    for (size_t k = 0; k < i; k++)
      ck_assert_int_ne(strcasecmp(o->key, ms_options[k].key), 0);
    ck_assert_ptr_eq(ms_option_find(o->key), o);
  }
  ck_assert_ptr_eq(ms_option_find("reportstall"),
                   ms_option_find("ReportStall"));
  ck_assert_int_eq(ms_option_find("SysfsRoot")->kind, MS_OPTION_STRING);
  ck_assert_ptr_null(ms_option_find("Bogus"));
  ck_assert_ptr_null(ms_option_find(""));
}
END_TEST

/* ---- setting, with the messages ---- */

START_TEST(test_unknown) {
  ck_assert_int_eq(set_text("Bogus", "x"), -ENOENT);
  ck_assert_str_eq(err, "Option \"Bogus\" not allowed here.");
}
END_TEST

START_TEST(test_bools) {
  ck_assert(!cfg.report_stall);
  ck_assert_int_eq(set_bool("reportstall", true), 0);
  ck_assert(cfg.report_stall);
  ck_assert_str_eq(err, "");
  ck_assert_int_eq(set_bool("ReportAge", false), 0);
  ck_assert(!cfg.report_age);
  /* IgnoreSelected inverts the three mount lists, not the operations'. */
  ck_assert_int_eq(set_bool("IgnoreSelected", true), 0);
  ck_assert(cfg.sel_mountpoint.invert && cfg.sel_device.invert &&
            cfg.sel_fstype.invert && !cfg.sel_op.invert);
  ck_assert_int_eq(set_bool("IgnoreSelectedOperation", true), 0);
  ck_assert(cfg.sel_op.invert);
}
END_TEST

START_TEST(test_strings) {
  ck_assert_int_eq(set_text("File", "/a"), 0);
  ck_assert_int_eq(set_text("file", "/b"), 0); /* replaces */
  ck_assert_str_eq(cfg.file, "/b");
  ck_assert_int_eq(set_text("MountInfoFile", ""), 0);
  ck_assert_str_eq(cfg.mountinfo_file, "");
  ck_assert_int_eq(set_text("SysfsRoot", "/host/sys"), 0);
  ck_assert_str_eq(cfg.sysfs_root, "/host/sys");
}
END_TEST

START_TEST(test_patterns) {
  ck_assert_int_eq(set_text("MountPoint", "/home"), 0);
  ck_assert_int_eq(set_text("mountpoint", "/^\\/scratch/"), 0); /* adds */
  ck_assert_uint_eq(cfg.sel_mountpoint.count, 2);
  ck_assert_int_eq(set_text("Operation", "READ"), 0);
  ck_assert_uint_eq(cfg.sel_op.count, 1);
  /* The key as written, the pattern, regerror's words. */
  ck_assert_int_eq(set_text("mountPoint", "/([/"), -EINVAL);
  ck_assert_str_eq(err,
                   "Option \"mountPoint\": bad regex \"/([/\": Invalid regular "
                   "expression.");
  ck_assert_uint_eq(cfg.sel_mountpoint.count, 2);
}
END_TEST

/* Each CHOICE option: its two values in any case, in the order of its
 * enum; another refused with a message that names the key as the table
 * spells it, whatever the user wrote, and the value kept. */
START_TEST(test_choices) {
  static const struct {
    const char *written, *first, *second, *bad, *message;
  } cases[] = {
      {"namingsource", "MOUNTPOINT", "device", "Export",
       "Option \"NamingSource\": \"Export\" is neither \"MountPoint\" nor "
       "\"Device\"."},
      {"namingscheme", "AUTO", "Path", "k8s",
       "Option \"NamingScheme\": \"k8s\" is neither \"auto\" nor "
       "\"path\"."},
  };
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    const ms_option_t *opt = ms_option_find(cases[i].written);
    const unsigned *value = (const unsigned *)((const char *)&cfg + opt->at[0]);
    ck_assert_int_eq(opt->kind, MS_OPTION_CHOICE);
    ck_assert_uint_eq(*value, 0); /* the default: the first */
    ck_assert_int_eq(set_text(cases[i].written, cases[i].second), 0);
    ck_assert_uint_eq(*value, 1);
    ck_assert_int_eq(set_text(cases[i].written, cases[i].bad), -EINVAL);
    ck_assert_str_eq(err, cases[i].message);
    ck_assert_uint_eq(*value, 1);
    ck_assert_int_eq(set_text(cases[i].written, cases[i].first), 0);
    ck_assert_uint_eq(*value, 0);
  }
  ck_assert_int_eq(MS_NAMING_DEVICE, 1);
  ck_assert_int_eq(MS_SCHEME_PATH, 1);
}
END_TEST

/* The limits, inclusive: MaxFileSize any number (bytes), MaxNameLength a
 * whole one; the message names the key as written for the one, as spelled
 * for the other. */
START_TEST(test_ranges) {
  static const double file_ok[] = {4096, 4294967296.0, 1048576.5};
  static const double file_bad[] = {4095, 4294967297.0, NAN};
  static const double name_ok[] = {MS_NAME_MIN, MS_NAME_MAX};
  static const double name_bad[] = {15, 128, 20.5, NAN};
  for (size_t i = 0; i < ARRAY_SIZE(file_ok); i++) {
    ck_assert_int_eq(set_number("MaxFileSize", file_ok[i]), 0);
    ck_assert_uint_eq(cfg.max_file_size, (size_t)file_ok[i]);
  }
  for (size_t i = 0; i < ARRAY_SIZE(name_ok); i++) {
    ck_assert_int_eq(set_number("maxnamelength", name_ok[i]), 0);
    ck_assert_uint_eq(cfg.max_name_len, (size_t)name_ok[i]);
  }
  for (size_t i = 0; i < ARRAY_SIZE(file_bad); i++) {
    ck_assert_int_eq(set_number("maxFileSize", file_bad[i]), -ERANGE);
    ck_assert_str_eq(err, "Option \"maxFileSize\" must be between 4096 and "
                          "4294967296 bytes.");
  }
  for (size_t i = 0; i < ARRAY_SIZE(name_bad); i++) {
    ck_assert_int_eq(set_number("maxnamelength", name_bad[i]), -ERANGE);
    ck_assert_str_eq(err, "Option \"MaxNameLength\" must be between 16 and "
                          "127.");
  }
  /* refused: unchanged */
  ck_assert_uint_eq(cfg.max_file_size, 1048576);
  ck_assert_uint_eq(cfg.max_name_len, MS_NAME_MAX);
}
END_TEST

/* A message longer than the buffer is cut, never overrun. */
START_TEST(test_small_buffer) {
  char small[8];
  ms_option_value_t v = {.string = "x"};
  ck_assert_int_eq(ms_config_set(&cfg, "Bogus", &v, small, sizeof(small)),
                   -ENOENT);
  ck_assert_str_eq(small, "Option ");
}
END_TEST

MS_CHECK_MAIN("options", setup, teardown, test_table, test_unknown, test_bools,
              test_strings, test_patterns, test_choices, test_ranges,
              test_small_buffer)
