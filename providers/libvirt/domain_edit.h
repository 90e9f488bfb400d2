/* SPDX-License-Identifier: MIT */
/* Changing the settings of a defined domain in its XML (as libvirt gives it back, with the name,
 * UUID, devices and addresses libvirt chose), so that a redefinition keeps everything else. */
#ifndef ROVE_PROVIDERS_LIBVIRT_DOMAIN_EDIT_H
#define ROVE_PROVIDERS_LIBVIRT_DOMAIN_EDIT_H

#include "providers/provider.h"

#include <stdbool.h>
#include <stdint.h>

struct domain_edit {
    int cpus;
    uint64_t memory_kib;
    bool restrict_network;
    int ssh_port; /* kept as it was */
    const struct rove_forward *forwards;
    size_t nforwards;
};

/* xml with its <memory>, <currentMemory>, <vcpu> and the user-mode NIC's -netdev value (forwards,
 * restrict) set from e; newly allocated. NULL after naming the machine when xml lacks one of them
 * (a domain rove did not define). */
char *domain_edit_apply(const char *machine, const char *xml, const struct domain_edit *e);

#endif
