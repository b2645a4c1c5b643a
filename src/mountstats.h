/* SPDX-License-Identifier: MIT
 *
 * mountstats.h: parser for the text of /proc/<pid>/mountstats.
 *
 * Text in, data out: no I/O, no globals, no collectd header. The caller owns
 * the input buffer and the snapshot. Every span in the snapshot points into
 * the input buffer, so the buffer must outlive the use of the snapshot.
 *
 * Only NFS records (fstype "nfs" or "nfs4") are kept. The format and its
 * history are described in docs/MOUNTSTATS-FORMAT.md; the rules the
 * parser applies are:
 *   - a line that contains " mounted on " and " with fstype " and does not
 *     start with white space is a record header ("device D ...",
 *     "no device ...", or the 2.6.39-3.1 form without "device ");
 *   - lines that start with white space belong to the current record and are
 *     dispatched on their label ("age:", "events:", "xprt:", ...); after
 *     "per-op statistics" every such line is an operation;
 *   - unknown labels, unknown lines and extra trailing fields are ignored;
 *   - a malformed known line (too few fields, a token that is not a decimal
 *     number, a value of 2^64 or more, extra fields included) costs only
 *     that line, and is reported
 *     as a diagnostic;
 *   - a last line without its newline is incomplete and is ignored.
 */
#ifndef MOUNTSTATS_H
#define MOUNTSTATS_H

#include "span.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Event counters kept per mount. Kernels print 25 or 27; extras up to this
 * many are kept, the rest are counted in events_printed only. */
#ifndef MS_MAX_EVENTS
#define MS_MAX_EVENTS 32
#endif

/* Numbers kept per xprt line. The longest layout (rdma) has 27. */
#ifndef MS_XPRT_MAX_FIELDS
#define MS_XPRT_MAX_FIELDS 32
#endif

/* Diagnostics kept per parse; more are counted in diags_total only. */
#ifndef MS_MAX_DIAGS
#define MS_MAX_DIAGS 64
#endif

#define MS_EVENTS_MIN 25   /* fewest events any kernel printed (2.6.17) */
#define MS_EVENTS_NAMED 27 /* events with a name (2.6.39+) */
#define MS_BYTES_COUNT 8
#define MS_FSC_COUNT 5
#define MS_OP_MIN_FIELDS 8 /* RPC iostats 1.0 */
#define MS_OP_FIELDS 9     /* RPC iostats 1.1 adds the error count */
#define MS_OP_NAME_MAX 63  /* longest accepted op name (kernel: 20) */

/* Operations kept per record; kernels print at most 69. A bound keeps the
 * work per record linear whatever the input. */
#ifndef MS_MAX_OPS
#define MS_MAX_OPS 1024
#endif

/* Per-op columns, in the kernel's order. */
enum ms_op_field {
  MS_OP_OPS = 0,
  MS_OP_TRANS,
  MS_OP_TIMEOUTS,
  MS_OP_BYTES_SENT,
  MS_OP_BYTES_RECV,
  MS_OP_QUEUE_MS,
  MS_OP_RTT_MS,
  MS_OP_EXEC_MS,
  MS_OP_ERRORS
};

typedef struct {
  ms_span_t name;   /* exactly as printed, padding removed: "READ", "7" */
  unsigned nfields; /* 8, or 9 when the errors column was printed */
  uint64_t v[MS_OP_FIELDS];
} ms_op_t;

enum ms_xprt_kind {
  MS_XPRT_OTHER = 0, /* unknown transport word: numbers kept raw */
  MS_XPRT_TCP,
  MS_XPRT_UDP,
  MS_XPRT_LOCAL,
  MS_XPRT_RDMA
};

/* One "xprt:" line. v[] holds the numbers after the transport word in print
 * order; which field is which depends on kind and nfields (see
 * docs/MOUNTSTATS-FORMAT.md section 6, and xprt.h). Known kinds have at least
 * their oldest layout's count: tcp 10, udp 7, local 9, rdma 20. */
typedef struct {
  ms_span_t name;
  enum ms_xprt_kind kind;
  unsigned nfields;         /* numbers kept in v[] */
  unsigned nfields_printed; /* numbers on the line (may exceed nfields) */
  size_t line;              /* 1-based line number */
  uint64_t v[MS_XPRT_MAX_FIELDS];
} ms_xprt_t;

/* Which parts of a record were seen and well formed. */
#define MS_HAVE_AGE 0x01u
#define MS_HAVE_EVENTS 0x02u
#define MS_HAVE_BYTES 0x04u
#define MS_HAVE_FSC 0x08u
#define MS_HAVE_RPC 0x10u   /* "RPC iostats version:" line */
#define MS_HAVE_OPHDR 0x20u /* "per-op statistics" line */

typedef struct {
  ms_span_t device;     /* still \ooo-escaped; empty for "no device" */
  ms_span_t mountpoint; /* still \ooo-escaped */
  ms_span_t fstype;     /* "nfs" or "nfs4" */
  ms_span_t statvers;   /* value of statvers=, empty if absent */
  ms_span_t opts;       /* the opts: value, comma list */
  size_t line;          /* 1-based line number of the header */
  unsigned have;        /* MS_HAVE_* */
  uint64_t age;
  unsigned nevents;              /* events kept in events[] */
  unsigned events_printed;       /* events on the line */
  ms_span_t rpc_version;         /* "1.0", "1.1" */
  uint32_t rpc_prog, rpc_vers;   /* from "p/v: 100003/4"; 0 if absent */
  size_t xprt_first, xprt_count; /* range in ms_snapshot_t.xprts */
  size_t op_first, op_count;     /* range in ms_snapshot_t.ops */
  unsigned bad_lines;            /* malformed lines in this record */
  /* Valid only as far as nevents and the MS_HAVE_* flags say; kept last so
   * that a new record resets everything before them cheaply. */
  uint64_t events[MS_MAX_EVENTS];
  uint64_t bytes[MS_BYTES_COUNT];
  uint64_t fsc[MS_FSC_COUNT];
} ms_mount_t;

enum ms_diag_reason {
  MS_DIAG_TOO_FEW_FIELDS =
      1, /* a known line with fewer fields than any kernel prints */
  MS_DIAG_BAD_NUMBER,  /* a token that is not a decimal number */
  MS_DIAG_OVERFLOW,    /* a value of 2^64 or more */
  MS_DIAG_BAD_OP_NAME, /* a per-op line without "NAME:", NAME of [A-Za-z0-9_] */
  MS_DIAG_NO_TRANSPORT, /* "xprt:" without a transport word */
  MS_DIAG_TRUNCATED,    /* last line without its newline */
  MS_DIAG_DUPLICATE_OP, /* an operation name printed twice in a record */
  MS_DIAG_TOO_MANY_OPS, /* more than MS_MAX_OPS operations in a record */
};

typedef struct {
  size_t line;  /* 1-based line number */
  size_t mount; /* index into mounts, or MS_NO_MOUNT (a line outside NFS
                   records, or a truncated record header) */
  enum ms_diag_reason reason;
  ms_span_t text; /* the whole offending line, without its newline */
} ms_diag_t;

#define MS_NO_MOUNT ((size_t)-1)

/* The parse result. Zero-initialise before the first ms_parse(); reuse it for
 * every later parse so its arrays are allocated only while they grow; free
 * with ms_snapshot_free(). */
typedef struct {
  ms_mount_t *mounts; /* NFS records, in file order */
  size_t nmounts;
  ms_op_t *ops;
  size_t nops;
  ms_xprt_t *xprts;
  size_t nxprts;
  ms_diag_t diags[MS_MAX_DIAGS];
  size_t ndiags;      /* diagnostics kept in diags[] */
  size_t diags_total; /* diagnostics found */
  size_t lines;       /* complete lines read */
  size_t fast_lines;  /* of them, op lines read by the fast path (SSE2
                         builds; for tests and the benchmark) */
  size_t records;     /* record headers seen, NFS or not */
  size_t mounts_cap_, ops_cap_, xprts_cap_; /* allocated capacities */
} ms_snapshot_t;

/* Parses len bytes at buf into snap. Every output count is reset first.
 * Returns 0 on success (diagnostics may still have been recorded), or
 * -ENOMEM when an array could not grow: snap then holds the records parsed
 * before that point and stays valid for reuse and ms_snapshot_free(). */
int ms_parse(ms_snapshot_t *snap, const char *buf, size_t len);

/* Releases the arrays of snap and zeroes it. */
void ms_snapshot_free(ms_snapshot_t *snap);

/* Bytes of the arrays snap holds (allocated, not only used). */
size_t ms_snapshot_bytes(const ms_snapshot_t *snap);

/* A short English phrase for a diagnostic reason ("too few fields"). */
const char *ms_diag_reason_str(enum ms_diag_reason reason);

#endif /* MOUNTSTATS_H */
