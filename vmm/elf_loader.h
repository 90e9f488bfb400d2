/* SPDX-License-Identifier: MIT */
/* Loads an ELF64 x86-64 kernel (vmlinux, or any static ELF with a 64-bit entry point) into guest
 * memory at its physical load addresses. */
#ifndef ROVE_VMM_ELF_LOADER_H
#define ROVE_VMM_ELF_LOADER_H

#include "guest_mem.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loaded_kernel {
    uint64_t entry;    /* guest physical address of the 64-bit entry point */
    uint64_t load_end; /* first byte after the highest loaded segment (bss included) */
};

bool elf_is_elf(const uint8_t *data, size_t len);
/* Returns 0, or -1 after printing why (naming `name`). */
int elf_load(const struct guest_mem *mem, const uint8_t *data, size_t len, const char *name,
             struct loaded_kernel *out);

#endif
