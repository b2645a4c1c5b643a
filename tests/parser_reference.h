/* SPDX-License-Identifier: MIT
 *
 * parser_reference.h: the parser without its fast path (src/mountstats.c
 * compiled again with other names: CMake target mountstats_parser_reference),
 * and a field-by-field comparison of two snapshots of the same input.
 */
#ifndef MOUNTSTATS_PARSER_REFERENCE_H
#define MOUNTSTATS_PARSER_REFERENCE_H

#include "mountstats.h"

#include <stddef.h>

int ms_parse_reference(ms_snapshot_t *snap, const char *buf, size_t len);
void ms_snapshot_free_reference(ms_snapshot_t *snap);

/* Compares two snapshots parsed from the same buffer: every count, span
 * (pointer and length), flag and every value the flags and counts say is
 * valid. Returns NULL when they are equal, else a short description of the
 * first difference (static storage). */
const char *ms_snapshot_diff(const ms_snapshot_t *a, const ms_snapshot_t *b);

#endif
