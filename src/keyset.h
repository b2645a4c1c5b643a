/* SPDX-License-Identifier: MIT
 *
 * keyset.h: sets of 64-bit keys for logging a thing once while it
 * persists (df's LogOnce idea): keys seen this interval go into cur, the
 * previous interval's are looked up in prev, and ms_keyset_rotate makes cur
 * the next prev. Never allocates once grown. No I/O, no collectd header.
 */
#ifndef MOUNTSTATS_KEYSET_H
#define MOUNTSTATS_KEYSET_H

#include "keytab.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Zero-initialise; free with ms_keyset_free(). */
typedef struct {
  ms_keytab_t keys_; /* of uint64_t */
} ms_keyset_t;

/* Appends key. Returns 0 or -ENOMEM (the key is then not kept). */
int ms_keyset_add(ms_keyset_t *s, uint64_t key);

/* True when key is in s, which must have been sorted by ms_keyset_rotate. */
bool ms_keyset_has(const ms_keyset_t *s, uint64_t key);

/* True when key was added to s since its last rotation (linear search). */
bool ms_keyset_has_unsorted(const ms_keyset_t *s, uint64_t key);

/* cur becomes prev, sorted for lookups in the next interval; cur is
 * emptied. */
void ms_keyset_rotate(ms_keyset_t *prev, ms_keyset_t *cur);

void ms_keyset_free(ms_keyset_t *s);

#endif
