/* SPDX-License-Identifier: MIT
 *
 * fuzz_parser.c: libFuzzer harness for the parser's buffer entry point and
 * the other text-in steps (mountinfo, naming). The input is copied to an
 * exact-size heap block so ASan catches any read past its end; every span the
 * parser returns must lie inside the input, and every count must agree. The
 * result must equal the parser's without its fast path for op lines
 * (tests/parser_reference.c), field by field.
 */
#include "mountinfo.h"
#include "mountstats.h"
#include "naming.h"
#include "parser_reference.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* Unlike assert(), never compiled out: the harness exists to find these. */
#define CHECK(x)                                                               \
  do {                                                                         \
    if (!(x))                                                                  \
      __builtin_trap();                                                        \
  } while (0)

static ms_snapshot_t snap; /* reused across inputs, as the plugin does */
static ms_snapshot_t ref;
static ms_mountinfo_t mi;

static void check_span(ms_span_t s, const char *buf, size_t len) {
  if (s.len == 0)
    return;
  CHECK(s.ptr >= buf && s.ptr + s.len <= buf + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = malloc(size ? size : 1);
  if (buf == NULL)
    return 0;
  memcpy(buf, data, size);

  int rc = ms_parse(&snap, buf, size);
  int ref_rc = ms_parse_reference(&ref, buf, size);
  CHECK(rc == ref_rc);
  if (rc == 0)
    CHECK(ms_snapshot_diff(&snap, &ref) == NULL);
  if (rc == 0) {
    size_t ops = 0, xprts = 0;
    for (size_t i = 0; i < snap.nmounts; i++) {
      const ms_mount_t *m = &snap.mounts[i];
      check_span(m->device, buf, size);
      check_span(m->mountpoint, buf, size);
      check_span(m->fstype, buf, size);
      check_span(m->opts, buf, size);
      CHECK(m->nevents <= MS_MAX_EVENTS);
      CHECK(m->op_first == ops && m->xprt_first == xprts);
      ops += m->op_count;
      xprts += m->xprt_count;
      for (size_t k = 0; k < m->op_count; k++) {
        const ms_op_t *o = &snap.ops[m->op_first + k];
        check_span(o->name, buf, size);
        CHECK(o->name.len > 0 && o->name.len <= MS_OP_NAME_MAX);
        CHECK(o->nfields >= MS_OP_MIN_FIELDS && o->nfields <= MS_OP_FIELDS);
      }
      for (size_t k = 0; k < m->xprt_count; k++) {
        const ms_xprt_t *x = &snap.xprts[m->xprt_first + k];
        check_span(x->name, buf, size);
        CHECK(x->nfields <= MS_XPRT_MAX_FIELDS);
      }
      char decoded[512];
      size_t full = ms_unescape(decoded, sizeof(decoded), m->mountpoint.ptr,
                                m->mountpoint.len);
      CHECK(full <= m->mountpoint.len);
      CHECK(strlen(decoded) <= full);
      ms_name_t name;
      size_t nl = ms_name_from_path(&name, decoded, MS_NAME_MAX);
      CHECK(nl <= MS_NAME_MAX && strlen(name.s) == nl);
    }
    CHECK(ops == snap.nops && xprts == snap.nxprts);
    CHECK(snap.ndiags <= MS_MAX_DIAGS && snap.ndiags <= snap.diags_total);
    for (size_t i = 0; i < snap.ndiags; i++) {
      check_span(snap.diags[i].text, buf, size);
      CHECK(snap.diags[i].mount == MS_NO_MOUNT ||
            snap.diags[i].mount < snap.nmounts);
    }
    if (ms_mountinfo_parse(&mi, buf, size) == 0) {
      uint64_t *dev = calloc(snap.nmounts + 1, sizeof(*dev));
      if (dev != NULL) {
        size_t matched = ms_mountinfo_match(&mi, &snap, dev);
        CHECK(matched <= snap.nmounts && matched <= mi.count);
        free(dev);
      }
    }
  }
  free(buf);
  return 0;
}
