/* SPDX-License-Identifier: MIT
 *
 * matcher.c: see matcher.h for the contract.
 */
#include "matcher.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ms_matcher_add(ms_matcher_t *m, const char *pattern, char *err,
                   size_t err_size) {
  size_t len = strlen(pattern);
  bool is_regex = len >= 2 && pattern[0] == '/' && pattern[len - 1] == '/';
  ms_pattern_t item = {.is_regex = is_regex};
  item.text = is_regex ? strndup(pattern + 1, len - 2) : strdup(pattern);
  if (item.text == NULL)
    return -ENOMEM;
  if (is_regex) {
    int rc = regcomp(&item.re, item.text, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      if (err != NULL && err_size > 0)
        regerror(rc, &item.re, err, err_size);
      free(item.text);
      return -EINVAL;
    }
  }
  ms_pattern_t *items = realloc(m->items, (m->count + 1) * sizeof(*items));
  if (items == NULL) {
    if (is_regex)
      regfree(&item.re);
    free(item.text);
    return -ENOMEM;
  }
  m->items = items;
  m->items[m->count++] = item;
  return 0;
}

bool ms_matcher_match(const ms_matcher_t *m, const char *s) {
  if (s == NULL)
    return false;
  for (size_t i = 0; i < m->count; i++) {
    const ms_pattern_t *it = &m->items[i];
    if (it->is_regex ? regexec(&it->re, s, 0, NULL, 0) == 0
                     : strcmp(it->text, s) == 0)
      return true;
  }
  return false;
}

bool ms_matcher_selects(const ms_matcher_t *m, const char *s) {
  return m->count == 0 || ms_matcher_match(m, s) != m->invert;
}

void ms_matcher_free(ms_matcher_t *m) {
  for (size_t i = 0; i < m->count; i++) {
    if (m->items[i].is_regex)
      regfree(&m->items[i].re);
    free(m->items[i].text);
  }
  free(m->items);
  *m = (ms_matcher_t){0};
}

bool ms_selected(const ms_matcher_t *const *lists, const char *const *values,
                 size_t n) {
  for (size_t i = 0; i < n; i++)
    if (lists[i] != NULL && !ms_matcher_selects(lists[i], values[i]))
      return false;
  return true;
}
