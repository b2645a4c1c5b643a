/* SPDX-License-Identifier: MIT
 *
 * mountstats_plugin.h: the plugin's callbacks and state, declared for the
 * tests and the benchmark that link the glue (the mountstats_glue object
 * library) with a stub of the daemon. They have hidden visibility: the
 * plugin exports module_register only. Nothing else should call them.
 */
#ifndef MOUNTSTATS_PLUGIN_H
#define MOUNTSTATS_PLUGIN_H

#include "collectd.h"

#include "options.h"

#include "liboconfig/oconfig.h"

#include <stddef.h>

int mountstats_config(oconfig_item_t *ci);
int mountstats_init(void);
int mountstats_read(void);
int mountstats_shutdown(void);

/* The configuration the callbacks read and write. */
ms_config_t *mountstats_settings(void);

/* Bytes held in the reused file buffers and in the parser's arrays. */
void mountstats_footprint(size_t *buffers, size_t *snapshot);

#endif
