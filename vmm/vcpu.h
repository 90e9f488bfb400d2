/* SPDX-License-Identifier: MIT */
/* A virtual CPU: its KVM state for the 64-bit boot entry, and the thread that runs it and
 * dispatches its exits to the devices. */
#ifndef ROVE_VMM_VCPU_H
#define ROVE_VMM_VCPU_H

#include "cpuid.h"
#include "vm.h"

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct vcpu {
    struct vm *vm;
    int index;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    bool thread_started;
    atomic_bool check_halt;      /* the main loop asks: are you halted for good? */
    atomic_bool halted_for_good; /* halted with interrupts disabled: nothing can wake it */
};

/* Creates vCPU index and sets its CPUID, MSRs, FPU and LAPIC; the boot processor also gets the
 * registers for the 64-bit entry at entry with boot_params in RSI. Returns 0 or -1 (printed). */
int vcpu_create(struct vcpu *vcpu, struct vm *vm, int index, const struct cpuid_table *supported,
                uint64_t entry, uint64_t boot_params);
/* Installs the signal used to kick vCPUs out of KVM_RUN. Call once before starting any. */
int vcpu_install_kick_signal(void);
int vcpu_start(struct vcpu *vcpu);
/* Makes the vCPU leave KVM_RUN: to stop (stop=true), or to answer check_halt. */
void vcpu_kick(struct vcpu *vcpu, bool stop);
void vcpu_join(struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);
/* Reads the supported CPUID table from KVM. Returns 0 or -1 (printed). */
int vcpu_supported_cpuid(int kvm_fd, struct cpuid_table *table);

#endif
