/* SPDX-License-Identifier: MIT
 *
 * parse_cost.c: the live suite's cost probe, run in the guest. For the file
 * given (default /proc/self/mountstats) it measures, in thread CPU time, the
 * kernel generating the file (open, read to the end, close: the time spent
 * in the read system calls is this thread's) and ms_parse() of the same
 * bytes, best of `rounds` rounds of `reps` repetitions each, and prints one
 * line:
 *   bytes=<n> records=<n> nfs=<n> read_us=<best per read> parse_us=<best
 *   per parse> ratio=<read/parse>
 * Exit status 1 when the file cannot be read or the parse fails.
 *
 * With --sysfs [ROOT [reps [rounds]]] it measures ReportStall's reads of the
 * kernel's sunrpc tree under ROOT (default /sys) with the plugin's own code
 * (src/sunrpc.h through plugin/sysfs.h, attribute files kept open): the
 * whole scan, and the per-interval refresh of every switch, and prints
 *   switches=<n> xprts=<n> scan_us=<best> refresh_us=<best>
 *   refresh_per_xprt_us=<refresh_us / xprts>
 */
#include "mountstats.h"
#include "sunrpc.h"
#include "sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double thread_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static ssize_t read_all(const char *path, char **buf, size_t *cap) {
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  size_t len = 0;
  for (;;) {
    if (len + 65536 > *cap) {
      size_t ncap = (*cap ? *cap * 2 : 1 << 20);
      char *nb = realloc(*buf, ncap);
      if (nb == NULL) {
        close(fd);
        return -1;
      }
      *buf = nb;
      *cap = ncap;
    }
    ssize_t n = read(fd, *buf + len, *cap - len);
    if (n < 0) {
      close(fd);
      return -1;
    }
    if (n == 0)
      break;
    len += (size_t)n;
  }
  close(fd);
  return (ssize_t)len;
}

static int sysfs_cost(const char *root, int reps, int rounds) {
  ms_sysfs_t fs = {.dirfd = -1};
  ms_sunrpc_t t = {0};
  if (ms_sysfs_open(&fs, root) != 0 || ms_sunrpc_scan(&t, &fs.fs) != 0 ||
      !t.have_tree || reps < 1 || rounds < 1) {
    fprintf(stderr, "parse_cost: no sunrpc tree under %s\n", root);
    return 1;
  }
  double best_scan = 1e30, best_refresh = 1e30;
  for (int r = 0; r < rounds; r++) {
    double t0 = thread_us();
    for (int i = 0; i < reps; i++)
      if (ms_sunrpc_scan(&t, &fs.fs) != 0)
        return 1;
    double d = (thread_us() - t0) / reps;
    if (d < best_scan)
      best_scan = d;
    for (size_t k = 0; k < t.nswitches; k++)
      t.switches[k].used = true;
    t0 = thread_us();
    for (int i = 0; i < reps; i++)
      (void)ms_sunrpc_refresh(&t, &fs.fs); /* a transport may come or go */
    d = (thread_us() - t0) / reps;
    if (d < best_refresh)
      best_refresh = d;
  }
  printf("switches=%zu xprts=%zu scan_us=%.1f refresh_us=%.1f "
         "refresh_per_xprt_us=%.2f\n",
         t.nswitches, t.nxprts, best_scan, best_refresh,
         t.nxprts ? best_refresh / (double)t.nxprts : 0.0);
  ms_sunrpc_free(&t);
  ms_sysfs_close(&fs);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--sysfs") == 0)
    return sysfs_cost(argc > 2 ? argv[2] : "/sys", argc > 3 ? atoi(argv[3]) : 20,
                      argc > 4 ? atoi(argv[4]) : 5);
  const char *path = argc > 1 ? argv[1] : "/proc/self/mountstats";
  int reps = argc > 2 ? atoi(argv[2]) : 20;
  int rounds = argc > 3 ? atoi(argv[3]) : 5;
  char *buf = NULL;
  size_t cap = 0;
  ssize_t len = read_all(path, &buf, &cap);
  if (len < 0 || reps < 1 || rounds < 1) {
    fprintf(stderr, "parse_cost: %s: %s\n", path, strerror(errno));
    return 1;
  }
  double best_read = 1e30, best_parse = 1e30;
  for (int r = 0; r < rounds; r++) {
    double t = thread_us();
    for (int i = 0; i < reps; i++)
      if (read_all(path, &buf, &cap) < 0)
        return 1;
    double d = (thread_us() - t) / reps;
    if (d < best_read)
      best_read = d;
  }
  len = read_all(path, &buf, &cap); /* the bytes the parse is timed on */
  ms_snapshot_t snap;
  memset(&snap, 0, sizeof(snap));
  if (ms_parse(&snap, buf, (size_t)len) != 0)
    return 1;
  for (int r = 0; r < rounds; r++) {
    double t = thread_us();
    for (int i = 0; i < reps; i++)
      if (ms_parse(&snap, buf, (size_t)len) != 0)
        return 1;
    double d = (thread_us() - t) / reps;
    if (d < best_parse)
      best_parse = d;
  }
  printf("bytes=%zd records=%zu nfs=%zu read_us=%.1f parse_us=%.1f ratio=%.2f\n", len,
         snap.records, snap.nmounts, best_read, best_parse, best_read / best_parse);
  ms_snapshot_free(&snap);
  free(buf);
  return 0;
}
