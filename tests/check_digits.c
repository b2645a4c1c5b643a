/* SPDX-License-Identifier: MIT
 *
 * check_digits.c: the SWAR digit conversion (src/digits.h) on its own:
 * the length of a digit run in a word, a word's first n digits, tokens of
 * 1 to 19 digits in blocks of 8, and the checked conversion of longer
 * tokens up to 2^64. Every expected value is written out by hand from the
 * digits of its input; none comes from the code under test.
 */
#include "check_run.h"
#include "digits.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef MS_WORD_DIGITS
#error "these tests are for little-endian GNU C builds (MS_WORD_DIGITS)"
#endif

/* A token in a buffer of its own with room for every 8-byte load, the
 * bytes after it a blank and then 'x': what follows a number on a line. */
static const char *padded(char *buf, size_t size, const char *digits) {
  memset(buf, 'x', size);
  size_t n = strlen(digits);
  ck_assert_uint_lt(n + 8, size);
  memcpy(buf, digits, n);
  buf[n] = ' ';
  return buf;
}

/* ---- ms_load8: the first byte in the low bits ---- */

START_TEST(test_load8_byte_order) {
  /* '1' = 0x31 ... '8' = 0x38, '1' lowest */
  ck_assert_uint_eq(ms_load8("12345678"), 0x3837363534333231ull);
  /* any alignment */
  static const char text[] = "x12345678";
  ck_assert_uint_eq(ms_load8(text + 1), 0x3837363534333231ull);
}
END_TEST

/* ---- ms_digit_run8: digits before the first other byte ---- */

static const struct run_case {
  const char bytes[9];
  unsigned want;
} run_cases[] = {
    {"12345678", 8}, /* all eight */
    {"00000000", 8}, /* zeros are digits */
    {"99999999", 8}, /* '9' + 6 = 0x3f: still high nibble 3 */
    {"1234567 ", 7}, /* a blank after seven */
    {"1 345678", 1},
    {" 2345678", 0},
    {"123:5678", 3},  /* ':' = 0x3a: + 6 = 0x40, high nibble 4 */
    {"12/45678", 2},  /* '/' = 0x2f: high nibble 2 */
    {"1234567\n", 7}, /* the line's end */
    {"12\xff"
     "45678",
     2}, /* 0xff + 6 carries into the next byte: after the run, harmless */
    {"\xf9"
     "2345678",
     0}, /* high nibble f */
    {"0000000a", 7},
};

START_TEST(test_digit_run8) {
  const struct run_case *c = &run_cases[_i];
  ck_assert_uint_eq(ms_digit_run8(ms_load8(c->bytes)), c->want);
}
END_TEST

/* ---- ms_digits8_value: the first n digits of a word ---- */

static const struct value8_case {
  const char bytes[9];
  unsigned n;
  uint64_t want;
} value8_cases[] = {
    {"12345678", 8, 12345678},
    {"99999999", 8, 99999999},
    {"00000000", 8, 0},
    {"00000001", 8, 1},     /* leading zeros */
    {"00012345", 8, 12345}, /* leading zeros */
    {"10000000", 8, 10000000},
    {"7xxxxxxx", 1, 7}, /* the bytes after n are not looked at */
    {"42 xxxxx", 2, 42},
    {"905 xxxx", 3, 905},
    {"0001 xxx", 4, 1},
    {"80000\nxx", 5, 80000},
    {"123456 x", 6, 123456},
    {"7654321:", 7, 7654321},
    {"1\x01\x01\x01\x01\x01\x01\x01", 1, 1}, /* bytes below '0' borrow */
};

START_TEST(test_digits8_value) {
  const struct value8_case *c = &value8_cases[_i];
  ck_assert_uint_eq(ms_digits8_value(ms_load8(c->bytes), c->n), c->want);
}
END_TEST

/* ---- ms_digits_value: tokens of 1 to 19 digits ---- */

/* Digits and their value, written out by hand. */
typedef struct {
  const char *digits;
  uint64_t want;
} digits_case_t;

static const digits_case_t token_cases[] = {
    {"0", 0},
    {"5", 5},
    {"12345678", 12345678},   /* one block */
    {"123456789", 123456789}, /* 1 + 8 */
    {"1000000000", 1000000000},
    {"0000000000000001", 1},                   /* 16: two blocks of zeros */
    {"1234567812345678", 1234567812345678ull}, /* 8 + 8 */
    {"9999999999999999", 9999999999999999ull},
    {"12345678901234567", 12345678901234567ull}, /* 1 + 8 + 8 */
    {"100000000000000000", 100000000000000000ull},
    {"1234567890123456789", 1234567890123456789ull}, /* 3 + 8 + 8 */
    {"9999999999999999999", 9999999999999999999ull}, /* largest 19 digits */
    {"0000000000000000042", 42},
    {"9223372036854775808", 9223372036854775808ull}, /* 2^63 */
};

START_TEST(test_digits_value) {
  const digits_case_t *c = &token_cases[_i];
  char buf[48];
  const char *t = padded(buf, sizeof(buf), c->digits);
  ck_assert_uint_eq(ms_digits_value(t, (unsigned)strlen(c->digits)), c->want);
}
END_TEST

/* ---- ms_digits_checked: any length, up to 2^64 - 1 ---- */

static const digits_case_t checked_cases[] = {
    {"", 0},
    {"7", 7},
    {"18446744073709551615", UINT64_MAX},              /* 2^64 - 1, 20 digits */
    {"18446744073709551610", UINT64_MAX - 5},          /* under by 5 */
    {"10000000000000000000", 10000000000000000000ull}, /* 10^19 */
    {"000000000000000000000000000001", 1}, /* 30 digits, leading 0s */
    {"0000000000018446744073709551615", UINT64_MAX},
};

/* 2^64 or more: refused, the value untouched. */
static const char *const overflow_cases[] = {
    "18446744073709551616",            /* 2^64 */
    "18446744073709551620",            /* over by the last digit */
    "99999999999999999999",            /* 20 nines */
    "100000000000000000000",           /* 10^20 */
    "0000000000018446744073709551616", /* 2^64 after leading zeros */
};

START_TEST(test_digits_checked) {
  const digits_case_t *c = &checked_cases[_i];
  uint64_t v = 12345;
  ck_assert(ms_digits_checked(c->digits, c->digits + strlen(c->digits), &v));
  ck_assert_uint_eq(v, c->want);
}
END_TEST

START_TEST(test_digits_overflow) {
  const char *d = overflow_cases[_i];
  uint64_t v = 12345;
  ck_assert(!ms_digits_checked(d, d + strlen(d), &v));
  ck_assert_uint_eq(v, 12345);
}
END_TEST

/* A run of digits converted the way the parser does: words of up to 8
 * digits, each scaled by 10^k and added, then a byte at a time near the
 * limit. The sums of blocks must equal the decimal value, whatever the
 * split, and the run end where the digits do. */
START_TEST(test_runs) {
  static const struct {
    const char *digits;
    uint64_t want;
  } cases[] = {
      {"1", 1},
      {"87654321", 87654321},
      {"876543210", 876543210},
      {"100000000000", 100000000000ull},
      {"1844674407370955161", 1844674407370955161ull},
  };
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    char buf[48];
    size_t n = strlen(cases[i].digits);
    const char *p = padded(buf, sizeof(buf), cases[i].digits);
    ck_assert_uint_eq(ms_digits_run(&p, buf + sizeof(buf)), cases[i].want);
    ck_assert_ptr_eq(p, buf + n);
    /* with no 8 bytes to load: byte by byte up to the blank */
    p = buf;
    ck_assert_uint_eq(ms_digits_run(&p, buf + n + 1), cases[i].want);
    ck_assert_ptr_eq(p, buf + n);
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("digits");
  TCase *tc =
      MS_CHECK_CASE(s, "digits", NULL, NULL, test_load8_byte_order, test_runs);
  tcase_add_loop_test(tc, test_digit_run8, 0, ARRAY_SIZE(run_cases));
  tcase_add_loop_test(tc, test_digits8_value, 0, ARRAY_SIZE(value8_cases));
  tcase_add_loop_test(tc, test_digits_value, 0, ARRAY_SIZE(token_cases));
  tcase_add_loop_test(tc, test_digits_checked, 0, ARRAY_SIZE(checked_cases));
  tcase_add_loop_test(tc, test_digits_overflow, 0, ARRAY_SIZE(overflow_cases));
  return ms_check_main(s);
}
