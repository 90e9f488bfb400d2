/* SPDX-License-Identifier: MIT */
/* The monitor's adjustments to the CPUID table KVM supports: topology, the hypervisor bit, and no
 * performance-monitoring unit. */
#ifndef ROVE_VMM_CPUID_H
#define ROVE_VMM_CPUID_H

#include <linux/kvm.h>
#include <stdint.h>

#define CPUID_MAX_ENTRIES 256

/* struct kvm_cpuid2 ends in a flexible array: the union gives it room for its entries. */
struct cpuid_table {
    union {
        struct kvm_cpuid2 cpuid;
        uint8_t storage[sizeof(struct kvm_cpuid2) +
                        CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2)];
    };
};

/* Adjusts a copy of the supported table for vCPU cpu_index out of cpu_count. */
void cpuid_adjust(struct kvm_cpuid_entry2 *entries, unsigned count, unsigned cpu_index,
                  unsigned cpu_count);

#endif
