/* SPDX-License-Identifier: MIT */
#include "boxes/metadata.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int box_path_is_inside(const char *path)
{
    if (!path || !*path || path[0] == '/')
        return 0;
    const char *p = path;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p += n;
        if (*p == '/')
            p++;
    }
    return 1;
}

static int fail(char **err, char *message)
{
    *err = message;
    return -1;
}

/* Reads an optional string key; a present key of another type is an error. */
static int optional_string(struct json_object *root, const char *key, char **out, char **err)
{
    struct json_object *v;
    *out = NULL;
    if (!json_object_object_get_ex(root, key, &v) || json_object_is_type(v, json_type_null))
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return fail(err, xasprintf("metadata.json: '%s' must be a string", key));
    *out = xstrdup(json_object_get_string(v));
    return 0;
}

/* Reads an optional boolean key (absent: false); a present key of another type is an error. */
static int optional_bool(struct json_object *root, const char *key, bool *out, char **err)
{
    struct json_object *v;
    *out = false;
    if (!json_object_object_get_ex(root, key, &v) || json_object_is_type(v, json_type_null))
        return 0;
    if (!json_object_is_type(v, json_type_boolean))
        return fail(err, xasprintf("metadata.json: '%s' must be true or false", key));
    *out = json_object_get_boolean(v);
    return 0;
}

bool box_provider_accepts(const char *wanted, const char *box_provider)
{
    return !strcmp(wanted, box_provider) ||
           (!strcmp(wanted, "vmm") && !strcmp(box_provider, "libvirt"));
}

static int valid_provider(const char *p)
{
    if (!*p || strlen(p) > 64)
        return 0;
    return p[strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_-")] == '\0';
}

/* virtual_size is a number of GB (integer or fraction; some boxes write it as a string). */
static int parse_virtual_size(struct json_object *root, uint64_t *out, char **err)
{
    struct json_object *v;
    *out = 0;
    if (!json_object_object_get_ex(root, "virtual_size", &v) ||
        json_object_is_type(v, json_type_null))
        return 0;
    double gb;
    if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
        gb = json_object_get_double(v);
    } else if (json_object_is_type(v, json_type_string)) {
        char *end;
        gb = strtod(json_object_get_string(v), &end);
        if (*end || end == json_object_get_string(v))
            return fail(err, xstrdup("metadata.json: 'virtual_size' is not a number"));
    } else {
        return fail(err, xstrdup("metadata.json: 'virtual_size' must be a number of GB"));
    }
    if (!isfinite(gb) || gb <= 0 || gb > 1024 * 1024)
        return fail(err, xstrdup("metadata.json: 'virtual_size' must be between 0 and 1048576 GB"));
    *out = (uint64_t)(gb * 1024 * 1024 * 1024);
    return 0;
}

/* "disks": a list of {"path": P, "format": F, ...} objects, each path inside the box. */
static int parse_disks(struct json_object *root, struct box_metadata *out, char **err)
{
    struct json_object *list;
    if (!json_object_object_get_ex(root, "disks", &list) ||
        json_object_is_type(list, json_type_null))
        return 0;
    size_t n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
    if (n == 0 || n > BOX_METADATA_MAX_DISKS)
        return fail(err, xasprintf("metadata.json: 'disks' must be a list of 1 to %d disks "
                                   "({\"path\": \"box.img\"})",
                                   BOX_METADATA_MAX_DISKS));
    out->disks = xcalloc(n, sizeof *out->disks);
    for (size_t i = 0; i < n; i++) {
        struct json_object *disk = json_object_array_get_idx(list, i), *path, *format;
        if (!json_object_is_type(disk, json_type_object) ||
            !json_object_object_get_ex(disk, "path", &path) ||
            !json_object_is_type(path, json_type_string) ||
            !box_path_is_inside(json_object_get_string(path)))
            return fail(err,
                        xasprintf("metadata.json: disks[%zu] needs a 'path' inside the box", i));
        if (json_object_object_get_ex(disk, "format", &format) &&
            !json_object_is_type(format, json_type_string))
            return fail(err, xasprintf("metadata.json: disks[%zu]: 'format' must be a string", i));
        out->disks[out->ndisks++] = xstrdup(json_object_get_string(path));
    }
    return 0;
}

static int parse_firmware(struct json_object *root, struct box_metadata *out, char **err)
{
    if (optional_string(root, "firmware", &out->firmware, err) < 0)
        return -1;
    if (out->firmware && strcmp(out->firmware, "bios") && strcmp(out->firmware, "efi"))
        return fail(err, xasprintf("metadata.json: 'firmware' must be \"bios\" or \"efi\", not "
                                   "'%s'",
                                   out->firmware));
    return 0;
}

static int parse_fields(struct json_object *root, struct box_metadata *out, char **err)
{
    struct json_object *v;
    if (!json_object_object_get_ex(root, "provider", &v))
        return fail(err, xstrdup("metadata.json has no 'provider'"));
    if (!json_object_is_type(v, json_type_string) || !valid_provider(json_object_get_string(v)))
        return fail(err, xstrdup("metadata.json: 'provider' must be a provider name such as "
                                 "\"libvirt\""));
    out->provider = xstrdup(json_object_get_string(v));
    if (optional_string(root, "format", &out->format, err) < 0 ||
        optional_string(root, "kernel", &out->kernel, err) < 0 ||
        optional_string(root, "initrd", &out->initrd, err) < 0 ||
        optional_string(root, "cmdline", &out->cmdline, err) < 0 ||
        optional_bool(root, "cloud_init", &out->cloud_init, err) < 0 ||
        parse_virtual_size(root, &out->virtual_size, err) < 0 || parse_disks(root, out, err) < 0 ||
        parse_firmware(root, out, err) < 0)
        return -1;
    if (out->kernel && !box_path_is_inside(out->kernel))
        return fail(err, xasprintf("metadata.json: 'kernel' (%s) must be a path inside the box",
                                   out->kernel));
    if (out->initrd && !box_path_is_inside(out->initrd))
        return fail(err, xasprintf("metadata.json: 'initrd' (%s) must be a path inside the box",
                                   out->initrd));
    if (out->initrd && !out->kernel)
        return fail(err, xstrdup("metadata.json: 'initrd' needs 'kernel'"));
    return 0;
}

int box_metadata_parse(const char *text, size_t len, struct box_metadata *out, char **err)
{
    memset(out, 0, sizeof *out);
    *err = NULL;
    if (len > BOX_METADATA_MAX_SIZE)
        return fail(err, xstrdup("metadata.json is larger than 1 MiB"));
    const char *why;
    struct json_object *root = json_parse_document(text, len, &why);
    if (!root)
        return fail(err, xasprintf("metadata.json is not valid JSON (%s)", why));
    int rc = -1;
    if (!json_object_is_type(root, json_type_object))
        fail(err, xstrdup("metadata.json must hold a JSON object"));
    else
        rc = parse_fields(root, out, err);
    json_object_put(root);
    if (rc < 0)
        box_metadata_free(out);
    return rc;
}

void box_metadata_free(struct box_metadata *meta)
{
    free(meta->provider);
    free(meta->format);
    free(meta->kernel);
    free(meta->initrd);
    free(meta->cmdline);
    for (size_t i = 0; i < meta->ndisks; i++)
        free(meta->disks[i]);
    free(meta->disks);
    free(meta->firmware);
    memset(meta, 0, sizeof *meta);
}
