/* SPDX-License-Identifier: MIT */
/* bzImage support: the setup header and the compressed kernel payload. rove-vmm unpacks the
 * payload itself and boots the ELF inside, instead of running the kernel's own decompressor. */
#ifndef ROVE_VMM_BZIMAGE_H
#define ROVE_VMM_BZIMAGE_H

#include <asm/bootparam.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BZIMAGE_MAX_VMLINUX (512u << 20)

bool bzimage_is_bzimage(const uint8_t *data, size_t len);
/* Copies the setup header out of the image. Returns 0, or -1 after printing why. */
int bzimage_setup_header(const uint8_t *data, size_t len, const char *name,
                         struct setup_header *hdr);
/* Decompresses the payload into a new heap buffer (the caller frees it). Returns 0, or -1 after
 * printing why. */
int bzimage_unpack(const uint8_t *data, size_t len, const char *name, uint8_t **vmlinux,
                   size_t *vmlinux_len);

#endif
