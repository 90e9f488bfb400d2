/* SPDX-License-Identifier: MIT */
#include "providers/libvirt/state_words.h"

#include <libvirt/libvirt.h>
#include <stdio.h>
#include <string.h>

static const char *shutoff_reason(int reason)
{
    switch (reason) {
    case VIR_DOMAIN_SHUTOFF_SHUTDOWN:
        return "shut down";
    case VIR_DOMAIN_SHUTOFF_DESTROYED:
        return "powered off";
    case VIR_DOMAIN_SHUTOFF_CRASHED:
        return "crashed";
    case VIR_DOMAIN_SHUTOFF_FAILED:
        return "failed to start";
    case VIR_DOMAIN_SHUTOFF_SAVED:
        return "saved";
    default:
        return "not started";
    }
}

void lv_describe_state(int state, int reason, struct rove_state_report *out)
{
    switch (state) {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED:
        out->state = ROVE_STATE_RUNNING;
        snprintf(out->reason, sizeof out->reason, "running");
        break;
    case VIR_DOMAIN_SHUTDOWN:
        out->state = ROVE_STATE_RUNNING;
        snprintf(out->reason, sizeof out->reason, "shutting down");
        break;
    case VIR_DOMAIN_SHUTOFF:
        out->state = ROVE_STATE_STOPPED;
        snprintf(out->reason, sizeof out->reason, "%s", shutoff_reason(reason));
        break;
    case VIR_DOMAIN_CRASHED:
        out->state = ROVE_STATE_STOPPED;
        snprintf(out->reason, sizeof out->reason, "crashed");
        break;
    case VIR_DOMAIN_PAUSED:
    case VIR_DOMAIN_PMSUSPENDED:
        out->state = ROVE_STATE_UNKNOWN;
        snprintf(out->reason, sizeof out->reason, "paused or suspended in libvirt");
        break;
    default:
        out->state = ROVE_STATE_UNKNOWN;
        snprintf(out->reason, sizeof out->reason, "libvirt reports no state");
    }
}

void lv_describe_accelerator(const char *domain_xml, struct rove_state_report *out)
{
    if (!domain_xml)
        return;
    const char *accel =
        strstr(domain_xml, "<domain type='kvm'") ? "KVM" : "TCG, software emulation";
    size_t len = strlen(out->reason);
    snprintf(out->reason + len, sizeof out->reason - len, " (%s)", accel);
}
