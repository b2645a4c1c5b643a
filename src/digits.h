/* SPDX-License-Identifier: MIT
 *
 * digits.h: decimal digits to numbers, eight at a time (SWAR: word
 * arithmetic on the bytes of a 64-bit word). The kernel prints every
 * counter of mountstats as plain decimal digits; converting them is most of
 * the parser's time.
 *
 * Header only, every function static inline: they are the innermost loops
 * of the parser and of its fast path (src/mountstats.c, src/fastpath.c),
 * which are separate files and must not pay a call per token. No I/O, no
 * collectd header.
 */
#ifndef MOUNTSTATS_DIGITS_H
#define MOUNTSTATS_DIGITS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The 8 bytes at p as a word, the first byte in the low bits on a
 * little-endian machine (any alignment). All 8 must be readable. */
static inline uint64_t ms_load8(const char *p) {
  uint64_t w;
  memcpy(&w, p, sizeof(w));
  return w;
}

/* The value of the digits p..e (any number of them, leading zeros
 * allowed; every byte a digit). Returns false when the value is 2^64 or
 * more (*out untouched). A byte at a time with overflow checks: for the
 * rare token of more than 19 digits. */
static inline bool ms_digits_checked(const char *p, const char *e,
                                     uint64_t *out) {
  uint64_t v = 0;
  for (; p < e; p++) {
    unsigned d = (unsigned char)*p - '0';
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v))
      return false;
  }
  *out = v;
  return true;
}

/* Eight bytes at a time where the byte order allows: a token's digits are
 * found and converted without a loop over its characters. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) &&                            \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MS_WORD_DIGITS 1

/* 10^k for k = 0..8: the scale of a run of k digits. */
static const uint64_t ms_pow10_u64[9] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/* How many of the 8 bytes of w (first byte in the low bits) are ASCII digits
 * before the first one that is not. A byte is a digit when its high nibble
 * is 3 and adding 6 keeps it so. The +6 carries only out of a non-digit
 * byte, so it can spoil bytes after the first non-digit, never before. */
static inline unsigned ms_digit_run8(uint64_t w) {
  const uint64_t hi = 0xF0F0F0F0F0F0F0F0ull, threes = 0x3030303030303030ull;
  uint64_t not_digit =
      ((w & hi) ^ threes) | (((w + 0x0606060606060606ull) & hi) ^ threes);
  return not_digit ? (unsigned)__builtin_ctzll(not_digit) >> 3 : 8;
}

/* The value of the first n (1..8) bytes of w, all digits. Shifting them to
 * the top leaves zero digits in front; then pairs, quads and the eight are
 * combined with three multiplications. Bytes after the n digits may borrow
 * in the subtraction, but only into bytes that the shift drops. */
static inline uint64_t ms_digits8_value(uint64_t w, unsigned n) {
  uint64_t t = (w - 0x3030303030303030ull) << (8 * (8 - n));
  t = t * 10 + (t >> 8); /* bytes 0, 2, 4, 6: two-digit values */
  const uint64_t two = 0x000000FF000000FFull;
  return ((t & two) * (100 + (1000000ull << 32)) +
          ((t >> 16) & two) * (1 + (10000ull << 32))) >>
         32;
}

/* The value of the len (1..19) digits at t: at most three blocks of 8,
 * the first one short. Loads stay in [t, t + max(8, len)). */
static inline uint64_t ms_digits_value(const char *t, unsigned len) {
  if (len <= 8)
    return ms_digits8_value(ms_load8(t), len);
  if (len <= 16)
    return ms_digits8_value(ms_load8(t), len - 8) * 100000000u +
           ms_digits8_value(ms_load8(t + len - 8), 8);
  return (ms_digits8_value(ms_load8(t), len - 16) * 100000000u +
          ms_digits8_value(ms_load8(t + len - 16), 8)) *
             100000000u +
         ms_digits8_value(ms_load8(t + len - 8), 8);
}
#endif /* little-endian GNU C */

/* The value of the run of digits at *p, which is moved past it: 8 digits
 * at a time while 8 bytes before limit can be loaded, then one at a time.
 * A byte that is not a digit must end the run before limit (the parser's
 * line end): the byte loop has no bound of its own. The value wraps past
 * 19 digits; the caller checks longer runs (ms_digits_checked). */
static inline uint64_t ms_digits_run(const char **p, const char *limit) {
  const char *q = *p;
  uint64_t x = 0;
  (void)limit;
#ifdef MS_WORD_DIGITS
  while (limit - q >= 8) {
    uint64_t w = ms_load8(q);
    unsigned k = ms_digit_run8(w);
    if (k == 0)
      break;
    x = x * ms_pow10_u64[k] + ms_digits8_value(w, k);
    q += k;
    if (k < 8)
      break;
  }
#endif
  unsigned d;
  while ((d = (unsigned char)*q - '0') <= 9) { /* near limit, or no words */
    x = x * 10 + d;
    q++;
  }
  *p = q;
  return x;
}

#endif
