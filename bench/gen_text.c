/* SPDX-License-Identifier: MIT
 *
 * gen_text.c: see gen_text.h.
 */
#include "gen_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(gen_buf_t *b, size_t more) {
  if (b->len + more <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 1 << 16;
  while (cap < b->len + more)
    cap *= 2;
  char *p = realloc(b->p, cap);
  if (p == NULL)
    return false;
  b->p = p;
  b->cap = cap;
  return true;
}

void gen_put(gen_buf_t *b, const char *s, size_t n) {
  if (!reserve(b, n + 1)) {
    b->failed = true;
    return;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

void gen_puts(gen_buf_t *b, const char *s) { gen_put(b, s, strlen(s)); }

void gen_printf(gen_buf_t *b, const char *fmt, ...) {
  char tmp[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof(tmp)) {
    b->failed = true;
    return;
  }
  gen_put(b, tmp, (size_t)n);
}

void gen_put_u64(gen_buf_t *b, uint64_t v) {
  char tmp[24];
  size_t i = sizeof(tmp);
  do {
    tmp[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  gen_put(b, tmp + i, sizeof(tmp) - i);
}

void gen_put_escaped(gen_buf_t *b, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
      char e[5];
      snprintf(e, sizeof(e), "\\%03o", c);
      gen_put(b, e, 4);
    } else {
      gen_put(b, s, 1);
    }
  }
}

void gen_buf_free(gen_buf_t *b) {
  free(b->p);
  memset(b, 0, sizeof(*b));
}

/* n numbers, each followed by a space: the events: and bytes: lines. */
static void put_counters(gen_buf_t *b, const uint64_t *v, size_t n) {
  for (size_t k = 0; k < n; k++) {
    gen_put_u64(b, v[k]);
    gen_puts(b, " ");
  }
  gen_puts(b, "\n");
}

/* n numbers, each after a space: the xprt: and per-op lines. */
static void put_fields(gen_buf_t *b, const uint64_t *v, size_t n) {
  for (size_t k = 0; k < n; k++) {
    gen_puts(b, " ");
    gen_put_u64(b, v[k]);
  }
  gen_puts(b, "\n");
}

void gen_put_record(gen_buf_t *b, const gen_record_t *r) {
  gen_puts(b, "device ");
  gen_put_escaped(b, r->device);
  gen_puts(b, " mounted on ");
  gen_put_escaped(b, r->mountpoint);
  gen_printf(b, " with fstype %s statvers=1.1\n\topts:\t", r->fstype);
  gen_puts(b, r->opts);
  gen_puts(b, "\n\tage:\t");
  gen_put_u64(b, r->age);
  gen_puts(b, "\n");
  gen_puts(b, r->info);
  gen_puts(b, "\tevents:\t");
  put_counters(b, r->events, r->nevents);
  gen_puts(b, "\tbytes:\t");
  put_counters(b, r->bytes, r->nbytes);
  gen_printf(b, "\tRPC iostats version: %s  p/v: 100003/%u (nfs)\n",
             r->rpc_version, r->nfs_version);
  for (size_t k = 0; k < r->nxprt; k++) {
    gen_printf(b, "\txprt:\t%s", r->xprt_word);
    put_fields(b, r->xprt + k * r->xprt_fields, r->xprt_fields);
  }
  gen_puts(b, "\tper-op statistics\n");
  for (size_t k = 0; k < r->nops; k++) {
    gen_printf(b, "\t%12s:", r->op_names[k]);
    put_fields(b, r->ops + k * r->op_stride, r->op_fields);
  }
  gen_puts(b, "\n");
}

void gen_put_mountinfo(gen_buf_t *b, const gen_mountinfo_t *m) {
  gen_printf(b, "%zu %zu %u:", m->id, m->parent, m->major);
  gen_put_u64(b, m->minor);
  gen_puts(b, " / ");
  gen_put_escaped(b, m->mountpoint);
  gen_printf(b, " %s %s - %s ", m->opts, m->optional, m->fstype);
  gen_put_escaped(b, m->source);
  gen_printf(b, " %s\n", m->superopts);
}
