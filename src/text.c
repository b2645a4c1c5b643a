/* SPDX-License-Identifier: MIT
 *
 * text.c: see text.h for the contract.
 */
#include "text.h"

#include <string.h>

size_t ms_unescape(char *dst, size_t dst_size, const char *src, size_t len) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    char c = src[i];
    if (c == '\\' && len - i >= 4) {
      unsigned a = (unsigned char)src[i + 1] - '0';
      unsigned b = (unsigned char)src[i + 2] - '0';
      unsigned d = (unsigned char)src[i + 3] - '0';
      if (a <= 3 && b <= 7 && d <= 7) {
        c = (char)(a * 64 + b * 8 + d);
        i += 3;
      }
    }
    if (o + 1 < dst_size)
      dst[o] = c;
    o++;
  }
  dst[o < dst_size ? o : dst_size - 1] = '\0';
  return o;
}

bool ms_opt_get(ms_span_t opts, const char *key, ms_span_t *value) {
  size_t klen = strlen(key);
  const char *p = opts.ptr;
  const char *end = opts.ptr + opts.len;
  while (p < end) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *ie = comma ? comma : end;
    const char *q = p;
    while (q < ie && (*q == ' ' || *q == '\t'))
      q++;
    if ((size_t)(ie - q) >= klen && memcmp(q, key, klen) == 0) {
      const char *r = q + klen;
      if (r == ie) {
        value->ptr = r;
        value->len = 0;
        return true;
      }
      if (*r == '=') {
        value->ptr = r + 1;
        value->len = (size_t)(ie - r - 1);
        return true;
      }
    }
    p = comma ? comma + 1 : end;
  }
  return false;
}
