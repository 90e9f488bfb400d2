/* SPDX-License-Identifier: MIT */
#include "guest_mem.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA           0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

static int map_region(struct guest_mem *mem, uint64_t gpa, uint64_t size)
{
    /* NORESERVE: guest RAM is only backed as the guest touches it. */
    void *host = mmap(NULL, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (host == MAP_FAILED)
        return -1;
    /* Named so that tools (and bench/vmm) can tell guest RAM from the monitor's own. */
    prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)host, size,
          (unsigned long)"rove-guest-ram");
    madvise(host, size, MADV_MERGEABLE);
    struct guest_mem_region *r = &mem->regions[mem->count++];
    r->gpa = gpa;
    r->size = size;
    r->host = host;
    mem->total += size;
    return 0;
}

int guest_mem_map(struct guest_mem *mem, uint64_t size)
{
    memset(mem, 0, sizeof *mem);
    uint64_t low = size < GUEST_MEM_LOW_LIMIT ? size : GUEST_MEM_LOW_LIMIT;
    if (map_region(mem, 0, low) < 0)
        return -1;
    if (size > low && map_region(mem, GUEST_MEM_HIGH_START, size - low) < 0) {
        guest_mem_unmap(mem);
        return -1;
    }
    return 0;
}

void guest_mem_unmap(struct guest_mem *mem)
{
    for (int i = 0; i < mem->count; i++)
        munmap(mem->regions[i].host, mem->regions[i].size);
    memset(mem, 0, sizeof *mem);
}

void guest_mem_init_flat(struct guest_mem *mem, void *host, uint64_t size)
{
    memset(mem, 0, sizeof *mem);
    mem->regions[0] = (struct guest_mem_region){.gpa = 0, .size = size, .host = host};
    mem->count = 1;
    mem->total = size;
}

void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
    for (int i = 0; i < mem->count; i++) {
        const struct guest_mem_region *r = &mem->regions[i];
        /* Written without gpa + len so that a huge len cannot wrap around. */
        if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
            return r->host + (gpa - r->gpa);
    }
    return NULL;
}

bool guest_mem_write(const struct guest_mem *mem, uint64_t gpa, const void *src, uint64_t len)
{
    void *dst = guest_mem_ptr(mem, gpa, len);
    if (!dst)
        return false;
    memcpy(dst, src, len);
    return true;
}

bool guest_mem_read(const struct guest_mem *mem, uint64_t gpa, void *dst, uint64_t len)
{
    const void *src = guest_mem_ptr(mem, gpa, len);
    if (!src)
        return false;
    memcpy(dst, src, len);
    return true;
}

uint64_t guest_mem_low_end(const struct guest_mem *mem)
{
    return mem->count > 0 ? mem->regions[0].gpa + mem->regions[0].size : 0;
}
