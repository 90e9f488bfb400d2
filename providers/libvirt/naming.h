/* SPDX-License-Identifier: MIT */
/* Names of what rove creates in libvirt. Everything a machine owns starts with
 * rove-PROJECT-MACHINE so machines of different projects never collide; box images are shared
 * by every machine using the same box version. */
#ifndef ROVE_PROVIDERS_LIBVIRT_NAMING_H
#define ROVE_PROVIDERS_LIBVIRT_NAMING_H

#include "providers/provider.h"

/* All newly allocated. */
char *lv_domain_name(const char *project_id, const char *machine);
char *lv_disk_volume_name(const char *project_id, const char *machine);
/* The seed volume's name ends so (snapshot.c tells the seed from a box's second disk by it). */
#define LV_SEED_VOLUME_SUFFIX "-seed.iso"
char *lv_seed_volume_name(const char *project_id, const char *machine);
/* The machine's overlay on its box's disk number index (2, 3...: the box's "disks" after the
 * first). */
#define LV_MAX_EXTRA_DISKS 8
char *lv_extra_disk_volume_name(const char *project_id, const char *machine, size_t index);
/* part: "disk", "kernel" or "initrd". Box names and versions are reduced to [A-Za-z0-9._-]
 * plus a short hash of the original, so "a/b" and "a_b" stay apart. */
char *lv_box_volume_name(const struct rove_box *box, const char *part);

#endif
