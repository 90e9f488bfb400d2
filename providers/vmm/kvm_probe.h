/* SPDX-License-Identifier: MIT */
/* Is /dev/kvm usable, and is it backed by hardware virtualisation? A /dev/kvm that opens is not
 * enough: a nested hypervisor may offer one that emulates every guest instruction (kvm and
 * kvm_pvm loaded, no kvm_intel/kvm_amd, no vmx/svm CPU flag), on which tiny programs run but a
 * Linux kernel stops during boot. */
#ifndef ROVE_PROVIDERS_VMM_KVM_PROBE_H
#define ROVE_PROVIDERS_VMM_KVM_PROBE_H

#include <stdbool.h>
#include <stddef.h>

enum kvm_support {
    KVM_UNUSABLE, /* /dev/kvm missing or not openable read-write */
    KVM_EMULATED, /* opens, but nothing shows hardware virtualisation behind it */
    KVM_HARDWARE,
};

struct kvm_facts {
    bool device_opens;
    const char *device_error; /* why it does not open, when it does not */
    const char *cpuinfo;      /* /proc/cpuinfo, or NULL when unreadable */
    const char *modules;      /* /proc/modules, or NULL when unreadable */
};

/* Decides from the facts alone (no I/O), describing the verdict in why. */
enum kvm_support kvm_judge(const struct kvm_facts *facts, char *why, size_t why_len);

/* Reads this host's facts and judges them. */
enum kvm_support kvm_probe_host(char *why, size_t why_len);

#endif
