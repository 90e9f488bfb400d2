/* SPDX-License-Identifier: MIT */
/* Guest physical memory as the monitor sees it: up to two host mappings (below the PCI hole and
 * above 4 GiB) and bounds-checked translation from guest physical addresses to host pointers. */
#ifndef ROVE_VMM_GUEST_MEM_H
#define ROVE_VMM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_MAX_REGIONS 2
/* RAM above this address moves to 4 GiB, leaving room for the MMIO devices, IOAPIC and LAPIC. */
#define GUEST_MEM_LOW_LIMIT  0xC0000000ULL
#define GUEST_MEM_HIGH_START 0x100000000ULL

struct guest_mem_region {
    uint64_t gpa;
    uint64_t size;
    uint8_t *host;
};

struct guest_mem {
    struct guest_mem_region regions[GUEST_MEM_MAX_REGIONS];
    int count;
    uint64_t total;
};

/* Maps size bytes of anonymous memory laid out as the guest expects. Returns 0 or -1 (errno). */
int guest_mem_map(struct guest_mem *mem, uint64_t size);
void guest_mem_unmap(struct guest_mem *mem);
/* Describes caller-owned memory (tests use a plain buffer as a fake guest). */
void guest_mem_init_flat(struct guest_mem *mem, void *host, uint64_t size);

/* Host pointer for [gpa, gpa+len) when the whole range is RAM inside one region, else NULL. */
void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);
/* Copies in or out of guest memory; false when the range is not RAM. */
bool guest_mem_write(const struct guest_mem *mem, uint64_t gpa, const void *src, uint64_t len);
bool guest_mem_read(const struct guest_mem *mem, uint64_t gpa, void *dst, uint64_t len);
/* End of RAM below the PCI hole. */
uint64_t guest_mem_low_end(const struct guest_mem *mem);

#endif
