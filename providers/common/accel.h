/* SPDX-License-Identifier: MIT */
/* Choosing the accelerator honestly: KVM only where hardware virtualisation really backs
 * /dev/kvm, QEMU's TCG otherwise. A /dev/kvm that opens is not enough: a nested hypervisor can
 * offer one that emulates every guest instruction (kvm + kvm_pvm loaded, no kvm_intel/kvm_amd,
 * no vmx/svm CPU flag), on which real guests hang. */
#ifndef ROVE_PROVIDERS_COMMON_ACCEL_H
#define ROVE_PROVIDERS_COMMON_ACCEL_H

#include <stdbool.h>
#include <stddef.h>

enum accel_kind { ACCEL_TCG, ACCEL_KVM };
enum accel_request { ACCEL_REQUEST_AUTO, ACCEL_REQUEST_KVM, ACCEL_REQUEST_TCG };

/* What is known about the host. NULL texts mean "not known" (e.g. a remote libvirt host). */
struct accel_facts {
    const char *cpuinfo; /* contents of /proc/cpuinfo */
    const char *modules; /* contents of /proc/modules */
    bool kvm_device_known;
    bool kvm_device;  /* /dev/kvm opens read-write */
    bool libvirt_kvm; /* libvirt's domain capabilities offer domain type 'kvm' */
};

/* "auto", "kvm" or "tcg" (NULL: auto). Returns 0, or -1 for anything else. */
int accel_parse_request(const char *text, enum accel_request *out);
/* Any CPU's flags line lists vmx (Intel VT-x) or svm (AMD-V). */
bool accel_cpuinfo_has_hw_virt(const char *cpuinfo);
/* The module list holds kvm_intel or kvm_amd. */
bool accel_modules_have_hw_kvm(const char *modules);
bool accel_modules_have(const char *modules, const char *module);

/* Decides. Returns 0 with *out set and why describing the choice, or -1 when the request cannot
 * be honoured (why says what is missing). */
int accel_choose(enum accel_request request, const struct accel_facts *facts, enum accel_kind *out,
                 char *why, size_t why_len);

const char *accel_domain_type(enum accel_kind kind); /* "kvm" or "qemu" */
const char *accel_name(enum accel_kind kind);        /* "KVM" or "TCG" */

#endif
