/* SPDX-License-Identifier: MIT */
/* start and stop. */
#include "providers/libvirt/connection.h"
#include "providers/libvirt/ops.h"
#include "providers/libvirt/ports.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/monotonic.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* Replaces the first occurrence of from in *text by to; returns false when from is absent. */
static bool replace_once(char **text, const char *from, const char *to)
{
    char *at = strstr(*text, from);
    if (!at)
        return false;
    struct strbuf sb = STRBUF_INIT;
    sb_addn(&sb, *text, (size_t)(at - *text));
    sb_add(&sb, to);
    sb_add(&sb, at + strlen(from));
    free(*text);
    *text = sb_detach(&sb);
    return true;
}

/* The SSH port was free when the machine was created; days later something else may hold it.
 * Moves the forward to a port free now and redefines the domain. */
static virDomainPtr move_ssh_port(struct lv_machine *m, virDomainPtr dom)
{
    int old_port = lv_domain_ssh_port(dom);
    int new_port = lv_free_local_port();
    char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    if (old_port < 0 || new_port < 0 || !xml) {
        free(xml);
        return NULL;
    }
    char *from = xasprintf("hostfwd=tcp:127.0.0.1:%d-:22", old_port);
    char *to = xasprintf("hostfwd=tcp:127.0.0.1:%d-:22", new_port);
    char *meta_from = xasprintf("ssh-port>%d<", old_port);
    char *meta_to = xasprintf("ssh-port>%d<", new_port);
    virDomainPtr redefined = NULL;
    if (replace_once(&xml, from, to) && replace_once(&xml, meta_from, meta_to)) {
        redefined = virDomainDefineXML(m->conn, xml);
        if (redefined)
            log_info("machine %s: SSH port %d is taken now; moved to %d", m->name, old_port,
                     new_port);
    }
    free(from);
    free(to);
    free(meta_from);
    free(meta_to);
    free(xml);
    return redefined;
}

static bool failed_on_port_forward(void)
{
    return strstr(lv_last_error(), "host forwarding") != NULL;
}

static int start_domain(struct lv_machine *m, virDomainPtr dom)
{
    if (virDomainIsActive(dom) == 1)
        return 0;
    if (virDomainCreate(dom) == 0)
        return 0;
    if (failed_on_port_forward()) {
        virDomainPtr moved = move_ssh_port(m, dom);
        if (moved) {
            int rc = virDomainCreate(moved);
            virDomainFree(moved);
            if (rc == 0)
                return 0;
        }
    }
    return error("machine %s: cannot start domain %s: %s", m->name, m->domain_name,
                 lv_last_error());
}

static int start_callback(struct lv_machine *m, virDomainPtr dom, void *arg)
{
    (void)arg;
    return start_domain(m, dom);
}

int lv_start(const struct rove_machine_ctx *ctx)
{
    return lv_with_domain(ctx, false, start_callback, NULL);
}

static bool is_off(virDomainPtr dom)
{
    return virDomainIsActive(dom) == 0;
}

/* Asks the guest (ACPI power button) and waits up to timeout_seconds for it to power off, or
 * until the user interrupts rove. */
static bool shut_down_gracefully(struct lv_machine *m, virDomainPtr dom, int timeout_seconds)
{
    if (virDomainShutdown(dom) < 0) {
        log_warn("machine %s: the guest cannot be asked to shut down: %s", m->name,
                 lv_last_error());
        return is_off(dom);
    }
    double deadline = monotonic_seconds() + timeout_seconds;
    while (!is_off(dom) && monotonic_seconds() < deadline && interrupt_sleep_ms(200))
        ;
    return is_off(dom);
}

static int stop_domain(struct lv_machine *m, virDomainPtr dom, int timeout_seconds, bool force)
{
    if (is_off(dom))
        return 0;
    if (!force && shut_down_gracefully(m, dom, timeout_seconds))
        return 0;
    if (!force && interrupt_requested()) {
        /* The guest was asked to shut down and may still do so; powering it off is not what an
         * interrupted halt asked for. */
        return error("machine %s: interrupted while it shuts down", m->name);
    }
    if (!force)
        log_warn("machine %s did not shut down within %d s; powering it off", m->name,
                 timeout_seconds);
    if (virDomainDestroy(dom) < 0 && !is_off(dom))
        return error("machine %s: cannot power off domain %s: %s", m->name, m->domain_name,
                     lv_last_error());
    return 0;
}

struct stop_request {
    int timeout_seconds;
    bool force;
};

static int stop_callback(struct lv_machine *m, virDomainPtr dom, void *arg)
{
    const struct stop_request *r = arg;
    return stop_domain(m, dom, r->timeout_seconds, r->force);
}

/* A machine that was never created runs nothing: stopping it succeeds. */
int lv_stop(const struct rove_machine_ctx *ctx, int timeout_seconds, bool force)
{
    struct stop_request r = {timeout_seconds, force};
    return lv_with_domain(ctx, true, stop_callback, &r);
}
