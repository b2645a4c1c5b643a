/* SPDX-License-Identifier: MIT
 *
 * log.c: see log.h for the contract.
 */
#include "log.h"

#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Longest decoded path handled in full. */
#define PATH_BUF 4096

void ms_log(const ms_log_t *l, int level, const char *fmt, ...) {
  char msg[MS_LOG_LINE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  msg[sizeof(msg) - 1] = '\0';
  l->fn(l->ctx, level, msg);
}

bool ms_log_due(ms_log_t *l, int kind, double now, double every) {
  size_t slot = 0;
  for (size_t i = 0; i < MS_LOG_KINDS; i++) {
    if (l->last_[i].time != 0 && l->last_[i].kind == kind) {
      if (now >= l->last_[i].time && now - l->last_[i].time < every)
        return false;
      slot = i;
      break;
    }
    if (l->last_[i].time < l->last_[slot].time)
      slot = i; /* the oldest, for a kind not seen yet */
  }
  l->last_[slot].kind = kind;
  l->last_[slot].time = now;
  return true;
}

void ms_printable(char *out, size_t size, const char *p, size_t len) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)p[i];
    size_t need = (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;
    if (o + need + 4 > size) { /* room for this, "..." and the NUL */
      memcpy(out + o, "...", 4);
      return;
    }
    if (need == 1)
      out[o++] = (char)c;
    else
      o += (size_t)snprintf(out + o, size - o, "\\%03o", c);
  }
  out[o] = '\0';
}

void ms_log_path(char *out, size_t size, ms_span_t s) {
  char decoded[PATH_BUF];
  size_t full = ms_unescape(decoded, sizeof(decoded), s.ptr, s.len);
  ms_printable(out, size, decoded,
               full < sizeof(decoded) ? full : sizeof(decoded) - 1);
}
