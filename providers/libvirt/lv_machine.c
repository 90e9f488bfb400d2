/* SPDX-License-Identifier: MIT */
#include "providers/libvirt/lv_machine.h"
#include "providers/libvirt/connection.h"
#include "providers/libvirt/naming.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

int lv_machine_open(const struct rove_machine_ctx *ctx, struct lv_machine *m)
{
    memset(m, 0, sizeof *m);
    log_set_level((enum log_level)ctx->log_level);
    log_set_sink(ctx->log);
    interrupt_follow(ctx->interrupted);
    lv_quiet_errors();
    if (!ctx->machine || !ctx->machine->name || !ctx->project_id)
        return error("libvirt provider: rove passed no machine or project id");
    m->ctx = ctx;
    m->name = ctx->machine->name;
    if (lv_options_parse(ctx->machine, &m->opts) != 0)
        return -1;
    m->domain_name = lv_domain_name(ctx->project_id, m->name);
    return 0;
}

int lv_machine_connect(struct lv_machine *m)
{
    if (!m->conn)
        m->conn = lv_connect(m->opts.uri, m->name);
    return m->conn ? 0 : -1;
}

void lv_machine_close(struct lv_machine *m)
{
    if (m->conn)
        virConnectClose(m->conn);
    lv_options_release(&m->opts);
    free(m->domain_name);
    memset(m, 0, sizeof *m);
}

virDomainPtr lv_machine_domain(struct lv_machine *m, bool *failed)
{
    *failed = false;
    virDomainPtr dom = virDomainLookupByName(m->conn, m->domain_name);
    if (!dom && !lv_last_error_is_missing()) {
        log_error("machine %s: cannot look up domain %s at %s: %s", m->name, m->domain_name,
                  m->opts.uri, lv_last_error());
        *failed = true;
    }
    return dom;
}

int lv_journal(struct lv_machine *m, const char *kind, const char *id)
{
    if (!m->ctx->journal.add)
        return error("machine %s: rove passed no journal; refusing to create %s", m->name, id);
    struct json_object *data = json_object_new_object();
    json_object_object_add(data, "uri", json_object_new_string(m->opts.uri));
    json_object_object_add(data, "pool", json_object_new_string(m->opts.pool));
    int rc =
        m->ctx->journal.add(m->ctx->journal.ctx, kind, id,
                            json_object_to_json_string_ext(
                                data, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(data);
    if (rc != 0)
        log_error("machine %s: cannot record %s %s in the journal; not creating it", m->name, kind,
                  id);
    return rc == 0 ? 0 : -1;
}

int lv_with_domain(const struct rove_machine_ctx *ctx, bool missing_ok, lv_domain_fn fn, void *arg)
{
    struct lv_machine m;
    int rc = -1;
    bool failed;
    if (lv_machine_open(ctx, &m) == 0 && lv_machine_connect(&m) == 0) {
        virDomainPtr dom = lv_machine_domain(&m, &failed);
        if (dom) {
            rc = fn(&m, dom, arg);
            virDomainFree(dom);
        } else if (!failed && missing_ok) {
            rc = 0;
        } else if (!failed) {
            log_error("machine %s is not created (no domain %s at %s)", m.name, m.domain_name,
                      m.opts.uri);
        }
    }
    lv_machine_close(&m);
    return rc;
}
