/* SPDX-License-Identifier: MIT */
/* rove-provider-libvirt.so: the module rove loads. It reads a machine's state over the daemon's
 * socket when it can, and loads the driver (driver.h) for everything else. */
#include "providers/libvirt/driver.h"
#include "providers/libvirt/naming.h"
#include "providers/libvirt/options.h"
#include "providers/libvirt/wire.h"
#include "util/log.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The driver's table, loaded once, from the folder this module was loaded from. */
static const struct rove_provider *driver(void)
{
    static const struct rove_provider *table;
    if (table)
        return table;
    Dl_info self;
    if (!dladdr((void *)driver, &self) || !self.dli_fname) {
        log_error("libvirt provider: cannot tell which folder its module is in");
        return NULL;
    }
    const char *slash = strrchr(self.dli_fname, '/');
    int dir_len = slash ? (int)(slash - self.dli_fname) : 1;
    char path[4096];
    snprintf(path, sizeof path, "%.*s/%s", dir_len, slash ? self.dli_fname : ".", LV_DRIVER_FILE);
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    rove_provider_entry_fn entry =
        handle ? (rove_provider_entry_fn)dlsym(handle, LV_DRIVER_ENTRY) : NULL;
    const struct rove_provider *t = entry ? entry() : NULL;
    if (!t || t->abi_version != ROVE_PROVIDER_ABI_VERSION) {
        log_error("libvirt provider: cannot load its driver %s: %s", path,
                  handle ? "not a driver of this rove" : dlerror());
        return NULL;
    }
    return table = t;
}

/* Each operation but state goes to the driver as it is. */
#define TO_DRIVER(op, params, args)                                                                \
    static int op params                                                                           \
    {                                                                                              \
        const struct rove_provider *d = driver();                                                  \
        return d ? d->op args : -1;                                                                \
    }

TO_DRIVER(probe, (const struct rove_machine_ctx *ctx, char *why, size_t why_len),
          (ctx, why, why_len))
TO_DRIVER(create, (const struct rove_machine_ctx *ctx), (ctx))
TO_DRIVER(start, (const struct rove_machine_ctx *ctx), (ctx))
TO_DRIVER(stop, (const struct rove_machine_ctx *ctx, int timeout_seconds, bool force),
          (ctx, timeout_seconds, force))
TO_DRIVER(destroy,
          (const struct rove_machine_ctx *ctx, const struct rove_journal_record *records,
           size_t nrecords),
          (ctx, records, nrecords))
TO_DRIVER(ssh_endpoint, (const struct rove_machine_ctx *ctx, struct rove_endpoint *out), (ctx, out))
TO_DRIVER(remove_box_copies, (const struct rove_box *box, int log_level), (box, log_level))
TO_DRIVER(reconfigure_check,
          (const struct rove_machine_ctx *ctx, const struct rove_machine_spec *old, char *why,
           size_t why_len),
          (ctx, old, why, why_len))
TO_DRIVER(reconfigure, (const struct rove_machine_ctx *ctx, const struct rove_machine_spec *old),
          (ctx, old))
TO_DRIVER(snapshot_save, (const struct rove_machine_ctx *ctx, const char *name), (ctx, name))
TO_DRIVER(snapshot_restore, (const struct rove_machine_ctx *ctx, const char *name), (ctx, name))
TO_DRIVER(snapshot_delete, (const struct rove_machine_ctx *ctx, const char *name), (ctx, name))
TO_DRIVER(snapshot_list, (const struct rove_machine_ctx *ctx, rove_snapshot_fn each, void *arg),
          (ctx, each, arg))

/* Over the daemon's socket when the URI and the daemon allow it; the driver otherwise. */
static int state(const struct rove_machine_ctx *ctx, struct rove_state_report *out)
{
    struct lv_options opts;
    log_set_level((enum log_level)ctx->log_level);
    log_set_sink(ctx->log);
    if (ctx->machine && ctx->project_id) {
        if (lv_options_parse(ctx->machine, &opts) != 0)
            return -1;
        char *domain = lv_domain_name(ctx->project_id, ctx->machine->name);
        int answered = lv_wire_state(opts.uri, domain, out);
        free(domain);
        lv_options_release(&opts);
        if (answered == 0)
            return 0;
    }
    const struct rove_provider *d = driver();
    return d ? d->state(ctx, out) : -1;
}

static const struct rove_provider libvirt_provider = {
    .abi_version = ROVE_PROVIDER_ABI_VERSION,
    .name = "libvirt",
    .description = "virtual machines through libvirt: KVM where hardware virtualisation works, "
                   "QEMU's TCG elsewhere",
    .options = lv_option_specs,
    .features = ROVE_PROVIDER_CAN_MOUNT,
    .probe = probe,
    .create = create,
    .start = start,
    .stop = stop,
    .destroy = destroy,
    .state = state,
    .ssh_endpoint = ssh_endpoint,
    .remove_box_copies = remove_box_copies,
    .reconfigure_check = reconfigure_check,
    .reconfigure = reconfigure,
    .snapshot_save = snapshot_save,
    .snapshot_restore = snapshot_restore,
    .snapshot_delete = snapshot_delete,
    .snapshot_list = snapshot_list,
};

__attribute__((visibility("default"))) const struct rove_provider *rove_provider_entry(void)
{
    return &libvirt_provider;
}
