/* SPDX-License-Identifier: MIT */
/* The driver: every operation through libvirt's client library, in its own module
 * (rove-libvirt-driver.so) that the provider module loads on first use (see module.c). */
#include "providers/libvirt/connection.h"
#include "providers/libvirt/box_copies.h"
#include "providers/libvirt/driver.h"
#include "providers/libvirt/ops.h"
#include "providers/provider.h"

#include <stdio.h>

int lv_probe(const struct rove_machine_ctx *ctx, char *why, size_t why_len)
{
    struct lv_machine m;
    int rc = -1;
    if (why_len)
        why[0] = '\0';
    if (lv_machine_open(ctx, &m) != 0) {
        snprintf(why, why_len, "invalid libvirt options");
    } else if (!(m.conn = virConnectOpen(m.opts.uri))) {
        snprintf(why, why_len, "cannot connect to libvirt at %s: %s", m.opts.uri, lv_last_error());
    } else {
        enum accel_kind accel;
        char accel_why[ROVE_REASON_MAX];
        unsigned long version = 0;
        virConnectGetLibVersion(m.conn, &version);
        rc = lv_choose_accel(&m, &accel, accel_why, sizeof accel_why);
        snprintf(why, why_len, "libvirt %lu.%lu.%lu at %s; accelerator %s", version / 1000000,
                 version / 1000 % 1000, version % 1000, m.opts.uri, accel_why);
    }
    lv_machine_close(&m);
    return rc;
}

static const struct rove_provider libvirt_provider = {
    .abi_version = ROVE_PROVIDER_ABI_VERSION,
    .name = "libvirt",
    .description = "the libvirt provider's operations through libvirt's client library",
    .probe = lv_probe,
    .create = lv_create,
    .start = lv_start,
    .stop = lv_stop,
    .destroy = lv_destroy,
    .state = lv_state,
    .ssh_endpoint = lv_ssh_endpoint,
    .remove_box_copies = lv_remove_box_copies,
    .reconfigure_check = lv_reconfigure_check,
    .reconfigure = lv_reconfigure,
    .snapshot_save = lv_snapshot_save,
    .snapshot_restore = lv_snapshot_restore,
    .snapshot_delete = lv_snapshot_delete,
    .snapshot_list = lv_snapshot_list,
};

__attribute__((visibility("default"))) const struct rove_provider *LV_DRIVER_ENTRY_FN(void)
{
    return &libvirt_provider;
}
