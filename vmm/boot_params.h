/* SPDX-License-Identifier: MIT */
/* Linux's "zero page" (struct boot_params): setup header, command line pointer, initrd and the
 * e820 memory map. */
#ifndef ROVE_VMM_BOOT_PARAMS_H
#define ROVE_VMM_BOOT_PARAMS_H

#include "guest_mem.h"

#include <asm/bootparam.h>
#include <stdbool.h>

#define E820_TYPE_RAM      1
#define E820_TYPE_RESERVED 2

struct boot_request {
    const struct setup_header *kernel_header; /* the bzImage's header, or NULL for an ELF kernel */
    uint64_t cmdline_addr;
    uint32_t cmdline_len; /* without the NUL */
    uint64_t initrd_addr;
    uint32_t initrd_size;
};

/* The memory map of the guest: conventional memory, the EBDA and BIOS hole, RAM up to the PCI
 * hole and RAM above 4 GiB. Returns the number of entries written (at most max). */
int e820_build(const struct guest_mem *mem, struct boot_e820_entry *entries, int max);
/* Fills bp for the 64-bit entry point. */
void boot_params_build(struct boot_params *bp, const struct guest_mem *mem,
                       const struct boot_request *req);

#endif
