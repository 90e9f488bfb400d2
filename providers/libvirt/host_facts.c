/* SPDX-License-Identifier: MIT */
#include "providers/libvirt/host_facts.h"
#include "providers/libvirt/connection.h"
#include "util/fs.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *read_text(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    return fs_read_file(path, &data, &len) == 0 ? data : NULL;
}

static bool libvirt_offers_kvm(virConnectPtr conn)
{
    char *caps = virConnectGetDomainCapabilities(conn, NULL, "x86_64", NULL, "kvm", 0);
    if (!caps)
        return false;
    free(caps);
    return true;
}

void host_facts_gather(virConnectPtr conn, const char *uri, struct host_facts *out)
{
    memset(out, 0, sizeof *out);
    out->accel.libvirt_kvm = libvirt_offers_kvm(conn);
    if (!lv_uri_is_local(uri))
        return;
    out->cpuinfo = read_text("/proc/cpuinfo");
    out->modules = read_text("/proc/modules");
    out->accel.cpuinfo = out->cpuinfo;
    out->accel.modules = out->modules;
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    out->accel.kvm_device_known = true;
    out->accel.kvm_device = fd >= 0;
    if (fd >= 0)
        close(fd);
}

void host_facts_release(struct host_facts *f)
{
    free(f->cpuinfo);
    free(f->modules);
    memset(f, 0, sizeof *f);
}
