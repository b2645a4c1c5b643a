/* SPDX-License-Identifier: MIT
 *
 * plan.h: which records of an interval's snapshot are reported, under which
 * names, and with which of them each server connection's transports are
 * reported. The steps: the selection (MountPoint, Device, FSType, with
 * IgnoreSelected in the lists: matcher.h), the device numbers from
 * mountinfo (mountinfo.h), one record per superblock and one transport per
 * connection (superblock.h), the names (naming.h; NamingScheme auto keeps
 * the names staged CSI volumes took from their pods across intervals).
 *
 * All of it depends on the mount set only: the NFS records' devices, mount
 * points, fstypes, options, transport words and source ports, and the
 * mountinfo text. While those stay byte for byte the same, the plan of the
 * interval before is kept and only compared (the superblocks found from
 * identical counters, without mountinfo, are worked out again). Once its
 * arrays have grown to the mount set, making a plan allocates nothing. No
 * I/O, no collectd header.
 */
#ifndef MOUNTSTATS_PLAN_H
#define MOUNTSTATS_PLAN_H

#include "keyset.h"
#include "keytab.h"
#include "log.h"
#include "mountinfo.h"
#include "mountstats.h"
#include "naming.h"
#include "options.h"
#include "sunrpc.h" /* MS_SUNRPC_ADDR_MAX */
#include "superblock.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Zero-initialise; free with ms_plan_free(). The caller reads the fields
 * without a trailing '_'. Arrays are in two index spaces: per record of
 * the snapshot (its nmounts entries), and per reported record (nreported
 * entries, in file order). */
typedef struct {
  /* ---- per reported record ---- */
  size_t nreported;
  size_t *reported; /* its record */
  ms_name_t *names; /* its plugin instance */
  /* ---- per record ---- */
  size_t *name_index;       /* its index in reported[], SIZE_MAX: none */
  unsigned char *in_report; /* 1 when it is reported */
  size_t *xprt_leader;      /* the reported record its connection's
                               transports are reported with; only with
                               ReportTransport or ReportStall */
  uint64_t *dev;            /* its device number, 0: unknown; only when
                               have_dev */
  char (*addr)[MS_SUNRPC_ADDR_MAX]; /* ReportStall: its server's address,
                                       "": unknown */
  bool have_dev;     /* dev[] came from this interval's mountinfo */
  bool same_records; /* the reported records, names and leaders are the
                        last plan's */

  /* ---- plan.c's ---- */
  /* per record */
  unsigned char *selected_;
  size_t *sb_leader_, *sb_leader_new_; /* the superblock's reported record,
                                          kept and this interval's */
  uint64_t *group_key_;                /* per superblock leader: its mount
                                          points, hashed (log once) */
  size_t *group_size_;                 /* per superblock leader: members */
  size_t *mi_index_;                   /* its mountinfo line, SIZE_MAX */
  /* per reported record */
  size_t *order_;            /* ms_names_make_unique's scratch */
  unsigned char *name_rule_; /* NamingScheme auto: enum ms_name_rule */
  size_t *name_path_off_;    /* ...its decoded mount point in name_paths_ */
  const char **name_path_;   /* ...and the pointer to it */
  char *name_paths_;         /* the decoded mount points of the names */
  size_t name_paths_cap_;
  ms_keytab_t staged_prev_, staged_cur_; /* the names staged CSI volumes
                                            took from their pods' mounts,
                                            kept while they are reported */
  size_t cap_;                           /* entries of every array above */
  ms_mountinfo_t mi_;
  ms_group_t group_;
  char *ident_; /* the mount set the kept plan was made from */
  size_t ident_len_, ident_cap_;
  ms_keyset_t group_prev_, group_cur_; /* shared superblocks logged */
} ms_plan_t;

/* How one NFS record of the last plan was named (mountstats-dryrun
 * --explain-names). */
typedef struct {
  ms_span_t mountpoint; /* still \ooo-escaped, as in the file */
  const char *name;     /* the plugin instance it is reported under; NULL:
                           not reported (not selected) */
  const char *rule;     /* how that name was made: "path", "k8s-csi", ... */
  bool shared;          /* one superblock with an earlier mount point: reported
                           under that one's name */
} ms_name_explain_t;

/* Makes the plan of snap's records under cfg, with the mountinfo text
 * mi_buf (mi_len bytes; NULL: none). keep: the last plan was made for an
 * interval that completed, so it may be kept (else it is made anew). Says
 * once, with INFO on log, which mount points a reported superblock stands
 * for. Returns 0, or -ENOMEM (the plan is then not to be used). */
int ms_plan_make(ms_plan_t *p, const ms_config_t *cfg,
                 const ms_snapshot_t *snap, const char *mi_buf, size_t mi_len,
                 bool keep, const ms_log_t *log);

/* Fills out (room for max) for the NFS records of snap, the snapshot the
 * plan p was made of, in file order, and returns how many there are
 * (possibly more than max). */
size_t ms_plan_explain_names(const ms_plan_t *p, const ms_snapshot_t *snap,
                             ms_name_explain_t *out, size_t max);

void ms_plan_free(ms_plan_t *p);

#endif
