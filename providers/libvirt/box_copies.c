/* SPDX-License-Identifier: MIT */
#include "providers/libvirt/box_copies.h"
#include "providers/libvirt/connection.h"
#include "providers/libvirt/ops.h"
#include "providers/libvirt/storage.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* In the box's folder: {"copies": [{"uri": ..., "pool": ..., "volume": ...}, ...]}. */
#define COPIES_FILE ".rove-libvirt-copies.json"

static struct json_object *read_record(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    const char *why;
    struct json_object *doc = NULL;
    if (fs_read_file(path, &text, &len) == 0)
        doc = json_parse_document(text, len, &why);
    free(text);
    struct json_object *copies;
    if (!doc || !json_object_object_get_ex(doc, "copies", &copies) ||
        !json_object_is_type(copies, json_type_array)) {
        json_object_put(doc);
        doc = json_object_new_object();
        json_object_object_add(doc, "copies", json_object_new_array());
    }
    return doc;
}

static struct json_object *copies_of(struct json_object *doc)
{
    struct json_object *copies = NULL;
    json_object_object_get_ex(doc, "copies", &copies);
    return copies;
}

static const char *field(struct json_object *copy, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(copy, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static bool in_pool(struct json_object *copy, const char *uri, const char *pool)
{
    const char *u = field(copy, "uri"), *p = field(copy, "pool");
    return u && p && !strcmp(u, uri) && !strcmp(p, pool);
}

static bool same_copy(struct json_object *copy, const char *uri, const char *pool,
                      const char *volume)
{
    const char *v = field(copy, "volume");
    return in_pool(copy, uri, pool) && v && !strcmp(v, volume);
}

void lv_box_copies_note(const char *box_dir, const char *uri, const char *pool, const char *volume)
{
    /* Machines of the same box may be created at once: the folder's lock orders the updates. */
    int dir_fd = open(box_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || flock(dir_fd, LOCK_EX) < 0) {
        log_warn("cannot note in %s that volume %s holds its box: 'rove box remove' will not "
                 "remove the volume",
                 box_dir, volume);
        if (dir_fd >= 0)
            close(dir_fd);
        return;
    }
    char *path = fs_join(box_dir, COPIES_FILE);
    struct json_object *doc = read_record(path), *copies = copies_of(doc);
    bool known = false;
    for (size_t i = 0; i < json_object_array_length(copies) && !known; i++)
        known = same_copy(json_object_array_get_idx(copies, i), uri, pool, volume);
    if (!known) {
        struct json_object *copy = json_object_new_object();
        json_add_string(copy, "uri", uri);
        json_add_string(copy, "pool", pool);
        json_add_string(copy, "volume", volume);
        json_object_array_add(copies, copy);
        const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
        if (fs_write_atomic(path, text, strlen(text), 0644) < 0)
            log_warn("cannot write %s: 'rove box remove' will not remove volume %s", path, volume);
    }
    json_object_put(doc);
    free(path);
    close(dir_fd);
}

/* What may name a box volume's path: each volume's backing store and each domain's definition
 * (disks, kernel, initrd), read once per pool. */
struct users {
    char **names; /* "volume NAME" or "domain NAME" */
    char **texts;
    size_t n;
};

static void users_add(struct users *u, char *name, char *text)
{
    u->names = xrealloc(u->names, (u->n + 1) * sizeof *u->names);
    u->texts = xrealloc(u->texts, (u->n + 1) * sizeof *u->texts);
    u->names[u->n] = name;
    u->texts[u->n++] = text;
}

static void users_load(virConnectPtr conn, virStoragePoolPtr pool, struct users *u)
{
    virStorageVolPtr *vols = NULL;
    int nvols = virStoragePoolListAllVolumes(pool, &vols, 0);
    for (int i = 0; i < nvols; i++) {
        char *xml = virStorageVolGetXMLDesc(vols[i], 0);
        const char *backing = xml ? strstr(xml, "<backingStore>") : NULL;
        if (backing)
            users_add(u, xasprintf("volume %s", virStorageVolGetName(vols[i])), xstrdup(backing));
        free(xml);
        virStorageVolFree(vols[i]);
    }
    free(vols);
    virDomainPtr *doms = NULL;
    int ndoms = virConnectListAllDomains(conn, &doms, 0);
    for (int i = 0; i < ndoms; i++) {
        char *xml = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
        if (xml)
            users_add(u, xasprintf("domain %s", virDomainGetName(doms[i])), xml);
        virDomainFree(doms[i]);
    }
    free(doms);
}

static void users_clear(struct users *u)
{
    for (size_t i = 0; i < u->n; i++) {
        free(u->names[i]);
        free(u->texts[i]);
    }
    free(u->names);
    free(u->texts);
}

/* Who still needs the file at path, or NULL when nothing does. */
static const char *user_of(const struct users *u, const char *path)
{
    for (size_t i = 0; i < u->n; i++)
        if (strstr(u->texts[i], path))
            return u->names[i];
    return NULL;
}

bool lv_volume_is_used(virConnectPtr conn, virStoragePoolPtr pool, const char *path)
{
    struct users users = {0};
    users_load(conn, pool, &users);
    bool used = user_of(&users, path) != NULL;
    users_clear(&users);
    return used;
}

/* Deletes one recorded volume unless something uses it. Returns 0, or -1 when it could not be
 * deleted. */
static int remove_copy(virStoragePoolPtr pool, const struct users *users, const char *volume,
                       const struct rove_box *box)
{
    virStorageVolPtr vol = virStorageVolLookupByName(pool, volume);
    if (!vol)
        return 0; /* removed already */
    char *path = virStorageVolGetPath(vol);
    const char *user = path ? user_of(users, path) : NULL;
    int rc = 0;
    if (user) {
        log_warn("keeping libvirt volume %s of box %s %s: %s uses it (delete it with 'virsh "
                 "vol-delete' once that is destroyed)",
                 volume, box->name, box->version, user);
    } else if (virStorageVolDelete(vol, 0) < 0 && !lv_last_error_is_missing()) {
        log_error("box %s %s: cannot delete libvirt volume %s: %s", box->name, box->version, volume,
                  lv_last_error());
        rc = -1;
    } else {
        lv_box_volume_marker_delete(pool, volume);
        log_info("removed libvirt volume %s", volume);
    }
    free(path);
    virStorageVolFree(vol);
    return rc;
}

/* The copies in one pool of one connection. */
static int remove_from_pool(virConnectPtr conn, const char *uri, const char *pool_name,
                            struct json_object *copies, const struct rove_box *box)
{
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, pool_name);
    if (!pool)
        return 0; /* the pool, and its volumes, are gone */
    virStoragePoolRefresh(pool, 0);
    struct users users = {0};
    users_load(conn, pool, &users);
    int rc = 0;
    for (size_t i = 0; i < json_object_array_length(copies); i++) {
        struct json_object *copy = json_object_array_get_idx(copies, i);
        const char *volume = field(copy, "volume");
        if (volume && in_pool(copy, uri, pool_name) && remove_copy(pool, &users, volume, box) < 0)
            rc = -1;
    }
    users_clear(&users);
    virStoragePoolFree(pool);
    return rc;
}

static bool pool_seen_before(struct json_object *copies, size_t i, const char *uri,
                             const char *pool)
{
    for (size_t j = 0; j < i; j++)
        if (in_pool(json_object_array_get_idx(copies, j), uri, pool))
            return true;
    return false;
}

int lv_remove_box_copies(const struct rove_box *box, int log_level)
{
    log_set_level((enum log_level)log_level);
    lv_quiet_errors();
    char *path = fs_join(box->dir, COPIES_FILE);
    struct json_object *doc = read_record(path), *copies = copies_of(doc);
    int rc = 0;
    /* Each pool once: the first copy in it leads. */
    for (size_t i = 0; i < json_object_array_length(copies); i++) {
        const char *uri = field(json_object_array_get_idx(copies, i), "uri");
        const char *pool = field(json_object_array_get_idx(copies, i), "pool");
        if (!uri || !pool || pool_seen_before(copies, i, uri, pool))
            continue;
        virConnectPtr conn = virConnectOpen(uri);
        if (!conn) {
            log_error("box %s %s: cannot reach libvirt at %s to remove its volumes there: %s",
                      box->name, box->version, uri, lv_last_error());
            rc = -1;
            continue;
        }
        if (remove_from_pool(conn, uri, pool, copies, box) < 0)
            rc = -1;
        virConnectClose(conn);
    }
    json_object_put(doc);
    free(path);
    return rc;
}
