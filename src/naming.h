/* SPDX-License-Identifier: MIT
 *
 * naming.h: collectd instance names for mounts.
 *
 * The rule is collectd's df plugin's, applied to the decoded mount point (or
 * device): "/" becomes "root", the leading "/" is dropped and every other
 * "/" becomes "-". On top of it, so that every name is valid everywhere
 * collectd sends it:
 *   - control bytes (0x01-0x1f, 0x7f) become "_";
 *   - a name longer than max_len bytes (at most MS_NAME_MAX) keeps its first
 *     bytes (cut on a UTF-8 character boundary) and ends in "~" and 8 hex
 *     digits of the FNV-1a 32-bit hash of the whole decoded string, so two
 *     long paths that share a prefix stay apart;
 *   - names that would be equal once write_graphite has escaped them (".",
 *     white space and control bytes become "_") are made unique: the first
 *     mount in file order keeps the name, the k-th gets "~k" appended
 *     (shortening the name to fit). Same input, same names.
 * No I/O, no collectd header.
 */
#ifndef MOUNTSTATS_NAMING_H
#define MOUNTSTATS_NAMING_H

#include <stddef.h>
#include <stdint.h>

#define MS_NAME_MAX 127 /* collectd's DATA_MAX_NAME_LEN (128) less the NUL */
#define MS_NAME_SIZE (MS_NAME_MAX + 1)
#define MS_NAME_MIN 16 /* shortest max_len: room for a prefix and "~hash" */

/* An instance name and its NUL. A struct, not an array typedef: passed by
 * pointer, sizeof(*name) is still MS_NAME_SIZE. */
typedef struct {
  char s[MS_NAME_SIZE];
} ms_name_t;

/* Writes the instance name for the decoded, NUL-terminated string src (a
 * mount point or a device) into out->s, at most max_len bytes (clamped to
 * MS_NAME_MIN..MS_NAME_MAX). Returns its length. */
size_t ms_name_from_path(ms_name_t *out, const char *src, size_t max_len);

/* Makes the n names unique as described above, in place, keeping each at
 * most max_len bytes (clamped as above). names are in file order. order is
 * scratch space for n indexes. Returns the number of renames made. */
size_t ms_names_make_unique(ms_name_t *names, size_t n, size_t *order,
                            size_t max_len);

/* NamingScheme "auto": how a mount got its name. */
enum ms_name_rule {
  MS_RULE_PATH = 0,       /* the df rule on the mount point (or device) */
  MS_RULE_K8S_NFS,        /* .../pods/UID/volumes/kubernetes.io~nfs/NAME */
  MS_RULE_K8S_CSI,        /* .../pods/UID/volumes/kubernetes.io~csi/PV/mount */
  MS_RULE_K8S_CSI_PV,     /* .../plugins/kubernetes.io/csi/pv/PV/globalmount */
  MS_RULE_K8S_CSI_GLOBAL, /* .../plugins/kubernetes.io/csi/DRIVER/SHA256/
                             globalmount */
  MS_RULE_DOCKER,         /* .../docker/volumes/NAME/_data */
  MS_RULE_PODMAN,         /* .../containers/storage/volumes/NAME/_data */
};

/* For NamingScheme "auto": when the decoded mount point mp is one of the
 * well-known container layouts above, writes the name that identifies the
 * volume and survives a pod or container restart into out->s ("k8s-PV",
 * "k8s-csi-DRIVER-HASH12", "docker-NAME", "podman-NAME"; bounded like any
 * name, see ms_name_from_path) and returns its rule; otherwise returns
 * MS_RULE_PATH and leaves out alone. The pod UID is never part of a
 * name. */
enum ms_name_rule ms_name_container(ms_name_t *out, const char *mp,
                                    size_t max_len);

/* The rule's name for --explain-names and the log: "path", "k8s-nfs",
 * "k8s-csi", "k8s-csi-pv", "k8s-csi-global", "docker", "podman". */
const char *ms_name_rule_str(enum ms_name_rule rule);

/* NamingScheme "auto"'s unique-making: like ms_names_make_unique, but a
 * name that clashes (after write_graphite's folding) is kept only by the
 * mount whose path the df rule maps back to exactly ("a-b" is "/a/b"'s,
 * never "/a-b"'s), and every other mount of the clash gets "~" and 8 hex
 * digits of the FNV-1a 32-bit hash of its own decoded path (paths[i]),
 * shortened to fit. So no name depends on file order: a remount or a
 * reordered file never swaps two mounts' names. What still clashes (two
 * mounts on one path, a hash collision) is resolved by file order as
 * ms_names_make_unique does. Returns the renames. */
size_t ms_names_make_unique_stable(ms_name_t *names, size_t n, size_t *order,
                                   size_t max_len, const char *const *paths);

/* FNV-1a 32-bit hash, the one used in the long-name suffix. */
uint32_t ms_fnv1a32(const char *s, size_t len);

#endif
