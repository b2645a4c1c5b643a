/* SPDX-License-Identifier: MIT
 *
 * gen.c: see gen.h.
 */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define V3_OPS 22
#define V4_OPS 69
#define MOUNTS_PER_SERVER 10 /* of each version */
#define BIND_EVERY 25
#define SPACE_EVERY 7
#define NCONNECT 4
#define XPRT_FIELDS 13
#define NEVENTS 27

/* The plugin's event value lists: type, first event, count. */
static const struct {
  const char *type;
  size_t first, count;
} event_groups[] = {
    {"nfs_events_cache", 0, 4}, {"nfs_events_vfs", 4, 8},
    {"nfs_events_file", 12, 6}, {"nfs_events_io", 18, 7},
    {"nfs_events_pnfs", 25, 2},
};
#define NBYTES 8

/* Op names in printed order: NFSv3 (MOUNTSTATS-FORMAT.md section 7.2) and
 * NFSv4.2 as of 6.12 (section 7.3). */
static const char v3_op_list[] =
    "NULL GETATTR SETATTR LOOKUP ACCESS READLINK READ WRITE CREATE MKDIR "
    "SYMLINK MKNOD REMOVE RMDIR RENAME LINK READDIR READDIRPLUS FSSTAT FSINFO "
    "PATHCONF COMMIT";
static const char v4_op_list[] =
    "NULL READ WRITE COMMIT OPEN OPEN_CONFIRM OPEN_NOATTR OPEN_DOWNGRADE CLOSE "
    "SETATTR FSINFO RENEW SETCLIENTID SETCLIENTID_CONFIRM LOCK LOCKT LOCKU "
    "ACCESS GETATTR LOOKUP LOOKUP_ROOT REMOVE RENAME LINK SYMLINK CREATE "
    "PATHCONF STATFS READLINK READDIR SERVER_CAPS DELEGRETURN GETACL SETACL "
    "FS_LOCATIONS RELEASE_LOCKOWNER SECINFO FSID_PRESENT EXCHANGE_ID "
    "CREATE_SESSION DESTROY_SESSION SEQUENCE GET_LEASE_TIME RECLAIM_COMPLETE "
    "LAYOUTGET GETDEVICEINFO LAYOUTCOMMIT LAYOUTRETURN SECINFO_NO_NAME "
    "TEST_STATEID FREE_STATEID GETDEVICELIST BIND_CONN_TO_SESSION "
    "DESTROY_CLIENTID SEEK ALLOCATE DEALLOCATE LAYOUTSTATS CLONE COPY "
    "OFFLOAD_CANCEL LOOKUPP LAYOUTERROR COPY_NOTIFY GETXATTR SETXATTR "
    "LISTXATTRS REMOVEXATTR READ_PLUS";

/* Ops every mount has used, and ops some mounts have used. */
static const char v3_always[] =
    "NULL GETATTR LOOKUP ACCESS READ WRITE FSSTAT FSINFO PATHCONF";
static const char v3_some[] =
    "SETATTR CREATE REMOVE RENAME READDIRPLUS COMMIT MKDIR READLINK";
static const char v4_always[] =
    "NULL READ WRITE OPEN CLOSE SETATTR FSINFO ACCESS GETATTR LOOKUP "
    "LOOKUP_ROOT SERVER_CAPS PATHCONF STATFS EXCHANGE_ID CREATE_SESSION "
    "SEQUENCE GET_LEASE_TIME RECLAIM_COMPLETE SECINFO_NO_NAME";
static const char v4_some[] =
    "COMMIT OPEN_NOATTR OPEN_DOWNGRADE LOCK LOCKT LOCKU REMOVE RENAME LINK "
    "SYMLINK CREATE READDIR DELEGRETURN GETACL TEST_STATEID FREE_STATEID "
    "LAYOUTGET SEEK ALLOCATE DEALLOCATE COPY READ_PLUS GETXATTR LISTXATTRS";

#define OP_NAME_SIZE 24
static char v3_ops[V3_OPS][OP_NAME_SIZE], v4_ops[V4_OPS][OP_NAME_SIZE];
/* The same names as gen_record_t wants them. */
static const char *v3_op_names[V3_OPS], *v4_op_names[V4_OPS];

/* Splits a space-separated list into n names. */
static void split_names(const char *list, char (*names)[OP_NAME_SIZE],
                        const char **pointers, size_t n) {
  for (size_t k = 0; k < n; k++) {
    size_t len = strcspn(list, " ");
    snprintf(names[k], OP_NAME_SIZE, "%.*s", (int)len, list);
    pointers[k] = names[k];
    list += len + (list[len] == ' ');
  }
}

/* Whether name is a word of the space-separated list. */
static int in_list(const char *name, const char *list) {
  size_t len = strlen(name);
  for (const char *p = list; (p = strstr(p, name)) != NULL; p += len)
    if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
      return 1;
  return 0;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- numbers ---- */

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n) { return splitmix(s) % n; }

/* A number with lo..hi decimal digits, every digit count equally likely. */
static uint64_t logu(uint64_t *s, unsigned lo, unsigned hi) {
  unsigned d = lo + (unsigned)below(s, hi - lo + 1);
  uint64_t base = 1;
  for (unsigned i = 1; i < d; i++)
    base *= 10;
  return d == 1 ? below(s, 10) : base + below(s, base * 9);
}

static uint64_t as_gauge(double d) {
  uint64_t r;
  memcpy(&r, &d, sizeof(r));
  return r;
}

/* ---- the model of one record ---- */

typedef struct {
  int v4;
  size_t sb;   /* superblock: the mount index that printed it first */
  size_t conn; /* connection: server * 2 + v4 */
  uint64_t age;
  uint64_t events[NEVENTS];
  uint64_t bytes[NBYTES];
  size_t nx;
  uint64_t x[NCONNECT][XPRT_FIELDS];
  size_t nops;
  unsigned nfields;
  const char (*names)[OP_NAME_SIZE];
  uint64_t op[V4_OPS][9];
} rec_t;

static void make_op(uint64_t *s, const char *name, int v4, size_t sb,
                    uint64_t *v) {
  uint64_t ops = logu(s, 1, 8);
  if (ops == 0)
    ops = 1;
  int is_read = strcmp(name, "READ") == 0 || strcmp(name, "READ_PLUS") == 0;
  int is_write = strcmp(name, "WRITE") == 0;
  v[0] = ops;
  v[1] = ops + (below(s, 4) == 0 ? below(s, 50) : 0);
  v[2] = below(s, 20) == 0 ? below(s, 30) : 0;
  v[3] = ops * (is_write ? 200000 + below(s, 848577) : 100 + below(s, 200));
  v[4] = ops * (is_read ? 200000 + below(s, 848577) : 100 + below(s, 200));
  v[5] = ops / (1 + below(s, 100));
  v[6] = ops * below(s, 4) + below(s, 1000);
  v[7] = v[5] + v[6] + below(s, 1000);
  v[8] = below(s, 10) == 0 ? below(s, 100) : 0;
  /* RHEL 7 printed negative queue times unsigned (near 2^64). */
  if (!v4 && sb % 50 == 1 && strcmp(name, "GETATTR") == 0)
    v[5] = UINT64_MAX - below(s, 1u << 20);
}

/* Epoch e of a used op: every counter moved on (the near-2^64 queue time
 * stays, as a negative sum would). */
static void advance_op(uint64_t *v, size_t k, uint64_t e) {
  uint64_t d = e * (1 + k % 7);
  v[0] += d;
  v[1] += d;
  v[3] += d * 150;
  v[4] += d * 200;
  if (v[5] < UINT64_MAX / 2)
    v[5] += d;
  v[6] += 2 * d;
  v[7] += 3 * d;
}

static void make_record(rec_t *r, size_t sb, int v4, size_t conn, uint64_t e) {
  uint64_t s = 0x5eedull ^ (sb * 0x100000001b3ull);
  r->v4 = v4;
  r->sb = sb;
  r->conn = conn;
  r->age = 1000000 + sb * 13;
  for (size_t k = 0; k < NEVENTS; k++) {
    int rare = k == 18 || (k >= 21 && k <= 26);
    r->events[k] = rare ? (below(&s, 8) == 0 && k < 25 ? logu(&s, 1, 3) : 0)
                        : logu(&s, 2, 9) + e * (k + 1);
  }
  r->bytes[0] = logu(&s, 6, 13) + e * 8192;
  r->bytes[1] = logu(&s, 6, 13) + e * 4096;
  r->bytes[2] = below(&s, 10) == 0 ? logu(&s, 4, 10) : 0;
  r->bytes[3] = below(&s, 10) == 0 ? logu(&s, 4, 10) : 0;
  r->bytes[4] = r->bytes[0] + r->bytes[2];
  r->bytes[5] = r->bytes[1] + r->bytes[3];
  r->bytes[6] = r->bytes[0] / 4096;
  r->bytes[7] = r->bytes[1] / 4096;

  /* The connection's transports, the same for every mount that shares it. */
  uint64_t cs = 0xc0ffeeull ^ (conn * 0x9e3779b97f4a7c15ull);
  r->nx = v4 ? NCONNECT : 1;
  for (size_t k = 0; k < r->nx; k++) {
    uint64_t *x = r->x[k];
    uint64_t sends = logu(&cs, 4, 9) + e * 10 * (k + 1);
    x[0] = v4 ? 700 + k : 0; /* srcport */
    x[1] = v4 ? 0 : 1;       /* bind_count */
    x[2] = 1 + below(&cs, 3);
    x[3] = below(&cs, 100);
    x[4] = below(&cs, 60);
    x[5] = sends;
    x[6] = sends - below(&cs, 3);
    x[7] = below(&cs, 20) == 0 ? below(&cs, 5) : 0;
    x[8] = sends * (1 + below(&cs, 20));
    x[9] = below(&cs, 4) == 0 ? logu(&cs, 1, 6) : 0;
    x[10] = 1 + below(&cs, 128);
    x[11] = sends * below(&cs, 4);
    x[12] = sends * below(&cs, 4);
  }

  r->names = v4 ? v4_ops : v3_ops;
  r->nops = v4 ? V4_OPS : V3_OPS;
  r->nfields = v4 ? 9 : 8;
  for (size_t k = 0; k < r->nops; k++) {
    const char *name = r->names[k];
    int used = v4 ? in_list(name, v4_always) ||
                        (in_list(name, v4_some) && below(&s, 10) < 4)
                  : in_list(name, v3_always) ||
                        (in_list(name, v3_some) && below(&s, 2) == 0);
    memset(r->op[k], 0, sizeof(r->op[k]));
    if (used) {
      make_op(&s, name, v4, sb, r->op[k]);
      advance_op(r->op[k], k, e);
    }
    if (!v4)
      r->op[k][8] = 0; /* RPC iostats 1.0 has no errors column */
  }
}

/* ---- printing ---- */

static void mount_point(char *out, size_t size, size_t i, int bind) {
  if (bind)
    snprintf(out, size, "/srv/bind/proj%05zu", i);
  else if (i % SPACE_EVERY == 3)
    snprintf(out, size, "/home/user %05zu", i);
  else
    snprintf(out, size, "/mnt/proj%05zu", i);
}

/* The collectd name of a mount point from mount_point(). */
static void instance_name(char *out, size_t size, size_t i, int bind) {
  if (bind)
    snprintf(out, size, "srv-bind-proj%05zu", i);
  else if (i % SPACE_EVERY == 3)
    snprintf(out, size, "home-user %05zu", i);
  else
    snprintf(out, size, "mnt-proj%05zu", i);
}

static void device(char *out, size_t size, const rec_t *r) {
  snprintf(out, size, "filer%03zu.example.org:/export/%sproj%05zu", r->conn / 2,
           r->v4 ? "" : "v3/", r->sb);
}

static void print_record(gen_buf_t *b, const rec_t *r, const char *dev,
                         const char *mp) {
  size_t server = r->conn / 2;
  char opts[512];
  if (r->v4)
    snprintf(opts, sizeof(opts),
             "rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,"
             "acregmin=3,acregmax=60,acdirmin=30,acdirmax=60,hard,proto=tcp,"
             "nconnect=%d,timeo=600,retrans=2,sec=sys,clientaddr=10.0.6.15,"
             "local_lock=none",
             NCONNECT);
  else
    snprintf(opts, sizeof(opts),
             "rw,vers=3,rsize=1048576,wsize=1048576,namlen=255,"
             "acregmin=3,acregmax=60,acdirmin=30,acdirmax=60,hard,proto=tcp,"
             "timeo=600,retrans=2,sec=sys,mountaddr=10.1.%zu.%zu,mountvers=3,"
             "mountport=20048,mountproto=udp,local_lock=none",
             server / 250, server % 250 + 1);
  gen_record_t rec = {
      .device = dev,
      .mountpoint = mp,
      .fstype = r->v4 ? "nfs4" : "nfs",
      .opts = opts,
      .age = r->age,
      .info = r->v4 ? "\timpl_id:\tname='',domain='',date='0,0'\n"
                      "\tcaps:\tcaps=0xfffbc0b7,wtmult=512,dtsize=1048576,"
                      "bsize=0,namlen=255\n"
                      "\tnfsv4:\tbm0=0xfdffafff,bm1=0xf9be3e,bm2=0x60800,"
                      "acl=0x0,sessions,pnfs=not configured,lease_time=90,"
                      "lease_expired=0\n"
                      "\tsec:\tflavor=1,pseudoflavor=1\n"
                    : "\tcaps:\tcaps=0x3fcf,wtmult=512,dtsize=32768,bsize=0,"
                      "namlen=255\n"
                      "\tsec:\tflavor=1,pseudoflavor=1\n",
      .events = r->events,
      .nevents = NEVENTS,
      .bytes = r->bytes,
      .nbytes = NBYTES,
      .rpc_version = r->v4 ? "1.1" : "1.0",
      .nfs_version = r->v4 ? 4 : 3,
      .xprt_word = "tcp",
      .xprt = &r->x[0][0],
      .nxprt = r->nx,
      .xprt_fields = XPRT_FIELDS,
      .op_names = r->v4 ? v4_op_names : v3_op_names,
      .ops = &r->op[0][0],
      .nops = r->nops,
      .op_stride = ARRAY_SIZE(r->op[0]),
      .op_fields = r->nfields,
  };
  gen_put_record(b, &rec);
}

/* A non-NFS record in both files. */
static void other(gen_buf_t *ms, gen_buf_t *mi, size_t *mi_id, const char *dev,
                  const char *mp, const char *fstype, int cifs_space) {
  gen_printf(ms, "device %s mounted on %s with fstype %s%s\n", dev, mp, fstype,
             cifs_space ? " " : "");
  char shared[32];
  snprintf(shared, sizeof(shared), "shared:%zu", *mi_id);
  gen_put_mountinfo(mi, &(gen_mountinfo_t){.id = *mi_id,
                                           .parent = 1,
                                           .minor = *mi_id,
                                           .mountpoint = mp,
                                           .opts = "rw,relatime",
                                           .optional = shared,
                                           .fstype = fstype,
                                           .source = dev,
                                           .superopts = "rw"});
  (*mi_id)++;
}

/* ---- expectations ---- */

static uint64_t record_parse_checksum(const rec_t *r) {
  uint64_t c = r->age + gen_list_checksum(r->events, NEVENTS) +
               gen_list_checksum(r->bytes, NBYTES);
  for (size_t k = 0; k < r->nx; k++)
    c += gen_list_checksum(r->x[k], XPRT_FIELDS);
  for (size_t k = 0; k < r->nops; k++)
    c += gen_list_checksum(r->op[k], r->nfields) + r->nfields;
  return c;
}

typedef struct {
  size_t lists, values;
  uint64_t cs;
} acc_t;

static void acc(acc_t *a, const uint64_t *raw, size_t n) {
  a->lists++;
  a->values += n;
  a->cs += gen_list_checksum(raw, n);
}

/* The plugin's transport value lists for one line (or a sum) of x. */
static void acc_xprt(acc_t *a, const uint64_t *common, uint64_t cc, uint64_t ct,
                     int64_t idle, uint64_t max_slots, uint64_t sending,
                     uint64_t pending) {
  acc(a, common, 6);
  uint64_t conn[3] = {cc, ct, as_gauge((double)idle)};
  acc(a, conn, 3);
  uint64_t slots[3] = {as_gauge((double)max_slots), sending, pending};
  acc(a, slots, 3);
}

static void acc_transports(acc_t *a, const rec_t *r, int per_transport) {
  uint64_t sum[6] = {0}, cc = 0, ct = 0, sending = 0, pending = 0, maxs = 0;
  int64_t idle = 0;
  for (size_t k = 0; k < r->nx; k++) {
    const uint64_t *x = r->x[k];
    uint64_t common[6] = {x[1], x[5], x[6], x[7], x[8], x[9]};
    if (per_transport) {
      acc_xprt(a, common, x[2], x[3], (int64_t)x[4], x[10], x[11], x[12]);
      continue;
    }
    for (int j = 0; j < 6; j++)
      sum[j] += common[j];
    cc += x[2];
    ct += x[3];
    if (k == 0 || (int64_t)x[4] < idle)
      idle = (int64_t)x[4];
    if (x[10] > maxs)
      maxs = x[10];
    sending += x[11];
    pending += x[12];
  }
  if (!per_transport) {
    acc_xprt(a, sum, cc, ct, idle, maxs, sending, pending);
    uint64_t count = as_gauge((double)r->nx);
    acc(a, &count, 1);
  }
}

static void acc_mount(acc_t *a, const rec_t *r, unsigned conf, int leader) {
  if (conf & GEN_IOSTAT) {
    /* nfs_iostat, and nfs_op_avg for every op that moved (all used ones):
     * counted, not summed (the values depend on the clock). */
    a->lists++;
    a->values += 5;
    for (size_t k = 0; k < r->nops; k++)
      if (r->op[k][0] != 0) {
        a->lists++;
        a->values += 7;
      }
  }
  uint64_t age = as_gauge((double)r->age);
  acc(a, &age, 1);
  for (size_t g = 0; g < ARRAY_SIZE(event_groups); g++)
    acc(a, r->events + event_groups[g].first, event_groups[g].count);
  acc(a, r->bytes, NBYTES);
  if (leader)
    acc_transports(a, r, (conf & GEN_PER_TRANSPORT) != 0);
  for (size_t k = 0; k < r->nops; k++) {
    if (r->op[k][0] == 0 && !(conf & GEN_ZERO_OPS))
      continue;
    acc(a, r->op[k], 8);
    if (r->nfields >= 9)
      acc(a, &r->op[k][8], 1);
  }
}

static gen_probe_t *probe(gen_expect_t *ex, const char *pi, const char *type,
                          const char *ti, unsigned present, const uint64_t *raw,
                          size_t n) {
  if (ex->nprobes >= GEN_MAX_PROBES || n > GEN_PROBE_MAX_VALUES)
    return NULL;
  gen_probe_t *p = &ex->probes[ex->nprobes++];
  snprintf(p->plugin_instance, sizeof(p->plugin_instance), "%s", pi);
  snprintf(p->type, sizeof(p->type), "%s", type);
  snprintf(p->type_instance, sizeof(p->type_instance), "%s", ti);
  p->present = present;
  p->n = n;
  memcpy(p->raw, raw, n * sizeof(*raw));
  return p;
}

static size_t op_index(const rec_t *r, const char *name) {
  for (size_t k = 0; k < r->nops; k++)
    if (strcmp(r->names[k], name) == 0)
      return k;
  return 0;
}

/* Probes for mount i (record r): identifiers and values the plugin must
 * dispatch, or must not. */
static void add_probes(gen_expect_t *ex, size_t i, const rec_t *r, int bind,
                       int leader) {
  char pi[128];
  instance_name(pi, sizeof(pi), i, bind);
  /* A bind mount is reported with ReportAllMountPoints only. */
  unsigned reported = 0;
  for (unsigned c = 0; c < GEN_NCONF; c++)
    if (!bind || (c & GEN_ALL_MOUNTS))
      reported |= 1u << c;
  uint64_t age = as_gauge((double)r->age);
  probe(ex, pi, "uptime", "age", reported, &age, 1);
  for (size_t g = 0; g < ARRAY_SIZE(event_groups); g++)
    probe(ex, pi, event_groups[g].type, "", reported,
          r->events + event_groups[g].first, event_groups[g].count);
  probe(ex, pi, "nfs_bytes", "", reported, r->bytes, NBYTES);
  size_t k = op_index(r, r->v4 ? "READ" : "GETATTR");
  probe(ex, pi, "nfs_op", r->names[k], reported, r->op[k], 8);
  if (r->v4)
    probe(ex, pi, "nfs_op_errors", r->names[k], reported, &r->op[k][8], 1);
  else
    probe(ex, pi, "nfs_op_errors", r->names[k], 0, &r->op[k][8], 1);
  k = op_index(r, r->v4 ? "OPEN_CONFIRM" : "MKNOD"); /* never used */
  unsigned zero = 0;
  for (unsigned c = 0; c < GEN_NCONF; c++)
    if ((c & GEN_ZERO_OPS) && (reported & (1u << c)))
      zero |= 1u << c;
  probe(ex, pi, "nfs_op", r->names[k], zero, r->op[k], 8);
  if (!leader)
    return;
  /* The transports: summed, or per line. */
  uint64_t sum[6] = {0}, count = as_gauge((double)r->nx);
  for (size_t x = 0; x < r->nx; x++) {
    sum[0] += r->x[x][1];
    for (int j = 0; j < 5; j++)
      sum[1 + j] += r->x[x][5 + j];
  }
  unsigned summed = 0, per = 0;
  for (unsigned c = 0; c < GEN_NCONF; c++) {
    if (!(reported & (1u << c)))
      continue;
    if (c & GEN_PER_TRANSPORT)
      per |= 1u << c;
    else
      summed |= 1u << c;
  }
  probe(ex, pi, "nfs_xprt", "tcp", summed, sum, 6);
  probe(ex, pi, "count", "transports", summed, &count, 1);
  const uint64_t *x = r->x[r->nx - 1];
  uint64_t last[6] = {x[1], x[5], x[6], x[7], x[8], x[9]};
  char ti[32];
  snprintf(ti, sizeof(ti), "tcp-%zu", r->nx - 1);
  probe(ex, pi, "nfs_xprt", ti, per, last, 6);
}

int gen_mountstats(size_t n, uint64_t epoch, gen_buf_t *ms, gen_buf_t *mi,
                   gen_expect_t *ex) {
  static const char *const head[][3] = {
      {"sysfs", "/sys", "sysfs"},
      {"proc", "/proc", "proc"},
      {"udev", "/dev", "devtmpfs"},
      {"devpts", "/dev/pts", "devpts"},
      {"tmpfs", "/run", "tmpfs"},
      {"/dev/vda1", "/", "ext4"},
      {"securityfs", "/sys/kernel/security", "securityfs"},
      {"tmpfs", "/dev/shm", "tmpfs"},
      {"cgroup2", "/sys/fs/cgroup", "cgroup2"},
      {"sunrpc", "/run/rpc_pipefs", "rpc_pipefs"},
      {"nfsd", "/proc/fs/nfsd", "nfsd"},
  };
  memset(ex, 0, sizeof(*ex));
  split_names(v3_op_list, v3_ops, v3_op_names, V3_OPS);
  split_names(v4_op_list, v4_ops, v4_op_names, V4_OPS);
  ms->len = mi->len = 0;
  ms->failed = mi->failed = false;
  size_t mi_id = 20;
  for (size_t k = 0; k < ARRAY_SIZE(head); k++)
    other(ms, mi, &mi_id, head[k][0], head[k][1], head[k][2], 0);
  ex->records = ARRAY_SIZE(head);

  rec_t *r = malloc(sizeof(*r));
  acc_t *acc_conf = calloc(GEN_NCONF, sizeof(*acc_conf));
  /* Connections already reported (the first reported mount of each). */
  size_t nconn = (n / (2 * MOUNTS_PER_SERVER) + 2) * 2;
  unsigned char *conn_seen = calloc(nconn, 1);
  if (r == NULL || acc_conf == NULL || conn_seen == NULL) {
    free(r);
    free(acc_conf);
    free(conn_seen);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    char mp[128], dev[128], other_mp[64], other_dev[64];
    if (i % 5 == 0) {
      snprintf(other_mp, sizeof(other_mp), "/net/auto%05zu", i);
      other(ms, mi, &mi_id, "/etc/auto.net", other_mp, "autofs", 0);
      ex->records++;
    }
    if (i % 50 == 17) {
      snprintf(other_dev, sizeof(other_dev), "//smb%zu/share", i);
      snprintf(other_mp, sizeof(other_mp), "/mnt/smb%05zu", i);
      other(ms, mi, &mi_id, other_dev, other_mp, "cifs", 1);
      ex->records++;
    }
    int bind = i % BIND_EVERY == BIND_EVERY - 1;
    size_t sb = bind ? i - 2 : i;
    int v4 = sb % 2 == 0;
    size_t server = sb / (2 * MOUNTS_PER_SERVER);
    size_t conn = server * 2 + (size_t)v4;
    make_record(r, sb, v4, conn, epoch);
    device(dev, sizeof(dev), r);
    mount_point(mp, sizeof(mp), i, bind);
    print_record(ms, r, dev, mp);
    char shared[32];
    snprintf(shared, sizeof(shared), "shared:%zu", 1000 + sb);
    gen_put_mountinfo(
        mi, &(gen_mountinfo_t){.id = mi_id++,
                               .parent = 1,
                               .minor = 1000 + sb,
                               .mountpoint = mp,
                               .opts = "rw,relatime",
                               .optional = shared,
                               .fstype = v4 ? "nfs4" : "nfs",
                               .source = dev,
                               .superopts = v4 ? "rw,vers=4.2,addr=10.1.0.1"
                                               : "rw,vers=3,addr=10.1.0.1"});
    ex->mounts++;
    ex->records++;
    ex->ops += r->nops;
    ex->xprts += r->nx;
    ex->parse_checksum += record_parse_checksum(r);

    /* Transports go with the first reported mount of a connection; bind
     * mounts come after their superblock's first mount, which has the
     * same connection, in every config. */
    int leader = !conn_seen[conn];
    conn_seen[conn] = 1;
    for (unsigned c = 0; c < GEN_NCONF; c++) {
      if (bind && !(c & GEN_ALL_MOUNTS))
        continue;
      ex->reported[c]++;
      acc_mount(&acc_conf[c], r, c, leader);
    }
    if (i < 2 || i == 3 || i == BIND_EVERY - 1)
      add_probes(ex, i, r, bind, leader);
  }
  for (unsigned c = 0; c < GEN_NCONF; c++) {
    ex->lists[c] = acc_conf[c].lists;
    ex->values[c] = acc_conf[c].values;
    ex->checksum[c] = acc_conf[c].cs;
  }
  for (size_t k = 0; k < ms->len; k++)
    ex->lines += ms->p[k] == '\n';
  free(r);
  free(acc_conf);
  free(conn_seen);
  return ms->failed || mi->failed ? -1 : 0;
}
