/* SPDX-License-Identifier: MIT */
#include "long_mode.h"
#include "boot_layout.h"

#include <string.h>

#define CR0_PE   (1ULL << 0)
#define CR0_ET   (1ULL << 4)
#define CR0_PG   (1ULL << 31)
#define CR4_PAE  (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE   (1ULL << 1)
#define PTE_LARGE   (1ULL << 7)

/* Flat descriptors: flags in bits 52-55, access byte in bits 40-47, limit 0xfffff. */
static uint64_t gdt_entry(uint16_t flags, uint32_t base, uint32_t limit)
{
    return ((uint64_t)(base & 0xff000000u) << 32) | ((uint64_t)(flags & 0xf0ff) << 40) |
           ((uint64_t)(limit & 0x000f0000u) << 32) | ((uint64_t)(base & 0x00ffffffu) << 16) |
           (uint64_t)(limit & 0x0000ffffu);
}

static const uint16_t code64_flags = 0xa09b; /* G, L, present, code exec/read, accessed */
static const uint16_t data_flags = 0xc093;   /* G, D/B, present, data read/write, accessed */
static const uint16_t tss_flags = 0x808b;    /* G, present, busy 64-bit TSS */

int long_mode_write_tables(const struct guest_mem *mem)
{
    uint64_t gdt[] = {0, 0, gdt_entry(code64_flags, 0, 0xfffff), gdt_entry(data_flags, 0, 0xfffff),
                      gdt_entry(tss_flags, 0, 0xfffff)};
    uint64_t idt = 0;
    if (!guest_mem_write(mem, BOOT_GDT_ADDR, gdt, sizeof gdt) ||
        !guest_mem_write(mem, BOOT_IDT_ADDR, &idt, sizeof idt))
        return -1;

    uint64_t *pml4 = guest_mem_ptr(mem, BOOT_PML4_ADDR, 4096);
    uint64_t *pdpt = guest_mem_ptr(mem, BOOT_PDPT_ADDR, 4096);
    uint64_t *pd = guest_mem_ptr(mem, BOOT_PD_ADDR, 4 * 4096);
    if (!pml4 || !pdpt || !pd)
        return -1;
    memset(pml4, 0, 4096);
    memset(pdpt, 0, 4096);
    pml4[0] = BOOT_PDPT_ADDR | PTE_PRESENT | PTE_WRITE;
    for (uint64_t i = 0; i < 4; i++)
        pdpt[i] = (BOOT_PD_ADDR + i * 4096) | PTE_PRESENT | PTE_WRITE;
    /* 2048 2 MiB pages identity-map the first 4 GiB, device windows included. */
    for (uint64_t i = 0; i < 2048; i++)
        pd[i] = (i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
    return 0;
}

static struct kvm_segment segment(uint16_t selector, uint16_t flags)
{
    return (struct kvm_segment){
        .base = 0,
        .limit = 0xffffffff,
        .selector = selector,
        .type = flags & 0xf,
        .present = (flags >> 7) & 1,
        .dpl = (flags >> 5) & 3,
        .db = (flags >> 14) & 1,
        .s = (flags >> 4) & 1,
        .l = (flags >> 13) & 1,
        .g = (flags >> 15) & 1,
    };
}

void long_mode_set_sregs(struct kvm_sregs *sregs)
{
    sregs->gdt.base = BOOT_GDT_ADDR;
    sregs->gdt.limit = 5 * 8 - 1;
    sregs->idt.base = BOOT_IDT_ADDR;
    sregs->idt.limit = 7;
    sregs->cs = segment(BOOT_CODE_SELECTOR, code64_flags);
    struct kvm_segment data = segment(BOOT_DATA_SELECTOR, data_flags);
    sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
    sregs->tr = segment(BOOT_TSS_SELECTOR, tss_flags);
    sregs->cr3 = BOOT_PML4_ADDR;
    sregs->cr4 |= CR4_PAE;
    sregs->cr0 |= CR0_PE | CR0_ET | CR0_PG;
    sregs->efer |= EFER_LME | EFER_LMA;
}
