/* SPDX-License-Identifier: MIT */
#include "providers/vmm/kvm_probe.h"
#include "providers/common/accel.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kvm_support kvm_judge(const struct kvm_facts *f, char *why, size_t why_len)
{
    if (!f->device_opens) {
        snprintf(why, why_len, "/dev/kvm cannot be opened read-write (%s); rove-vmm needs KVM",
                 f->device_error ? f->device_error : "unknown reason");
        return KVM_UNUSABLE;
    }
    if (f->cpuinfo && !accel_cpuinfo_has_hw_virt(f->cpuinfo)) {
        snprintf(why, why_len,
                 "/dev/kvm opens, but hardware KVM is missing: the CPU flags show neither vmx "
                 "nor svm, so KVM here is a nested, emulating hypervisor (Linux guests will not "
                 "boot; use the libvirt provider)");
        return KVM_EMULATED;
    }
    if (f->modules && accel_modules_have(f->modules, "kvm") &&
        !accel_modules_have_hw_kvm(f->modules)) {
        snprintf(why, why_len,
                 "/dev/kvm opens, but hardware KVM is missing: the kvm module is loaded without "
                 "kvm_intel or kvm_amd (Linux guests will not boot; use the libvirt provider)");
        return KVM_EMULATED;
    }
    snprintf(why, why_len, "hardware KVM%s", f->cpuinfo ? " (vmx/svm)" : "");
    return KVM_HARDWARE;
}

static char *read_text(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    return fs_read_file(path, &data, &len) == 0 ? data : NULL;
}

enum kvm_support kvm_probe_host(char *why, size_t why_len)
{
    struct kvm_facts f = {0};
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    f.device_opens = fd >= 0;
    f.device_error = fd >= 0 ? NULL : strerror(errno);
    if (fd >= 0)
        close(fd);
    char *cpuinfo = read_text("/proc/cpuinfo");
    char *modules = read_text("/proc/modules");
    f.cpuinfo = cpuinfo;
    f.modules = modules;
    enum kvm_support verdict = kvm_judge(&f, why, why_len);
    free(cpuinfo);
    free(modules);
    return verdict;
}
