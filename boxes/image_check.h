/* SPDX-License-Identifier: MIT */
/* Proof before trust: a box's disk images are inspected before any provider copies or boots
 * them. A qcow2 image may name a backing file or an external data file, both paths on the host
 * that opens it: a box author could so read host files (/etc/shadow) into the guest. Such
 * images are refused, for every provider, here; self-contained qcow2 and raw images pass. */
#ifndef ROVE_BOXES_IMAGE_CHECK_H
#define ROVE_BOXES_IMAGE_CHECK_H

/* Checks the image at path. Returns 0, or -1 with *err (newly allocated) saying what the image
 * refers to outside itself, or why it cannot be read. */
int box_image_check(const char *path, char **err);

#endif
