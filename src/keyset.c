/* SPDX-License-Identifier: MIT
 *
 * keyset.c: see keyset.h for the contract.
 */
#include "keyset.h"

#include <errno.h>

int ms_keyset_add(ms_keyset_t *s, uint64_t key) {
  return ms_keytab_append(&s->keys_, sizeof(key), key) != NULL ? 0 : -ENOMEM;
}

bool ms_keyset_has(const ms_keyset_t *s, uint64_t key) {
  return ms_keytab_find_sorted(&s->keys_, sizeof(key), key) != NULL;
}

bool ms_keyset_has_unsorted(const ms_keyset_t *s, uint64_t key) {
  return ms_keytab_find_new(&s->keys_, sizeof(key), key) != NULL;
}

void ms_keyset_rotate(ms_keyset_t *prev, ms_keyset_t *cur) {
  ms_keytab_swap(&prev->keys_, &cur->keys_);
  ms_keytab_clear(&cur->keys_);
  ms_keytab_sort(&prev->keys_, sizeof(uint64_t));
}

void ms_keyset_free(ms_keyset_t *s) { ms_keytab_free(&s->keys_); }
