/* SPDX-License-Identifier: MIT */
/* Prepares guest memory for Linux's 64-bit boot entry: kernel, initrd, command line, zero page,
 * MP table, GDT and page tables. */
#ifndef ROVE_VMM_BOOT_H
#define ROVE_VMM_BOOT_H

#include "guest_mem.h"

#include <stdint.h>

struct boot_config {
    const char *kernel;
    const char *initrd; /* may be NULL */
    const char *cmdline;
    unsigned cpus;
};

struct boot_result {
    uint64_t entry;
    uint64_t boot_params;
};

/* Returns 0, or -1 after printing a message that names the offending file. */
int boot_prepare(const struct guest_mem *mem, const struct boot_config *cfg,
                 struct boot_result *out);

#endif
