/* SPDX-License-Identifier: MIT */
#include "mptable.h"
#include "boot_layout.h"

#include <string.h>

#define MP_SPEC_REV    4
#define APIC_VERSION   0x14
#define IOAPIC_VERSION 0x11
#define IOAPIC_PINS    24
#define CPU_ENABLED    1
#define CPU_BSP        2
#define CPU_SIGNATURE  0x600 /* family 6 */
#define CPU_FEATURES   0x201 /* FPU, APIC */

enum { ENTRY_PROCESSOR, ENTRY_BUS, ENTRY_IOAPIC, ENTRY_IO_INTERRUPT, ENTRY_LOCAL_INTERRUPT };
enum { IRQ_TYPE_INT = 0, IRQ_TYPE_NMI = 1, IRQ_TYPE_EXTINT = 3 };

struct mp_floating_pointer {
    char signature[4];
    uint32_t config_table;
    uint8_t length;
    uint8_t spec_rev;
    uint8_t checksum;
    uint8_t features[5];
} __attribute__((packed));

struct mp_config_header {
    char signature[4];
    uint16_t length;
    uint8_t spec_rev;
    uint8_t checksum;
    char oem_id[8];
    char product_id[12];
    uint32_t oem_table;
    uint16_t oem_table_size;
    uint16_t entry_count;
    uint32_t lapic_addr;
    uint16_t ext_length;
    uint8_t ext_checksum;
    uint8_t reserved;
} __attribute__((packed));

struct mp_processor {
    uint8_t type, lapic_id, lapic_version, flags;
    uint32_t signature, features;
    uint32_t reserved[2];
} __attribute__((packed));

struct mp_bus {
    uint8_t type, bus_id;
    char bus_type[6];
} __attribute__((packed));

struct mp_ioapic {
    uint8_t type, id, version, flags;
    uint32_t addr;
} __attribute__((packed));

struct mp_interrupt {
    uint8_t type, irq_type;
    uint16_t flags;
    uint8_t src_bus, src_irq, dst_id, dst_pin;
} __attribute__((packed));

static uint8_t checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += p[i];
    return (uint8_t)-sum;
}

static size_t size_for(unsigned cpu_count)
{
    return sizeof(struct mp_floating_pointer) + sizeof(struct mp_config_header) +
           cpu_count * sizeof(struct mp_processor) + sizeof(struct mp_bus) +
           sizeof(struct mp_ioapic) + (IOAPIC_PINS + 2) * sizeof(struct mp_interrupt);
}

int mptable_write(const struct guest_mem *mem, uint64_t addr, unsigned cpu_count)
{
    size_t total = size_for(cpu_count);
    uint8_t *base = guest_mem_ptr(mem, addr, total);
    if (!base)
        return -1;
    memset(base, 0, total);
    struct mp_floating_pointer *fp = (void *)base;
    struct mp_config_header *hdr = (void *)(fp + 1);
    uint8_t *p = (uint8_t *)(hdr + 1);
    uint16_t entries = 0;
    uint8_t ioapic_id = (uint8_t)(cpu_count + 1);

    for (unsigned i = 0; i < cpu_count; i++, entries++, p += sizeof(struct mp_processor))
        *(struct mp_processor *)p =
            (struct mp_processor){.type = ENTRY_PROCESSOR,
                                  .lapic_id = (uint8_t)i,
                                  .lapic_version = APIC_VERSION,
                                  .flags = CPU_ENABLED | (i == 0 ? CPU_BSP : 0),
                                  .signature = CPU_SIGNATURE,
                                  .features = CPU_FEATURES};
    *(struct mp_bus *)p = (struct mp_bus){.type = ENTRY_BUS, .bus_id = 0, .bus_type = "ISA   "};
    p += sizeof(struct mp_bus), entries++;
    *(struct mp_ioapic *)p = (struct mp_ioapic){.type = ENTRY_IOAPIC,
                                                .id = ioapic_id,
                                                .version = IOAPIC_VERSION,
                                                .flags = 1,
                                                .addr = (uint32_t)IOAPIC_ADDR};
    p += sizeof(struct mp_ioapic), entries++;
    for (uint8_t pin = 0; pin < IOAPIC_PINS; pin++, entries++, p += sizeof(struct mp_interrupt))
        *(struct mp_interrupt *)p = (struct mp_interrupt){.type = ENTRY_IO_INTERRUPT,
                                                          .irq_type = IRQ_TYPE_INT,
                                                          .src_irq = pin,
                                                          .dst_id = ioapic_id,
                                                          .dst_pin = pin};
    *(struct mp_interrupt *)p = (struct mp_interrupt){
        .type = ENTRY_LOCAL_INTERRUPT, .irq_type = IRQ_TYPE_EXTINT, .dst_id = 0xff, .dst_pin = 0};
    p += sizeof(struct mp_interrupt), entries++;
    *(struct mp_interrupt *)p = (struct mp_interrupt){
        .type = ENTRY_LOCAL_INTERRUPT, .irq_type = IRQ_TYPE_NMI, .dst_id = 0xff, .dst_pin = 1};
    p += sizeof(struct mp_interrupt), entries++;

    memcpy(hdr->signature, "PCMP", 4);
    hdr->length = (uint16_t)(p - (uint8_t *)hdr);
    hdr->spec_rev = MP_SPEC_REV;
    memcpy(hdr->oem_id, "ROVE    ", 8);
    memcpy(hdr->product_id, "ROVE-VMM    ", 12);
    hdr->entry_count = entries;
    hdr->lapic_addr = (uint32_t)LAPIC_ADDR;
    hdr->checksum = checksum((uint8_t *)hdr, hdr->length);

    memcpy(fp->signature, "_MP_", 4);
    fp->config_table = (uint32_t)(addr + sizeof *fp);
    fp->length = 1;
    fp->spec_rev = MP_SPEC_REV;
    fp->checksum = checksum((uint8_t *)fp, sizeof *fp);
    return (int)total;
}
