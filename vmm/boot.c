/* SPDX-License-Identifier: MIT */
#include "boot.h"
#include "boot_layout.h"
#include "boot_params.h"
#include "kernel_loader.h"
#include "long_mode.h"
#include "mptable.h"
#include "vmm_log.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define INITRD_DEFAULT_MAX 0x37ffffffULL /* boot protocols before 2.03 */
#define PAGE_MASK_4K       (~0xfffULL)

static uint64_t initrd_limit(const struct guest_mem *mem, const struct kernel_image *kernel)
{
    uint64_t limit = guest_mem_low_end(mem);
    if (kernel->has_setup_header) {
        uint64_t max = kernel->setup_header.version >= 0x0203
                           ? (uint64_t)kernel->setup_header.initrd_addr_max
                           : INITRD_DEFAULT_MAX;
        if (max + 1 < limit)
            limit = max + 1;
    }
    return limit;
}

/* The initrd goes as high as allowed, out of the kernel's way. */
static int load_initrd(const struct guest_mem *mem, const char *path,
                       const struct kernel_image *kernel, struct boot_request *req)
{
    uint8_t *data;
    size_t len;
    if (kernel_map_file(path, "initrd", &data, &len) < 0)
        return -1;
    uint64_t limit = initrd_limit(mem, kernel);
    uint64_t addr = len < limit ? (limit - len) & PAGE_MASK_4K : 0;
    int rc = 0;
    if (len > UINT32_MAX || addr < kernel->loaded.load_end) {
        vmm_error("initrd %s: %zu MiB does not fit in guest memory beside the kernel (try a larger "
                  "--memory)",
                  path, len >> 20);
        rc = -1;
    } else {
        guest_mem_write(mem, addr, data, len);
        req->initrd_addr = addr;
        req->initrd_size = (uint32_t)len;
    }
    munmap(data, len);
    return rc;
}

int boot_prepare(const struct guest_mem *mem, const struct boot_config *cfg,
                 struct boot_result *out)
{
    struct kernel_image kernel;
    if (kernel_load_file(mem, cfg->kernel, &kernel) < 0)
        return -1;
    struct boot_request req = {
        .kernel_header = kernel.has_setup_header ? &kernel.setup_header : NULL,
        .cmdline_addr = BOOT_CMDLINE_ADDR,
        .cmdline_len = (uint32_t)strlen(cfg->cmdline),
    };
    if (req.cmdline_len + 1 > BOOT_CMDLINE_MAX) {
        vmm_error("--cmdline: the kernel command line is %u bytes; Linux takes at most %d",
                  req.cmdline_len, BOOT_CMDLINE_MAX - 1);
        return -1;
    }
    guest_mem_write(mem, BOOT_CMDLINE_ADDR, cfg->cmdline, req.cmdline_len + 1);
    if (cfg->initrd && load_initrd(mem, cfg->initrd, &kernel, &req) < 0)
        return -1;
    struct boot_params *bp = guest_mem_ptr(mem, BOOT_PARAMS_ADDR, sizeof *bp);
    if (!bp || long_mode_write_tables(mem) < 0 ||
        mptable_write(mem, BOOT_MPTABLE_ADDR, cfg->cpus) < 0) {
        vmm_error("guest memory is too small for the boot structures");
        return -1;
    }
    boot_params_build(bp, mem, &req);
    out->entry = kernel.loaded.entry;
    out->boot_params = BOOT_PARAMS_ADDR;
    return 0;
}
