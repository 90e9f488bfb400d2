/* SPDX-License-Identifier: MIT */
/* The machinefile's libvirt: section, checked, with defaults. */
#ifndef ROVE_PROVIDERS_LIBVIRT_OPTIONS_H
#define ROVE_PROVIDERS_LIBVIRT_OPTIONS_H

#include "providers/common/accel.h"
#include "providers/provider.h"

#include <stdbool.h>

#define LV_DEFAULT_POOL "rove"

struct lv_options {
    char *uri; /* qemu:///system as root, qemu:///session otherwise */
    enum accel_request accel;
    char *pool;            /* storage pool for box images and machine disks */
    bool restrict_network; /* guest traffic only to the forwards; default off */
    bool efi;              /* firmware: efi (UEFI instead of BIOS) */
};

/* The libvirt: section's keys, for rove to check machinefiles against (rove_provider.options). */
extern const struct rove_option_spec lv_option_specs[];

/* Reads spec's options (checked by rove against lv_option_specs; the URI and the pool name are
 * checked here too). Returns 0, or -1 after naming the machine and the bad key or value. */
int lv_options_parse(const struct rove_machine_spec *spec, struct lv_options *out);
void lv_options_release(struct lv_options *o);
/* The default connection for this user. */
const char *lv_default_uri(void);

#endif
