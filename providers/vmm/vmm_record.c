/* SPDX-License-Identifier: MIT */
#include "providers/vmm/vmm_record.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_string(struct json_object *o, const char *key, const char *value)
{
    if (value)
        json_object_object_add(o, key, json_object_new_string(value));
}

int vmm_record_write(const char *path, const struct vmm_record *r)
{
    struct json_object *o = json_object_new_object();
    add_string(o, "kernel", r->kernel);
    add_string(o, "initrd", r->initrd);
    add_string(o, "cmdline", r->cmdline);
    add_string(o, "disk", r->disk);
    add_string(o, "seed", r->seed);
    json_object_object_add(o, "memory_mib", json_object_new_int64((int64_t)r->memory_mib));
    json_object_object_add(o, "cpus", json_object_new_int(r->cpus));
    json_object_object_add(o, "ssh_port", json_object_new_int(r->ssh_port));
    struct json_object *fwds = json_object_new_array();
    for (size_t i = 0; i < r->nforwards; i++) {
        struct json_object *f = json_object_new_object();
        add_string(f, "proto", r->forwards[i].proto);
        json_object_object_add(f, "host", json_object_new_int(r->forwards[i].host));
        json_object_object_add(f, "guest", json_object_new_int(r->forwards[i].guest));
        json_object_array_add(fwds, f);
    }
    json_object_object_add(o, "forwards", fwds);
    int rc = json_write_atomic(path, o, 0600);
    json_object_put(o);
    return rc;
}

static char *get_string(struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return xstrdup(json_object_get_string(v));
}

static int64_t get_int(struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
        return -1;
    return json_object_get_int64(v);
}

static int parse_forwards(struct json_object *o, struct vmm_record *r)
{
    struct json_object *arr;
    if (!json_object_object_get_ex(o, "forwards", &arr))
        return 0;
    if (!json_object_is_type(arr, json_type_array))
        return -1;
    size_t n = json_object_array_length(arr);
    r->forwards = xcalloc(n ? n : 1, sizeof *r->forwards);
    for (size_t i = 0; i < n; i++) {
        struct json_object *f = json_object_array_get_idx(arr, i);
        char *proto = get_string(f, "proto");
        int64_t host = get_int(f, "host"), guest = get_int(f, "guest");
        if (!proto || host <= 0 || host > 65535 || guest <= 0 || guest > 65535) {
            free(proto);
            return -1;
        }
        r->forwards[r->nforwards++] = (struct rove_forward){(int)host, (int)guest, proto};
    }
    return 0;
}

int vmm_record_parse(const char *text, struct vmm_record *r, char *err, size_t err_len)
{
    memset(r, 0, sizeof *r);
    struct json_object *o = json_tokener_parse(text);
    if (!o || !json_object_is_type(o, json_type_object)) {
        snprintf(err, err_len, "not a JSON object");
        json_object_put(o);
        return -1;
    }
    r->kernel = get_string(o, "kernel");
    r->initrd = get_string(o, "initrd");
    r->cmdline = get_string(o, "cmdline");
    r->disk = get_string(o, "disk");
    r->seed = get_string(o, "seed");
    int64_t memory = get_int(o, "memory_mib"), cpus = get_int(o, "cpus"),
            port = get_int(o, "ssh_port");
    int rc = 0;
    if (!r->kernel || !r->disk || memory <= 0 || cpus <= 0 || cpus > 255 || port <= 0 ||
        port > 65535) {
        snprintf(err, err_len, "kernel, disk, memory_mib, cpus or ssh_port missing or invalid");
        rc = -1;
    } else if (parse_forwards(o, r) != 0) {
        snprintf(err, err_len, "invalid forwards");
        rc = -1;
    }
    r->memory_mib = (uint64_t)memory;
    r->cpus = (int)cpus;
    r->ssh_port = (int)port;
    json_object_put(o);
    if (rc != 0)
        vmm_record_release(r);
    return rc;
}

int vmm_record_read(const char *path, struct vmm_record *r, char *err, size_t err_len)
{
    char *text = NULL;
    size_t len = 0;
    memset(r, 0, sizeof *r);
    if (fs_read_file(path, &text, &len) != 0) {
        int saved = errno;
        snprintf(err, err_len, "cannot read %s: %s", path, strerror(saved));
        errno = saved;
        return -1;
    }
    char inner[256];
    int rc = vmm_record_parse(text, r, inner, sizeof inner);
    if (rc != 0) {
        snprintf(err, err_len, "%s: %s", path, inner);
        errno = EINVAL;
    }
    free(text);
    return rc;
}

void vmm_record_release(struct vmm_record *r)
{
    free(r->kernel);
    free(r->initrd);
    free(r->cmdline);
    free(r->disk);
    free(r->seed);
    for (size_t i = 0; i < r->nforwards; i++)
        free((char *)r->forwards[i].proto);
    free(r->forwards);
    memset(r, 0, sizeof *r);
}
