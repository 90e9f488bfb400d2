/* SPDX-License-Identifier: MIT */
#include "provision/provision_record.h"
#include "machine/machinefile.h"
#include "provision/prov_error.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECORD_VERSION 1

/* Every field goes in with its length first, so ("ab","c") and ("a","bc") differ. */
static void digest_field(EVP_MD_CTX *md, const char *tag, const void *data, size_t len)
{
    uint64_t n = len;
    EVP_DigestUpdate(md, tag, strlen(tag) + 1);
    EVP_DigestUpdate(md, &n, sizeof(n));
    if (len)
        EVP_DigestUpdate(md, data, len);
}

static void digest_string(EVP_MD_CTX *md, const char *tag, const char *s)
{
    digest_field(md, tag, s ? s : "", s ? strlen(s) : 0);
}

static int digest_file_bytes(EVP_MD_CTX *md, const char *path, char **err)
{
    char *data = NULL;
    size_t len = 0;
    if (fs_read_file(path, &data, &len) < 0)
        return prov_fail(err, "cannot read %s: %s", path, strerror(errno));
    digest_field(md, "bytes", data, len);
    free(data);
    return 0;
}

static int digest_tree(EVP_MD_CTX *md, const char *path, const char *rel, char **err)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return prov_fail(err, "cannot read %s: %s", path, strerror(errno));
    char mode[16];
    snprintf(mode, sizeof(mode), "%o", (unsigned)st.st_mode);
    digest_string(md, "name", rel);
    digest_string(md, "mode", mode);
    if (S_ISREG(st.st_mode))
        return digest_file_bytes(md, path, err);
    if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlink(path, target, sizeof(target));
        if (n < 0)
            return prov_fail(err, "cannot read link %s: %s", path, strerror(errno));
        digest_field(md, "link", target, (size_t)n);
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return 0;
    struct dirent **names = NULL;
    int count = scandir(path, &names, NULL, alphasort);
    if (count < 0)
        return prov_fail(err, "cannot read folder %s: %s", path, strerror(errno));
    int rc = 0;
    for (int i = 0; i < count; i++) {
        const char *n = names[i]->d_name;
        if (rc == 0 && strcmp(n, ".") != 0 && strcmp(n, "..") != 0) {
            char *child = fs_join(path, n);
            char *child_rel = xasprintf("%s/%s", rel, n);
            rc = digest_tree(md, child, child_rel, err);
            free(child);
            free(child_rel);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

const char *provisioner_kind_name(const struct provisioner *p)
{
    switch (p->kind) {
    case PROVISION_SHELL:
        return "shell";
    case PROVISION_SCRIPT:
        return "script";
    case PROVISION_FILE:
        return "file";
    }
    return "unknown";
}

static int digest_provisioner(EVP_MD_CTX *md, const struct provisioner *p, char **err)
{
    digest_string(md, "kind", provisioner_kind_name(p));
    digest_string(md, "privileged", p->privileged ? "yes" : "no");
    switch (p->kind) {
    case PROVISION_SHELL:
        digest_string(md, "inline", p->inline_script);
        break;
    case PROVISION_SCRIPT:
        digest_string(md, "script", p->script);
        if (digest_file_bytes(md, p->script, err) < 0)
            return -1;
        break;
    case PROVISION_FILE:
        digest_string(md, "dest", p->dest);
        return digest_tree(md, p->src, ".", err);
    }
    for (size_t i = 0; i < p->nargs; i++)
        digest_string(md, "arg", p->args[i]);
    for (size_t i = 0; i < p->nenv; i++) {
        digest_string(md, "env", p->env[i].name);
        digest_string(md, "value", p->env[i].value);
    }
    return 0;
}

char *provisioner_digest(const struct provisioner *p, char **err)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        prov_fail(err, "cannot initialise SHA-256");
        return NULL;
    }
    char *out = NULL;
    if (digest_provisioner(md, p, err) == 0) {
        unsigned char sum[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(md, sum, &len);
        struct strbuf sb = STRBUF_INIT;
        sb_add(&sb, "sha256:");
        for (unsigned i = 0; i < len; i++)
            sb_addf(&sb, "%02x", sum[i]);
        out = sb_detach(&sb);
    }
    EVP_MD_CTX_free(md);
    return out;
}

static struct json_object *empty_record(void)
{
    struct json_object *rec = json_object_new_object();
    json_object_object_add(rec, "version", json_object_new_int(RECORD_VERSION));
    json_object_object_add(rec, "provisioners", json_object_new_object());
    return rec;
}

struct json_object *provision_record_load(const char *path, char **err)
{
    char *data = NULL;
    size_t len = 0;
    if (fs_read_file(path, &data, &len) < 0) {
        if (errno == ENOENT)
            return empty_record();
        prov_fail(err, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    struct json_object *rec = json_tokener_parse(data);
    free(data);
    struct json_object *version = NULL, *list = NULL;
    if (!rec || !json_object_is_type(rec, json_type_object) ||
        !json_object_object_get_ex(rec, "version", &version) ||
        json_object_get_int(version) != RECORD_VERSION ||
        !json_object_object_get_ex(rec, "provisioners", &list) ||
        !json_object_is_type(list, json_type_object)) {
        json_object_put(rec);
        prov_fail(err, "%s is not a provisioner record of version %d; remove it to provision again",
                  path, RECORD_VERSION);
        return NULL;
    }
    return rec;
}

static struct json_object *entries(struct json_object *rec)
{
    struct json_object *list = NULL;
    json_object_object_get_ex(rec, "provisioners", &list);
    return list;
}

bool provision_record_done(struct json_object *rec, size_t index, const char *digest)
{
    char key[32];
    snprintf(key, sizeof(key), "%zu", index);
    struct json_object *entry = NULL, *value = NULL;
    if (!json_object_object_get_ex(entries(rec), key, &entry) ||
        !json_object_object_get_ex(entry, "digest", &value))
        return false;
    const char *s = json_object_get_string(value);
    return s && strcmp(s, digest) == 0;
}

void provision_record_mark(struct json_object *rec, size_t index, const char *digest,
                           const char *kind)
{
    char key[32], when[32];
    snprintf(key, sizeof(key), "%zu", index);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct json_object *entry = json_object_new_object();
    json_object_object_add(entry, "digest", json_object_new_string(digest));
    json_object_object_add(entry, "kind", json_object_new_string(kind));
    json_object_object_add(entry, "finished", json_object_new_string(when));
    json_object_object_add(entries(rec), key, entry);
}

int provision_record_save(const char *path, struct json_object *rec, char **err)
{
    const char *text = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PRETTY);
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, text);
    sb_addc(&sb, '\n');
    int rc = fs_write_atomic(path, sb.buf, sb.len, 0600);
    int saved = errno;
    sb_release(&sb);
    if (rc < 0)
        return prov_fail(err, "cannot write %s: %s", path, strerror(saved));
    return 0;
}
