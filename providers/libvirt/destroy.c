/* SPDX-License-Identifier: MIT */
/* destroy: undoes the journal newest first, then removes whatever still carries the machine's
 * names (a journal lost or written by an older rove). Missing resources are success. The box
 * images in the pool stay: other machines share them. */
#include "providers/libvirt/connection.h"
#include "providers/libvirt/naming.h"
#include "providers/libvirt/ops.h"
#include "providers/libvirt/storage.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Connections by URI: records may name another URI than the machinefile does now. */
struct conn_cache {
    char *uri[8];
    virConnectPtr conn[8];
    size_t n;
};

static virConnectPtr cached_connect(struct conn_cache *c, const char *uri, const char *machine)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->uri[i], uri) == 0)
            return c->conn[i];
    virConnectPtr conn = lv_connect(uri, machine);
    if (conn && c->n < sizeof c->conn / sizeof c->conn[0]) {
        c->uri[c->n] = xstrdup(uri);
        c->conn[c->n++] = conn;
    }
    return conn;
}

static void cache_release(struct conn_cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        virConnectClose(c->conn[i]);
        free(c->uri[i]);
    }
    c->n = 0;
}

static int remove_domain(virConnectPtr conn, const char *name, const char *machine)
{
    virDomainPtr dom = virDomainLookupByName(conn, name);
    if (!dom)
        return lv_last_error_is_missing() ? 0 : -1;
    int rc = 0;
    if (virDomainIsActive(dom) == 1 && virDomainDestroy(dom) < 0 && virDomainIsActive(dom) == 1) {
        log_error("machine %s: cannot power off domain %s: %s", machine, name, lv_last_error());
        rc = -1;
    }
    unsigned flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                     VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA;
    if (rc == 0 && virDomainUndefineFlags(dom, flags) < 0 && !lv_last_error_is_missing()) {
        log_error("machine %s: cannot undefine domain %s: %s", machine, name, lv_last_error());
        rc = -1;
    }
    virDomainFree(dom);
    return rc;
}

/* Reads uri and pool from a record's data, falling back to the machine's current options. */
static void record_location(const struct rove_journal_record *r, const struct lv_options *opts,
                            char **uri, char **pool)
{
    struct json_object *data = r->json_data ? json_tokener_parse(r->json_data) : NULL;
    struct json_object *v;
    *uri = xstrdup(data && json_object_object_get_ex(data, "uri", &v) ? json_object_get_string(v)
                                                                      : opts->uri);
    *pool = xstrdup(data && json_object_object_get_ex(data, "pool", &v) ? json_object_get_string(v)
                                                                        : opts->pool);
    json_object_put(data);
}

static int undo_record(struct lv_machine *m, struct conn_cache *cache,
                       const struct rove_journal_record *r)
{
    bool domain = strcmp(r->kind, LV_KIND_DOMAIN) == 0;
    if (!domain && strcmp(r->kind, LV_KIND_VOLUME) != 0) {
        log_debug("machine %s: journal record of kind %s is not libvirt's", m->name, r->kind);
        return 0;
    }
    char *uri, *pool;
    record_location(r, &m->opts, &uri, &pool);
    virConnectPtr conn = cached_connect(cache, uri, m->name);
    int rc = -1;
    if (conn)
        rc = domain ? remove_domain(conn, r->id, m->name)
                    : lv_volume_delete(conn, pool, r->id, m->name);
    free(uri);
    free(pool);
    return rc;
}

/* What the machine's names point to at its current URI, whatever the journal says. */
static int remove_by_name(struct lv_machine *m, struct conn_cache *cache)
{
    virConnectPtr conn = cached_connect(cache, m->opts.uri, m->name);
    if (!conn)
        return -1;
    char *disk = lv_disk_volume_name(m->ctx->project_id, m->name);
    char *seed = lv_seed_volume_name(m->ctx->project_id, m->name);
    int rc = remove_domain(conn, m->domain_name, m->name);
    if (lv_volume_delete(conn, m->opts.pool, disk, m->name) != 0)
        rc = -1;
    if (lv_volume_delete(conn, m->opts.pool, seed, m->name) != 0)
        rc = -1;
    free(disk);
    free(seed);
    return rc;
}

/* The files this provider (and virtlogd for it) wrote into the machine's state folder. */
static void remove_state_files(const char *state_dir)
{
    static const char *const files[] = {LV_STATE_FILE, LV_CONSOLE_LOG};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = fs_join(state_dir, files[i]);
        unlink(path);
        free(path);
    }
}

int lv_destroy(const struct rove_machine_ctx *ctx, const struct rove_journal_record *records,
               size_t nrecords)
{
    struct lv_machine m;
    if (lv_machine_open(ctx, &m) != 0) {
        lv_machine_close(&m);
        return -1;
    }
    struct conn_cache cache = {0};
    int rc = 0;
    for (size_t i = nrecords; i-- > 0;)
        if (undo_record(&m, &cache, &records[i]) != 0)
            rc = -1;
    if (remove_by_name(&m, &cache) != 0)
        rc = -1;
    cache_release(&cache);
    if (rc == 0 && ctx->state_dir)
        remove_state_files(ctx->state_dir);
    lv_machine_close(&m);
    return rc;
}
