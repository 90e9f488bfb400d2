/* SPDX-License-Identifier: MIT */
/* The libvirt provider's copies of a box: the base volumes (disk image, kernel, initrd) it
 * uploads once per box version into a pool. A record in the box's own folder says which
 * connection and pool hold which volume, so the record goes with the box, and `rove box remove`
 * can delete the volumes, except those a machine still uses. */
#ifndef ROVE_PROVIDERS_LIBVIRT_BOX_COPIES_H
#define ROVE_PROVIDERS_LIBVIRT_BOX_COPIES_H

#include "providers/provider.h"

#include <libvirt/libvirt.h>
#include <stdbool.h>

/* Records that volume in pool at uri holds part of the box in box_dir. Best effort: when the
 * record cannot be written it warns that the volume will outlive the box. */
void lv_box_copies_note(const char *box_dir, const char *uri, const char *pool, const char *volume);
/* True when a volume of the pool (its backing store) or a domain of the connection names path. */
bool lv_volume_is_used(virConnectPtr conn, virStoragePoolPtr pool, const char *path);
/* The provider's remove_box_copies operation. Returns 0, or -1 when a volume that no machine
 * uses could not be deleted (an unreachable libvirt included). */
int lv_remove_box_copies(const struct rove_box *box, int log_level);

#endif
