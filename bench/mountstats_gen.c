/* SPDX-License-Identifier: MIT
 *
 * mountstats_gen.c: mountstats-gen, the benchmark's generated input on
 * stdout (gen.h: the mix of NFSv3 and NFSv4.2 mounts, nconnect, bind
 * mounts, escaped mount points, non-NFS records), for scripts and for
 * reproducing a benchmark input by hand:
 *
 *   mountstats-gen [--mounts N] [--epoch E] [--mountinfo FILE]
 *
 * N NFS mounts (default 10) at epoch E (default 0: successive epochs are
 * successive reads of a busy client); --mountinfo writes the matching
 * mountinfo to FILE. The same N and E always give the same bytes.
 */
#include "gen.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static int usage(void) {
  fputs("usage: mountstats-gen [--mounts N] [--epoch E] [--mountinfo FILE]\n",
        stderr);
  return 2;
}

static int write_all(FILE *f, const gen_buf_t *b) {
  return fwrite(b->p, 1, b->len, f) == b->len ? 0 : -1;
}

int main(int argc, char **argv) {
  static const struct option longopts[] = {
      {"mounts", required_argument, NULL, 'n'},
      {"epoch", required_argument, NULL, 'e'},
      {"mountinfo", required_argument, NULL, 'i'},
      {NULL, 0, NULL, 0},
  };
  unsigned long long mounts = 10, epoch = 0;
  const char *mountinfo = NULL;
  char *end;
  for (int c; (c = getopt_long(argc, argv, "", longopts, NULL)) != -1;) {
    switch (c) {
    case 'n':
      mounts = strtoull(optarg, &end, 10);
      if (*optarg == '\0' || *end != '\0' || mounts > 1000000)
        return usage();
      break;
    case 'e':
      epoch = strtoull(optarg, &end, 10);
      if (*optarg == '\0' || *end != '\0')
        return usage();
      break;
    case 'i':
      mountinfo = optarg;
      break;
    default:
      return usage();
    }
  }
  if (optind != argc)
    return usage();

  gen_buf_t ms = {0}, mi = {0};
  gen_expect_t *ex = malloc(sizeof(*ex));
  if (ex == NULL || gen_mountstats((size_t)mounts, epoch, &ms, &mi, ex) != 0) {
    fputs("mountstats-gen: out of memory\n", stderr);
    return 1;
  }
  int rc = write_all(stdout, &ms) == 0 && fflush(stdout) == 0 ? 0 : 1;
  if (rc == 0 && mountinfo != NULL) {
    FILE *f = fopen(mountinfo, "w");
    rc = f == NULL || write_all(f, &mi) != 0 ? 1 : 0;
    if (f != NULL && fclose(f) != 0)
      rc = 1;
  }
  if (rc != 0)
    perror("mountstats-gen: writing");
  gen_buf_free(&ms);
  gen_buf_free(&mi);
  free(ex);
  return rc;
}
