/* SPDX-License-Identifier: MIT
 *
 * memfs.c: see memfs.h.
 */
#include "memfs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

memfs_entry_t memfs_tree[MEMFS_MAX];
size_t memfs_n;

static const memfs_entry_t *mem_find(const char *path) {
  for (size_t i = 0; i < memfs_n; i++)
    if (strcmp(memfs_tree[i].path, path) == 0)
      return &memfs_tree[i];
  return NULL;
}

static int mem_read(void *ctx, const char *path, char *buf, size_t cap,
                    size_t *len) {
  (void)ctx;
  const memfs_entry_t *e = mem_find(path);
  if (e == NULL || e->text == NULL)
    return -ENOENT;
  *len = strlen(e->text) < cap ? strlen(e->text) : cap;
  memcpy(buf, e->text, *len);
  return 0;
}

static int mem_readlink(void *ctx, const char *path, char *buf, size_t cap,
                        size_t *len) {
  (void)ctx;
  const memfs_entry_t *e = mem_find(path);
  if (e == NULL || e->link == NULL)
    return -ENOENT;
  *len = strlen(e->link) < cap ? strlen(e->link) : cap;
  memcpy(buf, e->link, *len);
  return 0;
}

static int mem_list(void *ctx, const char *path, ms_fs_each_fn each,
                    void *arg) {
  (void)ctx;
  size_t plen = strlen(path), found = 0;
  char seen[MEMFS_MAX][64];
  for (size_t i = 0; i < memfs_n; i++) {
    const char *p = memfs_tree[i].path;
    if (strncmp(p, path, plen) != 0 || p[plen] != '/')
      continue;
    char name[64];
    snprintf(name, sizeof(name), "%.*s", (int)strcspn(p + plen + 1, "/"),
             p + plen + 1);
    bool dup = false;
    for (size_t k = 0; k < found; k++)
      dup |= strcmp(seen[k], name) == 0;
    if (dup)
      continue;
    snprintf(seen[found++], sizeof(seen[0]), "%s", name);
    int rc = each(arg, name);
    if (rc != 0)
      return rc;
  }
  return found > 0 ? 0 : -ENOENT;
}

const ms_fs_t memfs = {NULL, mem_read, mem_readlink, mem_list};
