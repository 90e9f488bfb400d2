/* SPDX-License-Identifier: MIT */
/* Gathering what the accelerator choice needs from the host behind a libvirt connection. */
#ifndef ROVE_PROVIDERS_LIBVIRT_HOST_FACTS_H
#define ROVE_PROVIDERS_LIBVIRT_HOST_FACTS_H

#include "providers/common/accel.h"

#include <libvirt/libvirt.h>

struct host_facts {
    struct accel_facts accel;
    char *cpuinfo; /* owned copies behind accel's pointers */
    char *modules;
};

/* For a local URI reads /proc/cpuinfo, /proc/modules and /dev/kvm; for a remote one relies on
 * libvirt's domain capabilities alone. */
void host_facts_gather(virConnectPtr conn, const char *uri, struct host_facts *out);
void host_facts_release(struct host_facts *f);

#endif
