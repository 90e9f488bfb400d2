/* SPDX-License-Identifier: MIT */
/* state and ssh_endpoint: what libvirt says about the machine's domain. */
#include "providers/libvirt/connection.h"
#include "providers/libvirt/domain_xml.h"
#include "providers/libvirt/ops.h"
#include "providers/libvirt/state_words.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        lv_describe_state(state, reason, out);
        if (out->state == ROVE_STATE_RUNNING) {
            char *xml = virDomainGetXMLDesc(dom, 0);
            lv_describe_accelerator(xml, out);
            free(xml);
        }
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

static int endpoint_callback(struct lv_machine *m, virDomainPtr dom, void *arg)
{
    struct rove_endpoint *out = arg;
    out->port = lv_domain_ssh_port(dom);
    if (out->port <= 0)
        return error("machine %s: domain %s has no rove SSH port in its metadata", m->name,
                     m->domain_name);
    snprintf(out->host, sizeof out->host, "127.0.0.1");
    return 0;
}

int lv_ssh_endpoint(const struct rove_machine_ctx *ctx, struct rove_endpoint *out)
{
    memset(out, 0, sizeof *out);
    return lv_with_domain(ctx, false, endpoint_callback, out);
}
