/* SPDX-License-Identifier: MIT */
#include "boxes/store.h"
#include "boxes/paths.h"
#include "boxes/unpack.h"
#include "util/version.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"

bool box_name_is_valid(const char *name)
{
    if (!name || !*name || strlen(name) > 200)
        return false;
    for (const char *p = name; *p;) {
        size_t n = strspn(p, NAME_CHARS);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n;
        if (*p == '/' && p[1])
            p++;
        else if (*p)
            return false;
    }
    return true;
}

char *box_name_escape(const char *name)
{
    struct strbuf sb = STRBUF_INIT;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p && strchr(NAME_CHARS, *p) && !(p == (const unsigned char *)name && *p == '.'))
            sb_addc(&sb, (char)*p);
        else
            sb_addf(&sb, "%%%02X", *p);
    }
    return sb_detach(&sb);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

char *box_name_unescape(const char *escaped)
{
    struct strbuf sb = STRBUF_INIT;
    for (const char *p = escaped; *p; p++) {
        if (*p != '%') {
            sb_addc(&sb, *p);
            continue;
        }
        int hi = hex_value(p[1]), lo = hi >= 0 ? hex_value(p[2]) : -1;
        if (lo < 0) {
            sb_release(&sb);
            return NULL;
        }
        sb_addc(&sb, (char)(hi * 16 + lo));
        p += 2;
    }
    return sb_detach(&sb);
}

char *box_store_path(const char *name, const char *version, const char *provider)
{
    char *store = box_store_dir();
    char *escaped = box_name_escape(name);
    struct strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%s/%s", store, escaped);
    if (version)
        sb_addf(&sb, "/%s", version);
    if (version && provider)
        sb_addf(&sb, "/%s", provider);
    free(store);
    free(escaped);
    return sb_detach(&sb);
}

int box_store_lock(const char *name)
{
    char *store = box_store_dir();
    char *dir = fs_join(store, ".locks");
    char *escaped = box_name_escape(name);
    char *path = xasprintf("%s/%s.lock", dir, escaped);
    int fd = -1;
    if (fs_mkdir_p(dir, 0755) < 0 || (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
        log_error("cannot open the lock %s: %s", path, strerror(errno));
    } else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        log_info("waiting for another rove working on box %s", name);
        if (flock(fd, LOCK_EX) < 0) {
            log_error("cannot lock %s: %s", path, strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    free(path);
    free(escaped);
    free(dir);
    free(store);
    return fd;
}

void box_store_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

static uint64_t usage_total;

static int add_usage(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path;
    (void)flag;
    (void)ftw;
    usage_total += (uint64_t)st->st_blocks * 512;
    return 0;
}

uint64_t box_disk_usage(const char *path)
{
    usage_total = 0;
    nftw(path, add_usage, 16, FTW_PHYS);
    return usage_total;
}

static char *record_string(struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return xstrdup(json_object_get_string(v));
}

static long long record_int(struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
        return 0;
    return (long long)json_object_get_int64(v);
}

static void read_record(struct box_entry *e)
{
    char *path = fs_join(e->dir, BOX_RECORD_NAME);
    char *text = NULL;
    size_t len;
    if (fs_read_file(path, &text, &len) == 0) {
        struct json_object *o = json_tokener_parse(text);
        e->source = record_string(o, "source");
        e->catalog = record_string(o, "catalog");
        e->checksum = record_string(o, "checksum");
        e->sha256 = record_string(o, "sha256");
        e->file.size = (uint64_t)record_int(o, "size");
        e->file.mtime_ns = record_int(o, "mtime_ns");
        e->file.inode = (uint64_t)record_int(o, "inode");
        e->file.device = (uint64_t)record_int(o, "device");
        e->added = record_int(o, "added");
        json_object_put(o);
    }
    free(text);
    free(path);
}

int box_store_get(const char *name, const char *version, const char *provider,
                  struct box_entry *out)
{
    memset(out, 0, sizeof *out);
    char *dir = box_store_path(name, version, provider);
    if (!fs_is_dir(dir)) {
        free(dir);
        return -1;
    }
    out->name = xstrdup(name);
    out->version = xstrdup(version);
    out->provider = xstrdup(provider);
    out->dir = dir;
    out->size = box_disk_usage(dir);
    read_record(out);
    return 0;
}

/* Names of the sub-folders of path that do not start with '.', sorted. */
static char **list_dirs(const char *path, size_t *count)
{
    *count = 0;
    DIR *d = opendir(path);
    if (!d)
        return NULL;
    char **names = NULL;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char *full = fs_join(path, de->d_name);
        bool dir = fs_is_dir(full);
        free(full);
        if (!dir)
            continue;
        names = xrealloc(names, (*count + 1) * sizeof *names);
        names[(*count)++] = xstrdup(de->d_name);
    }
    closedir(d);
    return names;
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static int compare_entries(const void *a, const void *b)
{
    const struct box_entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (!c)
        c = box_version_compare(x->version, y->version);
    if (!c)
        c = strcmp(x->provider, y->provider);
    return c;
}

int box_store_list(struct box_entry **out, size_t *count)
{
    char *store = box_store_dir();
    size_t nnames, n = 0;
    char **names = list_dirs(store, &nnames);
    struct box_entry *entries = NULL;
    for (size_t i = 0; i < nnames; i++) {
        char *name = box_name_unescape(names[i]);
        char *name_dir = fs_join(store, names[i]);
        size_t nversions;
        char **versions = name ? list_dirs(name_dir, &nversions) : NULL;
        for (size_t j = 0; versions && j < nversions; j++) {
            char *version_dir = fs_join(name_dir, versions[j]);
            size_t nproviders;
            char **providers = list_dirs(version_dir, &nproviders);
            for (size_t k = 0; k < nproviders; k++) {
                entries = xrealloc(entries, (n + 1) * sizeof *entries);
                if (box_store_get(name, versions[j], providers[k], &entries[n]) == 0)
                    n++;
            }
            free_names(providers, nproviders);
            free(version_dir);
        }
        if (versions)
            free_names(versions, nversions);
        free(name_dir);
        free(name);
    }
    free_names(names, nnames);
    free(store);
    if (n)
        qsort(entries, n, sizeof *entries, compare_entries);
    *out = entries;
    *count = n;
    return 0;
}

void box_entry_free(struct box_entry *e)
{
    free(e->name);
    free(e->version);
    free(e->provider);
    free(e->dir);
    free(e->source);
    free(e->catalog);
    free(e->checksum);
    free(e->sha256);
    memset(e, 0, sizeof *e);
}

void box_entries_free(struct box_entry *entries, size_t count)
{
    for (size_t i = 0; i < count; i++)
        box_entry_free(&entries[i]);
    free(entries);
}

static char *temp_root(void)
{
    char *store = box_store_dir();
    char *tmp = fs_join(store, ".tmp");
    free(store);
    return tmp;
}

/* Temporary folders are ESCAPED@XXXXXX: '@' never occurs in an escaped name, so the leftovers of
 * "foo" are never taken for the folder of a running add of "foo.bar". */
#define TEMP_SEPARATOR '@'

/* Removes STORE/.tmp/ESCAPED@* : only killed runs leave them, as the caller holds the lock. */
static void remove_leftovers(const char *tmp, const char *escaped)
{
    DIR *d = opendir(tmp);
    if (!d)
        return;
    size_t n = strlen(escaped);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, escaped, n) || de->d_name[n] != TEMP_SEPARATOR)
            continue;
        char *path = fs_join(tmp, de->d_name);
        log_debug("removing %s, left by an interrupted rove", path);
        fs_remove_tree(path);
        free(path);
    }
    closedir(d);
}

char *box_store_make_temp(const char *name)
{
    char *tmp = temp_root();
    char *escaped = box_name_escape(name);
    char *path = NULL;
    if (fs_mkdir_p(tmp, 0755) < 0) {
        log_error("cannot create %s: %s", tmp, strerror(errno));
    } else {
        remove_leftovers(tmp, escaped);
        path = xasprintf("%s/%s%cXXXXXX", tmp, escaped, TEMP_SEPARATOR);
        if (!mkdtemp(path)) {
            log_error("cannot create a folder in %s: %s", tmp, strerror(errno));
            free(path);
            path = NULL;
        } else {
            chmod(path, 0755);
        }
    }
    free(escaped);
    free(tmp);
    return path;
}

static void fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int box_store_commit(const char *temp, const char *name, const char *version, const char *provider)
{
    char *final = box_store_path(name, version, provider);
    char *parent = fs_dirname(final);
    int rc = -1;
    if (fs_mkdir_p(parent, 0755) < 0) {
        log_error("cannot create %s: %s", parent, strerror(errno));
    } else if (rename(temp, final) == 0) {
        rc = 0;
    } else if ((errno == EEXIST || errno == ENOTEMPTY) &&
               renameat2(AT_FDCWD, temp, AT_FDCWD, final, RENAME_EXCHANGE) == 0) {
        fs_remove_tree(temp); /* now the replaced box */
        rc = 0;
    } else {
        log_error("cannot move the new box into %s: %s", final, strerror(errno));
    }
    if (rc == 0)
        fsync_path(parent);
    free(parent);
    free(final);
    return rc;
}

/* Removes dir and its parents up to (not including) stop while they are empty. */
static void remove_empty_parents(char *dir, const char *stop)
{
    while (strcmp(dir, stop) && strlen(dir) > strlen(stop) && rmdir(dir) == 0) {
        char *parent = fs_dirname(dir);
        free(dir);
        dir = parent;
    }
    free(dir);
}

int box_store_remove(const struct box_entry *e)
{
    char *tmp = temp_root();
    char *escaped = box_name_escape(e->name);
    char *trash = xasprintf("%s/%s%cremoving.XXXXXX", tmp, escaped, TEMP_SEPARATOR);
    int rc = -1;
    if (fs_mkdir_p(tmp, 0755) < 0 || !mkdtemp(trash)) {
        log_error("cannot create a folder in %s: %s", tmp, strerror(errno));
    } else if (renameat2(AT_FDCWD, e->dir, AT_FDCWD, trash, RENAME_EXCHANGE) < 0) {
        log_error("cannot remove %s: %s", e->dir, strerror(errno));
        rmdir(trash);
    } else {
        /* e->dir is now the empty folder made by mkdtemp. */
        rmdir(e->dir);
        fs_remove_tree(trash);
        char *store = box_store_dir();
        remove_empty_parents(fs_dirname(e->dir), store);
        free(store);
        rc = 0;
    }
    free(trash);
    free(escaped);
    free(tmp);
    return rc;
}
