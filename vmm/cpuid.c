/* SPDX-License-Identifier: MIT */
#include "cpuid.h"

#define LEAF1_ECX_HYPERVISOR   (1u << 31)
#define LEAF1_EDX_HTT          (1u << 28)
#define LEAF1_ECX_TSC_DEADLINE (1u << 24)

static void adjust_leaf1(struct kvm_cpuid_entry2 *e, unsigned cpu_index, unsigned cpu_count)
{
    /* EBX: initial APIC id in 31-24, logical processor count in 23-16, CLFLUSH size kept. */
    e->ebx = (e->ebx & 0x0000ffffu) | (cpu_index << 24) | ((cpu_count & 0xff) << 16);
    e->ecx |= LEAF1_ECX_HYPERVISOR;
    if (cpu_count > 1)
        e->edx |= LEAF1_EDX_HTT;
    else
        e->edx &= ~LEAF1_EDX_HTT;
}

static void adjust_cache_topology(struct kvm_cpuid_entry2 *e, unsigned cpu_count)
{
    /* EAX 31-26: cores per package - 1; 25-14: threads sharing the cache - 1 (one per core). */
    e->eax = (e->eax & 0x3fffu) | ((cpu_count - 1) << 26);
}

static void adjust_extended_topology(struct kvm_cpuid_entry2 *e, unsigned cpu_index,
                                     unsigned cpu_count)
{
    /* Level 0 (SMT): one thread per core; level 1 (core): cpu_count cores. */
    unsigned shift = 0;
    while ((1u << shift) < cpu_count)
        shift++;
    switch (e->index) {
    case 0:
        e->eax = 0;
        e->ebx = 1;
        e->ecx = (1u << 8) | e->index;
        break;
    case 1:
        e->eax = shift;
        e->ebx = cpu_count;
        e->ecx = (2u << 8) | e->index;
        break;
    default:
        e->eax = e->ebx = 0;
        e->ecx = e->index;
        break;
    }
    e->edx = cpu_index;
}

void cpuid_adjust(struct kvm_cpuid_entry2 *entries, unsigned count, unsigned cpu_index,
                  unsigned cpu_count)
{
    for (unsigned i = 0; i < count; i++) {
        struct kvm_cpuid_entry2 *e = &entries[i];
        switch (e->function) {
        case 1:
            adjust_leaf1(e, cpu_index, cpu_count);
            break;
        case 4:
            adjust_cache_topology(e, cpu_count);
            break;
        case 0xa:
            /* No virtual PMU: the guest must not program performance counters. */
            e->eax = e->ebx = e->ecx = e->edx = 0;
            break;
        case 0xb:
        case 0x1f:
            adjust_extended_topology(e, cpu_index, cpu_count);
            break;
        default:
            break;
        }
    }
}
