/* SPDX-License-Identifier: MIT */
#include "provision/known_hosts.h"
#include "provision/prov_error.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_entry(struct strbuf *sb, const char *key)
{
    sb_addf(sb, "* %s\n", key);
}

int known_hosts_write(const char *path, const char *key, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    add_entry(&sb, key);
    int rc = fs_write_atomic(path, sb.buf, sb.len, 0600);
    int saved = errno;
    sb_release(&sb);
    if (rc < 0)
        return prov_fail(err, "cannot write %s: %s", path, strerror(saved));
    return 0;
}

static char *key_line_part(ssh_key key)
{
    char *b64 = NULL;
    if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK)
        return NULL;
    char *s = xasprintf("%s %s", ssh_key_type_to_char(ssh_key_type(key)), b64);
    ssh_string_free_char(b64);
    return s;
}

int known_hosts_record(const char *path, ssh_key server_key, char **err)
{
    char *key = key_line_part(server_key);
    if (!key)
        return prov_fail(err, "cannot encode the server's host key for %s", path);
    char *old = NULL;
    size_t len = 0;
    struct strbuf sb = STRBUF_INIT;
    if (fs_read_file(path, &old, &len) == 0) {
        sb_addn(&sb, old, len);
        if (len > 0 && old[len - 1] != '\n')
            sb_addc(&sb, '\n');
    }
    add_entry(&sb, key);
    int rc = fs_write_atomic(path, sb.buf, sb.len, 0600);
    int saved = errno;
    free(old);
    free(key);
    sb_release(&sb);
    if (rc < 0)
        return prov_fail(err, "cannot write %s: %s", path, strerror(saved));
    return 0;
}

/* Calls visit(type, base64, ctx) for each entry; a non-zero return stops the walk and is returned.
 * Returns -1 when the file cannot be read (ENOENT counts as empty), -2 for a malformed line. */
static int for_each_entry(const char *path, int (*visit)(const char *, const char *, void *),
                          void *ctx, int *bad_line)
{
    char *data = NULL;
    size_t len = 0;
    if (fs_read_file(path, &data, &len) < 0)
        return errno == ENOENT ? 0 : -1;
    int rc = 0, line_no = 0;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line && rc == 0;
         line = strtok_r(NULL, "\n", &save)) {
        line_no++;
        char *fields_save = NULL;
        char *patterns = strtok_r(line, " \t\r", &fields_save);
        if (!patterns || patterns[0] == '#' || patterns[0] == '@')
            continue;
        char *type = strtok_r(NULL, " \t\r", &fields_save);
        char *b64 = type ? strtok_r(NULL, " \t\r", &fields_save) : NULL;
        if (!b64) {
            *bad_line = line_no;
            rc = -2;
            break;
        }
        rc = visit(type, b64, ctx);
    }
    free(data);
    return rc;
}

struct check_ctx {
    ssh_key server_key;
    int seen;
    int bad;
};

static int check_one(const char *type, const char *b64, void *ctx_)
{
    struct check_ctx *ctx = ctx_;
    ssh_key known = NULL;
    if (ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(type), &known) != SSH_OK) {
        ctx->bad = 1;
        return -2;
    }
    ctx->seen++;
    int same = ssh_key_cmp(known, ctx->server_key, SSH_KEY_CMP_PUBLIC) == 0;
    ssh_key_free(known);
    return same ? 1 : 0;
}

int known_hosts_check(const char *path, ssh_key server_key, enum known_host_match *match,
                      char **err)
{
    struct check_ctx ctx = {server_key, 0, 0};
    int bad_line = 0;
    int rc = for_each_entry(path, check_one, &ctx, &bad_line);
    if (rc == -1)
        return prov_fail(err, "cannot read %s: %s", path, strerror(errno));
    if (rc == -2 || ctx.bad)
        return prov_fail(err, "%s: malformed known_hosts entry (expected \"HOSTS TYPE BASE64\")",
                         path);
    if (rc == 1)
        *match = KNOWN_HOST_MATCH;
    else
        *match = ctx.seen ? KNOWN_HOST_MISMATCH : KNOWN_HOST_NONE;
    return 0;
}

static int first_type(const char *type, const char *b64, void *ctx)
{
    (void)b64;
    *(char **)ctx = xstrdup(type);
    return 1;
}

char *known_hosts_algorithms(const char *path)
{
    char *type = NULL;
    int bad_line = 0;
    for_each_entry(path, first_type, &type, &bad_line);
    if (type && strcmp(type, "ssh-rsa") == 0) {
        /* An RSA key is the same key under all three signature algorithms. */
        free(type);
        return xstrdup("rsa-sha2-512,rsa-sha2-256,ssh-rsa");
    }
    return type;
}

char *known_hosts_fingerprint(ssh_key key)
{
    unsigned char *hash = NULL;
    size_t hlen = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0)
        return xstrdup("(unknown)");
    char *fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
    ssh_clean_pubkey_hash(&hash);
    char *copy = xstrdup(fp ? fp : "(unknown)");
    ssh_string_free_char(fp);
    return copy;
}
