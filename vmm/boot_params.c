/* SPDX-License-Identifier: MIT */
#include "boot_params.h"
#include "boot_layout.h"

#include <string.h>

#define SETUP_HEADER_MAGIC    0x53726448 /* "HdrS" */
#define BOOT_FLAG_MAGIC       0xaa55
#define LOADER_TYPE_UNDEFINED 0xff
#define LOADFLAG_LOADED_HIGH  0x01
#define LOADFLAG_CAN_USE_HEAP 0x80

static int add_entry(struct boot_e820_entry *entries, int count, int max, uint64_t addr,
                     uint64_t size, uint32_t type)
{
    if (count >= max || size == 0)
        return count;
    entries[count] = (struct boot_e820_entry){.addr = addr, .size = size, .type = type};
    return count + 1;
}

int e820_build(const struct guest_mem *mem, struct boot_e820_entry *entries, int max)
{
    int n = 0;
    uint64_t low_end = guest_mem_low_end(mem);
    n = add_entry(entries, n, max, 0, BOOT_EBDA_START, E820_TYPE_RAM);
    n = add_entry(entries, n, max, BOOT_EBDA_START, BOOT_HIGH_MEMORY - BOOT_EBDA_START,
                  E820_TYPE_RESERVED);
    if (low_end > BOOT_HIGH_MEMORY)
        n = add_entry(entries, n, max, BOOT_HIGH_MEMORY, low_end - BOOT_HIGH_MEMORY, E820_TYPE_RAM);
    for (int i = 1; i < mem->count; i++)
        n = add_entry(entries, n, max, mem->regions[i].gpa, mem->regions[i].size, E820_TYPE_RAM);
    return n;
}

void boot_params_build(struct boot_params *bp, const struct guest_mem *mem,
                       const struct boot_request *req)
{
    memset(bp, 0, sizeof *bp);
    if (req->kernel_header)
        bp->hdr = *req->kernel_header;
    bp->hdr.boot_flag = BOOT_FLAG_MAGIC;
    bp->hdr.header = SETUP_HEADER_MAGIC;
    if (bp->hdr.version < 0x0200)
        bp->hdr.version = 0x0200;
    bp->hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
    bp->hdr.loadflags |= LOADFLAG_LOADED_HIGH | LOADFLAG_CAN_USE_HEAP;
    bp->hdr.heap_end_ptr = 0xfe00;
    bp->hdr.cmd_line_ptr = (uint32_t)req->cmdline_addr;
    bp->ext_cmd_line_ptr = (uint32_t)(req->cmdline_addr >> 32);
    bp->hdr.cmdline_size = req->cmdline_len + 1;
    bp->hdr.ramdisk_image = (uint32_t)req->initrd_addr;
    bp->ext_ramdisk_image = (uint32_t)(req->initrd_addr >> 32);
    bp->hdr.ramdisk_size = req->initrd_size;
    bp->ext_ramdisk_size = 0;
    bp->e820_entries = (uint8_t)e820_build(mem, bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE);
}
