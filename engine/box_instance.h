/* SPDX-License-Identifier: MIT */
/* The box a new machine is created from, as providers see it: found or fetched through the box
 * layer, with a version that tells a rebuilt box file from the one a provider copied before. */
#ifndef ROVE_ENGINE_BOX_INSTANCE_H
#define ROVE_ENGINE_BOX_INSTANCE_H

#include "boxes/box.h"
#include "providers/provider.h"

#include <stdbool.h>

struct machine_runtime;

struct box_instance {
    struct box_handle handle;
    struct rove_box box; /* what the provider's create is given; strings owned here */
    char *image, *kernel, *initrd;
    char **disks; /* every disk, image first */
    size_t ndisks;
    char *instance; /* the version as providers see it */
};

/* Finds or fetches rt's box. Returns 0, or -1 after the box layer said why (naming the box). */
int box_instance_fetch(struct machine_runtime *rt, struct box_instance *bi, bool require_checksum);
void box_instance_release(struct box_instance *bi);

#endif
