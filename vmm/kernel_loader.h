/* SPDX-License-Identifier: MIT */
/* Loads a kernel file of any supported kind (ELF vmlinux or bzImage) into guest memory. */
#ifndef ROVE_VMM_KERNEL_LOADER_H
#define ROVE_VMM_KERNEL_LOADER_H

#include "elf_loader.h"
#include "guest_mem.h"

#include <asm/bootparam.h>
#include <stdbool.h>

struct kernel_image {
    struct loaded_kernel loaded;
    bool has_setup_header; /* bzImage: its header goes into boot_params */
    struct setup_header setup_header;
};

/* Loads from memory; name is used in messages. Returns 0, or -1 after printing why. */
int kernel_load_buffer(const struct guest_mem *mem, const uint8_t *data, size_t len,
                       const char *name, struct kernel_image *out);
int kernel_load_file(const struct guest_mem *mem, const char *path, struct kernel_image *out);

/* Reads a whole file into a mapping (caller unmaps). Returns 0, or -1 after printing why. */
int kernel_map_file(const char *path, const char *what, uint8_t **data, size_t *len);

#endif
