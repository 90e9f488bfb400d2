/* state and ssh_endpoint: what libvirt says about the machine's domain. */
#include "providers/libvirt/connection.h"
#include "providers/libvirt/domain_xml.h"
#include "providers/libvirt/ops.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
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

static void describe(int state, int reason, struct rove_state_report *out)
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

/* `status` says which accelerator a running machine uses: the domain type is kvm or qemu (TCG). */
static void add_accelerator(virDomainPtr dom, struct rove_state_report *out)
{
    char *xml = virDomainGetXMLDesc(dom, 0);
    if (!xml)
        return;
    const char *accel = strstr(xml, "<domain type='kvm'") ? "KVM" : "TCG, software emulation";
    size_t len = strlen(out->reason);
    snprintf(out->reason + len, sizeof out->reason - len, " (%s)", accel);
    free(xml);
}

static void report_unknown(struct rove_state_report *out, const char *what, const char *uri)
{
    out->state = ROVE_STATE_UNKNOWN;
    snprintf(out->reason, sizeof out->reason, "%s %s: %s", what, uri, lv_last_error());
}

int lv_state(const struct rove_machine_ctx *ctx, struct rove_state_report *out)
{
    memset(out, 0, sizeof *out);
    struct lv_machine m;
    if (lv_machine_open(ctx, &m) != 0) {
        lv_machine_close(&m);
        return -1;
    }
    /* An unreachable libvirt is a state to report, not a failure of `rove status`. */
    m.conn = virConnectOpen(m.opts.uri);
    if (!m.conn) {
        report_unknown(out, "cannot connect to", m.opts.uri);
        lv_machine_close(&m);
        return 0;
    }
    virDomainPtr dom = virDomainLookupByName(m.conn, m.domain_name);
    int state, reason;
    if (!dom && lv_last_error_is_missing()) {
        out->state = ROVE_STATE_NOT_CREATED;
        snprintf(out->reason, sizeof out->reason, "no domain %s", m.domain_name);
    } else if (!dom || virDomainGetState(dom, &state, &reason, 0) < 0) {
        report_unknown(out, "cannot read the domain's state at", m.opts.uri);
    } else {
        describe(state, reason, out);
        if (out->state == ROVE_STATE_RUNNING)
            add_accelerator(dom, out);
    }
    if (dom)
        virDomainFree(dom);
    lv_machine_close(&m);
    return 0;
}

int lv_domain_ssh_port(virDomainPtr dom)
{
    char *meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, ROVE_XML_NAMESPACE, 0);
    if (!meta)
        return -1;
    const char *tag = strstr(meta, "ssh-port>");
    int port = tag ? atoi(tag + strlen("ssh-port>")) : -1;
    free(meta);
    return port > 0 && port < 65536 ? port : -1;
}

int lv_ssh_endpoint(const struct rove_machine_ctx *ctx, struct rove_endpoint *out)
{
    memset(out, 0, sizeof *out);
    struct lv_machine m;
    int rc = -1;
    bool failed;
    if (lv_machine_open(ctx, &m) == 0 && lv_machine_connect(&m) == 0) {
        virDomainPtr dom = lv_machine_domain(&m, &failed);
        if (dom) {
            out->port = lv_domain_ssh_port(dom);
            if (out->port > 0) {
                snprintf(out->host, sizeof out->host, "127.0.0.1");
                rc = 0;
            } else {
                log_error("machine %s: domain %s has no rove SSH port in its metadata", m.name,
                          m.domain_name);
            }
            virDomainFree(dom);
        } else if (!failed) {
            log_error("machine %s is not created (no domain %s at %s)", m.name, m.domain_name,
                      m.opts.uri);
        }
    }
    lv_machine_close(&m);
    return rc;
}
