/* SPDX-License-Identifier: MIT */
/* state and ssh_endpoint: the machine record and what the running rove-vmm says. */
#include "providers/vmm/control_client.h"
#include "providers/vmm/kvm_probe.h"
#include "providers/vmm/ops.h"
#include "providers/vmm/vmm_process.h"
#include "providers/vmm/vmm_record.h"
#include "util/fs.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_TIMEOUT_MS 3000

static void describe_running(const struct vmm_machine *m, long pid, struct rove_state_report *out)
{
    char err[VMM_CONTROL_ERROR_MAX];
    char *reply = vmm_control_request(m->control_path, "{\"cmd\":\"status\"}", STATUS_TIMEOUT_MS,
                                      err, sizeof err);
    struct vmm_status st;
    if (reply && vmm_status_parse(reply, &st, err, sizeof err) == 0) {
        out->state = ROVE_STATE_RUNNING;
        snprintf(out->reason, sizeof out->reason, "%s", st.state);
    } else {
        out->state = ROVE_STATE_UNKNOWN;
        snprintf(out->reason, sizeof out->reason, "rove-vmm (pid %ld) runs but does not answer: %s",
                 pid, err);
    }
    free(reply);
}

/* `rove status` shows the reason: it is where a user learns that this host cannot boot Linux
 * on rove-vmm although the machine was created. */
static void note_missing_hardware_kvm(struct rove_state_report *out)
{
    char why[ROVE_REASON_MAX];
    enum kvm_support kvm = kvm_probe_host(why, sizeof why);
    if (kvm == KVM_HARDWARE)
        return;
    size_t len = strlen(out->reason);
    snprintf(out->reason + len, sizeof out->reason - len, "; %s",
             kvm == KVM_EMULATED ? "hardware KVM missing (/dev/kvm only emulates)"
                                 : "/dev/kvm unusable");
}

int vmm_state(const struct rove_machine_ctx *ctx, struct rove_state_report *out)
{
    memset(out, 0, sizeof *out);
    struct vmm_machine m;
    if (vmm_machine_open(ctx, &m) != 0) {
        vmm_machine_close(&m);
        return -1;
    }
    long pid = vmm_process_find(m.pid_path);
    if (pid) {
        describe_running(&m, pid, out);
    } else if (!fs_exists(m.record_path)) {
        out->state = ROVE_STATE_NOT_CREATED;
        snprintf(out->reason, sizeof out->reason, "no rove-vmm machine record");
    } else {
        out->state = ROVE_STATE_STOPPED;
        snprintf(out->reason, sizeof out->reason, "not running");
    }
    if (out->state != ROVE_STATE_NOT_CREATED)
        note_missing_hardware_kvm(out);
    vmm_machine_close(&m);
    return 0;
}

int vmm_ssh_endpoint(const struct rove_machine_ctx *ctx, struct rove_endpoint *out)
{
    memset(out, 0, sizeof *out);
    struct vmm_machine m;
    int rc = -1;
    if (vmm_machine_open(ctx, &m) == 0) {
        struct vmm_record r;
        char err[512];
        if (vmm_record_read(m.record_path, &r, err, sizeof err) == 0) {
            snprintf(out->host, sizeof out->host, "127.0.0.1");
            out->port = r.ssh_port;
            vmm_record_release(&r);
            rc = 0;
        } else if (errno == ENOENT) {
            log_error("machine %s is not created (no %s)", m.name, m.record_path);
        } else {
            log_error("machine %s: %s", m.name, err);
        }
    }
    vmm_machine_close(&m);
    return rc;
}
