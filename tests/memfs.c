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

/* Copies the text or link of path into buf. */
static int copy_out(const char *path, bool link, char *buf, size_t cap,
                    size_t *len) {
  const memfs_entry_t *e = mem_find(path);
  const char *src = e == NULL ? NULL : link ? e->link : e->text;
  if (src == NULL)
    return -ENOENT;
  *len = strlen(src) < cap ? strlen(src) : cap;
  memcpy(buf, src, *len);
  return 0;
}

static int mem_read(void *ctx, const char *path, char *buf, size_t cap,
                    size_t *len) {
  (void)ctx;
  return copy_out(path, false, buf, cap, len);
}

static int mem_readlink(void *ctx, const char *path, char *buf, size_t cap,
                        size_t *len) {
  (void)ctx;
  return copy_out(path, true, buf, cap, len);
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

#define SW "kernel/sunrpc/xprt-switches/switch-3"

void memfs_switch3(void) {
  static const memfs_entry_t tree[] = {
      {SW "/xprt_switch_info",
       "num_xprts=2\nnum_active=2\nnum_unique_destaddr=1\nqueue_len=1\n", NULL},
      {SW "/xprt-5-tcp/xprt_info",
       "last_used=4294895295\ncur_cong=0\ncong_win=256\n"
       "max_num_slots=65536\nmin_num_slots=2\nnum_reqs=2\n"
       "binding_q_len=0\nsending_q_len=0\npending_q_len=1\n"
       "backlog_q_len=0\nmain_xprt=1\nsrc_port=906\n"
       "tasks_queuelen=1\ndst_port=2049\n",
       NULL},
      {SW "/xprt-5-tcp/dstaddr", "127.0.0.5\n", NULL},
      {SW "/xprt-6-tcp/xprt_info", "<closed>\n", NULL},
      {SW "/xprt-6-tcp/dstaddr", "127.0.0.5\n", NULL},
      {SW "/xprt-5-tcp/xprt_state", "state= CONNECTED   BOUND       \n", NULL},
      {SW "/xprt-6-tcp/xprt_state", "state=CLOSED\n", NULL},
  };
  memfs_n = sizeof(tree) / sizeof(tree[0]);
  memcpy(memfs_tree, tree, sizeof(tree));
}
