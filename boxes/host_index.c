/* SPDX-License-Identifier: MIT */
#include "boxes/host_index.h"
#include "boxes/metadata.h"
#include "boxes/paths.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *member(struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return xstrdup(json_object_get_string(v));
}

int host_index_parse(const char *text, size_t len, struct host_index *out, char **err)
{
    memset(out, 0, sizeof *out);
    const char *why;
    struct json_object *root = json_parse_document(text, len, &why);
    struct json_object *machines;
    if (!root || !json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "machines", &machines) ||
        !json_object_is_type(machines, json_type_array)) {
        json_object_put(root);
        *err = xstrdup("expected a JSON object with a \"machines\" array");
        return -1;
    }
    size_t n = json_object_array_length(machines);
    out->machines = xcalloc(n, sizeof *out->machines);
    for (size_t i = 0; i < n; i++) {
        struct json_object *m = json_object_array_get_idx(machines, i);
        if (!m || !json_object_is_type(m, json_type_object))
            continue;
        struct host_machine *hm = &out->machines[out->count++];
        hm->project = member(m, "project");
        hm->name = member(m, "name");
        hm->box = member(m, "box");
        hm->box_version = member(m, "box_version");
        hm->provider = member(m, "provider");
        hm->state_dir = member(m, "state_dir");
    }
    json_object_put(root);
    return 0;
}

int host_index_load(const char *path, struct host_index *out, char **err)
{
    char *own = path ? NULL : rove_host_index_path();
    const char *file = path ? path : own;
    char *text = NULL;
    size_t len;
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (fs_read_file(file, &text, &len) < 0) {
        if (errno != ENOENT) {
            *err = xasprintf("cannot read %s: %s", file, strerror(errno));
            rc = -1;
        }
    } else if (host_index_parse(text, len, out, err) < 0) {
        char *inner = *err;
        *err = xasprintf("%s: %s", file, inner);
        free(inner);
        rc = -1;
    }
    free(text);
    free(own);
    return rc;
}

void host_index_free(struct host_index *idx)
{
    for (size_t i = 0; i < idx->count; i++) {
        struct host_machine *m = &idx->machines[i];
        free(m->project);
        free(m->name);
        free(m->box);
        free(m->box_version);
        free(m->provider);
        free(m->state_dir);
    }
    free(idx->machines);
    memset(idx, 0, sizeof *idx);
}

const struct host_machine *host_index_find_user(const struct host_index *idx, const char *box,
                                                const char *version, const char *provider)
{
    for (size_t i = 0; i < idx->count; i++) {
        const struct host_machine *m = &idx->machines[i];
        if (!m->box || strcmp(m->box, box))
            continue;
        if (m->box_version && version && strcmp(m->box_version, version))
            continue;
        if (m->provider && provider && !box_provider_accepts(m->provider, provider))
            continue; /* a vmm machine runs a libvirt box */
        if (m->state_dir && !fs_is_dir(m->state_dir))
            continue; /* stale: the project is gone */
        return m;
    }
    return NULL;
}
