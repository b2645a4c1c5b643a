/* SPDX-License-Identifier: MIT
 *
 * fastpath.c: see fastpath.h for the contract.
 */
#include "fastpath.h"

#ifdef MS_FAST_OPS
#include <emmintrin.h>
#include <stdbool.h>
#include <stdint.h>

#define FAST_NAME_SCAN 32
#define FAST_WINDOW 128
_Static_assert(15 + FAST_NAME_SCAN + FAST_WINDOW + 8 <= MS_FAST_MARGIN,
               "the fast path stays inside its margin");

/* Per 16 bytes at p: bit i set in *digits when byte i is a digit, in
 * *other when it is neither a digit nor a blank. */
static void classify16(const char *p, unsigned *digits, unsigned *other) {
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  __m128i d = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                            _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
  __m128i b = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                           _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
  *digits = (unsigned)_mm_movemask_epi8(d);
  *other = ~(unsigned)_mm_movemask_epi8(_mm_or_si128(d, b)) & 0xffffu;
}

static unsigned ctz128(unsigned __int128 x) {
  return (uint64_t)x ? (unsigned)__builtin_ctzll((uint64_t)x)
                     : 64 + (unsigned)__builtin_ctzll((uint64_t)(x >> 64));
}

/* The op name after the line's leading blanks: up to the first ':' in
 * FAST_NAME_SCAN bytes, every byte before it a name character. Sets *len
 * and returns its start; NULL for no such name (longer names take the
 * general path). */
static const char *op_name(const char *line, unsigned *len) {
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)line);
  unsigned blank = (unsigned)_mm_movemask_epi8(
                       _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')))) ^
                   0xffffu;
  if (blank == 0)
    return NULL;
  const char *name = line + __builtin_ctz(blank);
  unsigned colon_bits = 0, bad_bits = 0;
  for (int j = 0; j < FAST_NAME_SCAN / 16; j++) {
    __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(name + 16 * j));
    __m128i lower = _mm_or_si128(c, _mm_set1_epi8(0x20));
    __m128i ok = _mm_or_si128(
        _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                      _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1))),
        _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('0' - 1)),
                                   _mm_cmplt_epi8(c, _mm_set1_epi8('9' + 1))),
                     _mm_cmpeq_epi8(c, _mm_set1_epi8('_'))));
    colon_bits |=
        (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, _mm_set1_epi8(':')))
        << (16 * j);
    bad_bits |= (~(unsigned)_mm_movemask_epi8(ok) & 0xffffu) << (16 * j);
  }
  if (colon_bits == 0)
    return NULL;
  *len = (unsigned)__builtin_ctz(colon_bits);
  if (*len == 0 || (bad_bits & ((1u << *len) - 1)) != 0)
    return NULL;
  return name;
}

/* The window after the ':': digit bits in dig[0..1] (64 bytes per word,
 * the second only when the line goes on that far), cut at the first other
 * byte, whose offset is returned. Returns FAST_WINDOW when the window
 * holds no such byte (a line longer than the window). */
static unsigned window(const char *w, uint64_t dig[2]) {
  uint64_t oth[2] = {0, 0};
  dig[0] = dig[1] = 0;
  for (int half = 0; half < 2; half++) {
    for (int j = 0; j < 4; j++) {
      unsigned digits, other;
      classify16(w + 64 * half + 16 * j, &digits, &other);
      dig[half] |= (uint64_t)digits << (16 * j);
      oth[half] |= (uint64_t)other << (16 * j);
    }
    if (oth[half] != 0)
      break;
  }
  if (oth[0] != 0) {
    unsigned e = (unsigned)__builtin_ctzll(oth[0]);
    dig[0] &= (1ull << e) - 1;
    dig[1] = 0;
    return e;
  }
  if (oth[1] != 0) {
    unsigned e = 64 + (unsigned)__builtin_ctzll(oth[1]);
    dig[1] &= (1ull << (e - 64)) - 1;
    return e;
  }
  return FAST_WINDOW;
}

/* Converts the digit run at w[at..to] into the next field of o. Returns
 * false when there are too many fields or the run is too long for the fast
 * path. */
static bool put_token(ms_op_t *o, unsigned *n, const char *w, unsigned at,
                      unsigned to) {
  unsigned len = to - at + 1;
  if (*n == MS_OP_FIELDS || len > 19)
    return false;
  o->v[(*n)++] = ms_digits_value(w + at, len);
  return true;
}

/* The digit runs of the window in order into o->v, from the bits of their
 * first and last digits. Returns how many, or 0 when one is too many or
 * over 19 digits (2^64 or more?): the general path's to judge. */
static unsigned tokens(const char *w, const uint64_t dig[2], ms_op_t *o) {
  unsigned n = 0;
  if (dig[1] == 0) { /* most lines: the numbers fit in the first word */
    uint64_t first = dig[0] & ~(dig[0] << 1);
    uint64_t last = dig[0] & ~(dig[0] >> 1);
    for (; first != 0; first &= first - 1, last &= last - 1)
      if (!put_token(o, &n, w, (unsigned)__builtin_ctzll(first),
                     (unsigned)__builtin_ctzll(last)))
        return 0;
  } else { /* 128-bit masks: a run may cross from one word into the other */
    typedef unsigned __int128 u128;
    u128 digit_bits = (u128)dig[1] << 64 | dig[0];
    u128 first = digit_bits & ~(digit_bits << 1);
    u128 last = digit_bits & ~(digit_bits >> 1);
    for (; first != 0; first &= first - 1, last &= last - 1)
      if (!put_token(o, &n, w, ctz128(first), ctz128(last)))
        return 0;
  }
  return n;
}

const char *ms_parse_op_fast(const char *line, ms_op_t *o) {
  unsigned name_len = 0;
  const char *name = op_name(line, &name_len);
  if (name == NULL)
    return NULL;
  const char *w = name + name_len + 1; /* the numbers and the line's end */
  uint64_t dig[2];
  unsigned e = window(w, dig);
  if (e == FAST_WINDOW)
    return NULL;
  const char *nl = w + e;
  if (*nl == '\r')
    nl++;
  if (*nl != '\n')
    return NULL; /* a bad token, or a lone '\r' */
  unsigned n = tokens(w, dig, o);
  if (n < MS_OP_MIN_FIELDS)
    return NULL;
  o->name.ptr = name;
  o->name.len = name_len;
  o->nfields = n;
  if (n < MS_OP_FIELDS)
    o->v[MS_OP_ERRORS] = 0;
  return nl;
}
#endif /* MS_FAST_OPS */
