/* SPDX-License-Identifier: MIT */
#include "engine/engine.h"
#include "machine/journal.h"
#include "provision/keys.h"
#include "providers/loader.h"
#include "providers/provider_sections.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int journal_add(void *ctx, const char *kind, const char *id, const char *json_data)
{
    struct machine_runtime *rt = ctx;
    if (journal_append(rt->journal_path, kind, id, json_data, NULL) == 0)
        return 0;
    return error(RT_FMT "cannot record %s '%s' in %s: %s", rt->m->name, kind, id, rt->journal_path,
                 strerror(errno));
}

static char *json_string_or_null(struct json_object *obj, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return xstrdup(json_object_get_string(v));
}

static bool read_record(const char *path, struct machine_record *rec)
{
    struct json_object *obj = json_object_from_file(path);
    if (!obj)
        return false;
    rec->provider = json_string_or_null(obj, "provider");
    rec->box_name = json_string_or_null(obj, "box");
    rec->box_version = json_string_or_null(obj, "box_version");
    struct json_object *v;
    rec->cloud_init =
        json_object_object_get_ex(obj, "cloud_init", &v) && json_object_get_boolean(v);
    json_object_put(obj);
    return rec->provider != NULL;
}

int runtime_write_record(struct machine_runtime *rt)
{
    struct json_object *obj = json_object_new_object();
    json_add_string(obj, "name", rt->m->name);
    json_add_string(obj, "provider", rt->record.provider);
    json_add_string(obj, "box", rt->record.box_name);
    json_add_string(obj, "box_version", rt->record.box_version);
    json_object_object_add(obj, "cloud_init", json_object_new_boolean(rt->record.cloud_init));
    json_add_string(obj, "machinefile", rt->mf->path);
    const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY);
    char *path = fs_join(rt->state_dir, RUNTIME_RECORD);
    int rc = fs_write_atomic(path, text, strlen(text), 0600);
    if (rc < 0)
        log_error(RT_FMT "cannot write %s: %s", rt->m->name, path, strerror(errno));
    else
        rt->created = true;
    free(path);
    json_object_put(obj);
    return rc;
}

void runtime_init(struct machine_runtime *rt, const struct machinefile *mf, struct machine *m)
{
    memset(rt, 0, sizeof *rt);
    rt->mf = mf;
    rt->m = m;
    state_project_id(mf->dir, rt->project_id);
    rt->state_dir = state_machine_dir(mf, m->name);
    rt->journal_path = fs_join(rt->state_dir, RUNTIME_JOURNAL);
    char *record_path = fs_join(rt->state_dir, RUNTIME_RECORD);
    rt->created = read_record(record_path, &rt->record);
    free(record_path);
    char *spec_path = fs_join(rt->state_dir, SPEC_RECORD_FILE);
    rt->built_errno = spec_record_read(spec_path, &rt->built) == 0 ? 0 : errno;
    free(spec_path);
    provider_spec_from_machine(m, &rt->spec);
    rt->pctx.project_id = rt->project_id;
    rt->pctx.state_dir = rt->state_dir;
    rt->pctx.machine = &rt->spec.spec;
    rt->pctx.journal.ctx = rt;
    rt->pctx.journal.add = journal_add;
    rt->pctx.log_level = (int)log_get_level();
    rt->pctx.log = log_message;
    rt->pctx.interrupted = interrupt_requested;
}

void machine_record_clear(struct machine_record *rec)
{
    free(rec->provider);
    free(rec->box_name);
    free(rec->box_version);
    memset(rec, 0, sizeof *rec);
}

void runtime_release(struct machine_runtime *rt)
{
    machine_record_clear(&rt->record);
    spec_record_clear(&rt->built);
    provider_spec_release(&rt->spec);
    free(rt->state_dir);
    free(rt->journal_path);
    memset(rt, 0, sizeof *rt);
}

int runtime_load_provider(struct machine_runtime *rt)
{
    if (rt->provider)
        return 0;
    const char *name = rt->created ? rt->record.provider : rt->m->provider;
    const struct rove_provider *p = provider_load(name);
    if (!p)
        return error(RT_FMT "provider '%s' is not available", rt->m->name, name);
    if (provider_spec_add_options(&rt->spec, rt->m, rt->mf->dir, p) < 0)
        return -1;
    rt->provider = p;
    return 0;
}

const char *runtime_state_name(enum rove_machine_state state)
{
    switch (state) {
    case ROVE_STATE_NOT_CREATED:
        return "not created";
    case ROVE_STATE_RUNNING:
        return "running";
    case ROVE_STATE_STOPPED:
        return "stopped";
    default:
        return "unknown";
    }
}

static void set_reason(struct rove_state_report *out, enum rove_machine_state state,
                       const char *reason)
{
    out->state = state;
    snprintf(out->reason, sizeof out->reason, "%s", reason);
}

void engine_state(struct machine_runtime *rt, struct rove_state_report *out)
{
    memset(out, 0, sizeof *out);
    if (!fs_is_dir(rt->state_dir)) {
        out->state = ROVE_STATE_NOT_CREATED;
    } else if (!rt->created) {
        set_reason(out, ROVE_STATE_UNKNOWN,
                   runtime_has_leftovers(rt)
                       ? "an earlier up did not finish: 'rove up' redoes it, 'rove destroy' "
                         "removes what it left"
                       : "being created");
    } else if (runtime_load_provider(rt) < 0) {
        set_reason(out, ROVE_STATE_UNKNOWN, "its provider cannot be loaded");
    } else if (rt->provider->state(&rt->pctx, out) < 0) {
        if (!out->reason[0])
            set_reason(out, ROVE_STATE_UNKNOWN, "the provider could not tell");
        out->state = ROVE_STATE_UNKNOWN;
    }
}

bool runtime_has_leftovers(struct machine_runtime *rt)
{
    struct journal j;
    if (rt->created || journal_read(rt->journal_path, &j) < 0)
        return false;
    bool pending = journal_pending(&j) > 0;
    journal_free(&j);
    return pending;
}

int runtime_ssh_info(struct machine_runtime *rt, struct runtime_ssh *out)
{
    memset(out, 0, sizeof *out);
    if (runtime_load_provider(rt) < 0)
        return -1;
    if (rt->provider->ssh_endpoint(&rt->pctx, &out->endpoint) < 0)
        return -1;
    out->key_path = fs_join(rt->state_dir, KEYS_CLIENT_PRIVATE);
    out->known_hosts = fs_join(rt->state_dir, KEYS_KNOWN_HOSTS);
    return 0;
}

void runtime_ssh_release(struct runtime_ssh *s)
{
    free(s->key_path);
    free(s->known_hosts);
    memset(s, 0, sizeof *s);
}
