/* SPDX-License-Identifier: MIT */
/* The box's disk as a raw image, made once per box version beside the unpacked box (box.raw
 * next to box.img) and shared by every machine of that box. */
#ifndef ROVE_PROVIDERS_VMM_BASE_IMAGE_H
#define ROVE_PROVIDERS_VMM_BASE_IMAGE_H

#include "providers/provider.h"

#define BASE_IMAGE_NAME "box.raw"

/* The raw image of box: box.img itself when it is raw, otherwise box.raw, converted from qcow2
 * under a lock (concurrent machines wait for one conversion) through a temporary file renamed
 * into place. Returns the path (newly allocated), or NULL after saying why (naming machine). */
char *base_image_ensure(const struct rove_box *box, const char *machine);

#endif
