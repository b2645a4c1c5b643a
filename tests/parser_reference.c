/* SPDX-License-Identifier: MIT
 *
 * parser_reference.c: src/mountstats.c built a second time, without its fast
 * path for op lines and under other names, so that tests and the fuzzer can
 * parse the same input both ways and compare (parser_reference.h).
 */
#define MS_NO_FAST_PATH 1
#define ms_parse ms_parse_reference
#define ms_snapshot_free ms_snapshot_free_reference
#define ms_diag_reason_str ms_diag_reason_str_reference
#define ms_unescape ms_unescape_reference
#define ms_opt_get ms_opt_get_reference
#define ms_event_name ms_event_name_reference
#define ms_bytes_name ms_bytes_name_reference
#include "../src/mountstats.c"
