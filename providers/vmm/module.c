/* SPDX-License-Identifier: MIT */
/* The module's entry point and its probe. */
#include "providers/provider.h"
#include "providers/vmm/kvm_probe.h"
#include "providers/vmm/ops.h"
#include "providers/vmm/vmm_binary.h"
#include "providers/vmm/vmm_machine.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

int vmm_probe(const struct rove_machine_ctx *ctx, char *why, size_t why_len)
{
    (void)ctx;
    struct strbuf tried = STRBUF_INIT;
    char *binary = vmm_binary_find(&tried);
    char kvm_why[ROVE_REASON_MAX];
    enum kvm_support kvm = kvm_probe_host(kvm_why, sizeof kvm_why);
    int rc = 0;
    if (!binary) {
        snprintf(why, why_len, "rove-vmm not found (looked at: %s)", sb_str(&tried));
        rc = -1;
    } else {
        snprintf(why, why_len, "rove-vmm at %s; %s", binary, kvm_why);
        /* A Linux guest cannot boot on emulating KVM: refuse at once rather than let `up` wait
         * minutes for SSH. Small test guests do run there; the tests allow it explicitly. */
        bool emulated_ok = getenv("ROVE_VMM_ALLOW_EMULATED_KVM") != NULL;
        rc = kvm == KVM_UNUSABLE || (kvm == KVM_EMULATED && !emulated_ok) ? -1 : 0;
    }
    free(binary);
    sb_release(&tried);
    return rc;
}

static const struct rove_provider vmm_provider = {
    .abi_version = ROVE_PROVIDER_ABI_VERSION,
    .name = "vmm",
    .description = "rove's own KVM monitor (rove-vmm): direct kernel boot, one small process per "
                   "machine",
    .options = vmm_option_specs,
    .probe = vmm_probe,
    .create = vmm_create,
    .start = vmm_start,
    .stop = vmm_stop,
    .destroy = vmm_destroy,
    .state = vmm_state,
    .ssh_endpoint = vmm_ssh_endpoint,
    .reconfigure_check = vmm_reconfigure_check,
    .reconfigure = vmm_reconfigure,
};

__attribute__((visibility("default"))) const struct rove_provider *rove_provider_entry(void)
{
    return &vmm_provider;
}
