/* SPDX-License-Identifier: MIT */
#include "providers/common/accel.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int accel_parse_request(const char *text, enum accel_request *out)
{
    if (!text || strcmp(text, "auto") == 0)
        *out = ACCEL_REQUEST_AUTO;
    else if (strcmp(text, "kvm") == 0)
        *out = ACCEL_REQUEST_KVM;
    else if (strcmp(text, "tcg") == 0)
        *out = ACCEL_REQUEST_TCG;
    else
        return -1;
    return 0;
}

/* True when word appears in line as a whole, blank-separated word. */
static bool line_has_word(const char *line, size_t len, const char *word)
{
    size_t wlen = strlen(word);
    for (size_t i = 0; i + wlen <= len; i++) {
        bool starts = i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t' || line[i - 1] == ':';
        bool ends = i + wlen == len || line[i + wlen] == ' ' || line[i + wlen] == '\t';
        if (starts && ends && memcmp(line + i, word, wlen) == 0)
            return true;
    }
    return false;
}

bool accel_cpuinfo_has_hw_virt(const char *cpuinfo)
{
    for (const char *line = cpuinfo; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (strncmp(line, "flags", 5) == 0 &&
            (line_has_word(line, len, "vmx") || line_has_word(line, len, "svm")))
            return true;
        line = nl ? nl + 1 : NULL;
    }
    return false;
}

bool accel_modules_have(const char *modules, const char *module)
{
    size_t mlen = strlen(module);
    for (const char *line = modules; line && *line;) {
        if (strncmp(line, module, mlen) == 0 && (line[mlen] == ' ' || line[mlen] == '\n'))
            return true;
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : NULL;
    }
    return false;
}

bool accel_modules_have_hw_kvm(const char *modules)
{
    return accel_modules_have(modules, "kvm_intel") || accel_modules_have(modules, "kvm_amd");
}

/* Why KVM would not be hardware-backed here, or NULL when nothing speaks against it. */
static const char *kvm_obstacle(const struct accel_facts *f)
{
    if (!f->libvirt_kvm)
        return "libvirt's domain capabilities offer no 'kvm' domain type on this host";
    if (f->kvm_device_known && !f->kvm_device)
        return "/dev/kvm is missing or cannot be opened read-write";
    if (f->cpuinfo && !accel_cpuinfo_has_hw_virt(f->cpuinfo))
        return "the CPU flags in /proc/cpuinfo show neither vmx nor svm, so /dev/kvm is not "
               "backed by hardware virtualisation (a nested, emulating hypervisor)";
    if (f->modules && accel_modules_have(f->modules, "kvm") &&
        !accel_modules_have_hw_kvm(f->modules))
        return "the kvm module is loaded without kvm_intel or kvm_amd, so /dev/kvm is not backed "
               "by hardware virtualisation";
    return NULL;
}

int accel_choose(enum accel_request request, const struct accel_facts *facts, enum accel_kind *out,
                 char *why, size_t why_len)
{
    const char *obstacle = kvm_obstacle(facts);
    switch (request) {
    case ACCEL_REQUEST_TCG:
        *out = ACCEL_TCG;
        snprintf(why, why_len, "TCG: 'accel: tcg' requested");
        return 0;
    case ACCEL_REQUEST_KVM:
        if (!facts->libvirt_kvm) {
            snprintf(why, why_len, "'accel: kvm' requested but %s", obstacle);
            return -1;
        }
        *out = ACCEL_KVM;
        if (obstacle)
            snprintf(why, why_len, "KVM: 'accel: kvm' requested, although %s", obstacle);
        else
            snprintf(why, why_len, "KVM: 'accel: kvm' requested");
        return 0;
    case ACCEL_REQUEST_AUTO:
    default:
        if (obstacle) {
            *out = ACCEL_TCG;
            snprintf(why, why_len, "TCG (software emulation, slow): %s", obstacle);
        } else {
            *out = ACCEL_KVM;
            snprintf(why, why_len, "KVM: hardware virtualisation%s is available",
                     facts->cpuinfo ? " (vmx/svm)" : "");
        }
        return 0;
    }
}

const char *accel_domain_type(enum accel_kind kind)
{
    return kind == ACCEL_KVM ? "kvm" : "qemu";
}

const char *accel_name(enum accel_kind kind)
{
    return kind == ACCEL_KVM ? "KVM" : "TCG";
}
