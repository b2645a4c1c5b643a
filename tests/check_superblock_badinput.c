/* SPDX-License-Identifier: MIT
 *
 * check_superblock_badinput.c: superblock grouping when records carry a
 * malformed line, through the plugin's read path (badinput.h).
 */
#include "badinput.h"

#include <string.h>

/* ---- superblocks with a malformed line ------------------------------------
 */

/* Superblock grouping by content (src/superblock.c content_hash() and
 * same_content()) ignores mounts[i].bytes[] when the record has no
 * well-formed bytes: line (no MS_HAVE_BYTES), so two bind mounts of one
 * superblock whose (identical) bytes: line is malformed are grouped and the
 * superblock is reported once. (Was a bug: the array, uninitialised or
 * holding a previous interval's values, was compared; valgrind flagged
 * "Conditional jump or move depends on uninitialised value(s)" in
 * cmp_items.) */
START_TEST(test_bind_mounts_with_malformed_bytes) {
  char path[4200];
  snprintf(path, sizeof(path), "%s/bind.mountstats", tmpdir);
  /* First interval: two different superblocks with well-formed bytes. */
  static const char before[] =
      "device srv-sb:/x mounted on /s1 with fstype nfs statvers=1.1\n"
      "\tage:\t300\n\tbytes:\t1 2 3 4 5 6 7 8 \n\n"
      "device srv-sb:/x mounted on /s2 with fstype nfs statvers=1.1\n"
      "\tage:\t301\n\tbytes:\t9 10 11 12 13 14 15 16 \n\n" OK_RECORD;
  /* Then a bind mount: the same text under two mount points, with a
   * malformed bytes: line. */
#define BIND_RECORD(mp)                                                        \
  "device srv-sb:/x mounted on " mp " with fstype nfs statvers=1.1\n"          \
  "\tage:\t302\n\tbytes:\t1 2 3\n\tper-op statistics\n"                        \
  "\t        READ: 1 1 0 100 100 1 1 1 0\n\n"
  static const char after[] = BIND_RECORD("/s1") BIND_RECORD("/s2") OK_RECORD;
  write_file(path, before, strlen(before));
  plugin_start(path);
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_uint_eq(stub_count("s1"), 2);
  ck_assert_uint_eq(stub_count("s2"), 2);

  write_file(path, after, strlen(after));
  stub_reset();
  stub_now += TIME_T_TO_CDTIME_T(10);
  ck_assert_int_eq(mountstats_read(), 0);
  ck_assert_uint_eq(stub_log_count(LOG_WARNING, "(mount \"/s1\")"), 1);
  ck_assert_ptr_nonnull(stub_find("s1", "nfs_op", "READ"));
  ck_assert_msg(stub_count("s2") == 0 &&
                    stub_log_count(LOG_INFO, "show one NFS superblock") == 1,
                "the bind mount /s2 of /s1 is reported on its own (%zu value "
                "lists): bytes[] of records without a valid bytes: line is "
                "compared",
                stub_count("s2"));
}
END_TEST

int main(void) {
  TCase *tc = badinput_tcase("intervals");
  tcase_add_test(tc, test_bind_mounts_with_malformed_bytes);
  return badinput_run("superblock_badinput", tc);
}
