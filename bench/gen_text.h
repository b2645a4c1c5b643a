/* SPDX-License-Identifier: MIT
 *
 * gen_text.h: writes /proc/self/mountstats and /proc/self/mountinfo text in
 * the kernel's layout (docs/MOUNTSTATS-FORMAT.md), from values the caller
 * chooses. The one text writer of the generated inputs: the benchmark's
 * model (gen.h), the churn soak (tests/soak_churn.c) and mountstats-gen
 * print their records through it, so they cannot drift apart in layout.
 */
#ifndef BENCH_GEN_TEXT_H
#define BENCH_GEN_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing text buffer, NUL-terminated after every write. Zero-initialise;
 * free with gen_buf_free(). A write that cannot allocate sets failed and
 * is dropped: check failed once, after writing. */
typedef struct {
  char *p;
  size_t len, cap;
  bool failed;
} gen_buf_t;

void gen_put(gen_buf_t *b, const char *s, size_t n);
void gen_puts(gen_buf_t *b, const char *s);
/* At most 1023 bytes at a time (a longer one sets failed). */
void gen_printf(gen_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gen_put_u64(gen_buf_t *b, uint64_t v);
/* s as the kernel prints a path: space, tab, newline and backslash as
 * \ooo. */
void gen_put_escaped(gen_buf_t *b, const char *s);
void gen_buf_free(gen_buf_t *b);

/* One NFS record of mountstats. */
typedef struct {
  const char *device;     /* decoded: printed escaped */
  const char *mountpoint; /* decoded: printed escaped */
  const char *fstype;     /* "nfs" or "nfs4" */
  const char *opts;       /* the opts: line's value */
  uint64_t age;
  const char *info; /* whole lines printed between age: and events: (caps:,
                       sec:, ...), each "\t<label>:\t...\n" */
  const uint64_t *events;
  size_t nevents;
  const uint64_t *bytes;
  size_t nbytes;
  const char *rpc_version; /* "1.1" */
  unsigned nfs_version;    /* the 3 or 4 of "p/v: 100003/4" */
  const char *xprt_word;   /* "tcp" */
  const uint64_t *xprt; /* nxprt lines of xprt_fields numbers, row after row */
  size_t nxprt, xprt_fields;
  const char *const *op_names; /* nops names */
  const uint64_t *ops; /* op k's op_fields numbers at ops + k * op_stride */
  size_t nops, op_stride;
  unsigned op_fields;
} gen_record_t;

/* Prints r and the empty line that ends it. */
void gen_put_record(gen_buf_t *b, const gen_record_t *r);

/* One line of mountinfo (proc(5)): ID PARENT MAJOR:MINOR ROOT MOUNTPOINT
 * OPTS OPTIONAL - FSTYPE SOURCE SUPEROPTS. */
typedef struct {
  size_t id, parent;
  unsigned major;
  uint64_t minor;
  const char *mountpoint; /* decoded: printed escaped */
  const char *opts;       /* "rw,relatime" */
  const char *optional;   /* "shared:1" */
  const char *fstype, *source, *superopts;
} gen_mountinfo_t;

void gen_put_mountinfo(gen_buf_t *b, const gen_mountinfo_t *m);

#endif
