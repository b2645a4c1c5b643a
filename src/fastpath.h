/* SPDX-License-Identifier: MIT
 *
 * fastpath.h: the parser's fast path for per-op lines (x86-64, SSE2).
 *
 * Nine lines in ten are per-op lines. A well-formed one is read without
 * first looking for its newline: 16 bytes at a time are classified as
 * digit, blank or other, the first "other" byte must be the line's end, and
 * the digit runs become numbers with word arithmetic (digits.h). Any line
 * it does not accept exactly as it is (a bad or long token, too few or too
 * many fields, a long name, no newline where expected) is left to the
 * parser's general path (mountstats.c), which parses it and reports what is
 * wrong, so both paths give the same result for every input
 * (tests/check_fastpath.c and fuzz/fuzz_parser.c compare them). No I/O, no
 * collectd header.
 */
#ifndef MOUNTSTATS_FASTPATH_H
#define MOUNTSTATS_FASTPATH_H

#include "digits.h"
#include "mountstats.h"

#if defined(__SSE2__) && defined(__SIZEOF_INT128__) &&                         \
    defined(MS_WORD_DIGITS) && !defined(MS_NO_FAST_PATH)
#define MS_FAST_OPS 1

/* Bytes from a line's start that the fast path may read: 16 for the
 * leading blanks, 32 from the name's start for the name and its ':', the
 * 128-byte window after the ':', and 8-byte loads that start inside it.
 * Lines that start closer than that to the end of the input take the
 * general path. */
#define MS_FAST_MARGIN 256

/* Reads the per-op line that starts at line (with a blank) into o: its
 * name (1 to 31 name characters before the ':'), its 8 or 9 numbers of
 * at most 19 digits each (nfields; v[MS_OP_ERRORS] 0 for 8) and the '\n'
 * (or "\r\n") right after them. Returns the line's '\n', or NULL when the
 * line is not exactly that (o is then partly written). MS_FAST_MARGIN
 * bytes from line must be readable. Whether the name was printed before in
 * the record is the caller's to check. */
const char *ms_parse_op_fast(const char *line, ms_op_t *o);

#endif /* SSE2 */

#endif
