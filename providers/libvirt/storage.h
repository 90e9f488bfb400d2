/* SPDX-License-Identifier: MIT */
/* Storage: one pool (a directory pool, created when missing) holding each box version's images,
 * uploaded once and shared, and per machine a qcow2 overlay backed by the box image (never a full
 * copy) and the cloud-init seed. Uploading through libvirt streams (not copying files) keeps this
 * working for remote connections and puts every file where QEMU's user may read it. */
#ifndef ROVE_PROVIDERS_LIBVIRT_STORAGE_H
#define ROVE_PROVIDERS_LIBVIRT_STORAGE_H

#include "providers/provider.h"

#include <libvirt/libvirt.h>
#include <stdint.h>

/* The pool, defined, built, started and set to autostart when missing. */
virStoragePoolPtr lv_pool_ensure(virConnectPtr conn, const char *pool_name, const char *uri,
                                 const char *machine);

/* A box volume is complete once a marker volume of its name + this suffix exists. */
#define LV_COMPLETE_SUFFIX ".complete"

/* The volume holding a box file (its disk, kernel or initrd), uploaded from local_path unless a
 * complete copy is there already: one whose upload finished with every byte and was then marked
 * complete. An upload that was interrupted is redone. Returns the volume's path (newly
 * allocated) or NULL. */
char *lv_box_file_ensure(virConnectPtr conn, virStoragePoolPtr pool, const char *volume,
                         const char *local_path, const char *machine);

/* A new qcow2 volume of capacity bytes whose backing file is base_path (in base_format).
 * Returns its path (newly allocated) or NULL. */
char *lv_overlay_create(virStoragePoolPtr pool, const char *volume, const char *base_path,
                        const char *base_format, uint64_t capacity, const char *machine);

/* A new volume with the contents of local_path. Returns its path (newly allocated) or NULL. */
char *lv_volume_upload_new(virConnectPtr conn, virStoragePoolPtr pool, const char *volume,
                           const char *local_path, const char *machine);

/* Deletes the completion marker of a box volume, if any. */
void lv_box_volume_marker_delete(virStoragePoolPtr pool, const char *volume);

/* Deletes the volume; a missing pool or volume is success. Returns 0 or -1. */
int lv_volume_delete(virConnectPtr conn, const char *pool_name, const char *volume,
                     const char *machine);

#endif
