/* SPDX-License-Identifier: MIT */
#include "provision/seed.h"
#include "provision/keys.h"
#include "provision/known_hosts.h"
#include "provision/prov_error.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A YAML double-quoted scalar: safe for any text rove puts into user-data. */
static void yaml_quote(struct strbuf *sb, const char *s)
{
    sb_addc(sb, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            sb_addf(sb, "\\%c", c);
        else if (c == '\n')
            sb_add(sb, "\\n");
        else if (c < 0x20)
            sb_addf(sb, "\\x%02x", c);
        else
            sb_addc(sb, (char)c);
    }
    sb_addc(sb, '"');
}

/* A YAML literal block ("|") indented by indent spaces; the key text keeps its exact lines. */
static void yaml_block(struct strbuf *sb, const char *text, int indent)
{
    sb_add(sb, "|\n");
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        sb_addf(sb, "%*s", indent, "");
        sb_addn(sb, line, len);
        sb_addc(sb, '\n');
        line += len + (end ? 1 : 0);
    }
}

char *seed_meta_data(const struct seed_config *cfg)
{
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, "instance-id: ");
    yaml_quote(&sb, cfg->instance_id);
    sb_add(&sb, "\nlocal-hostname: ");
    yaml_quote(&sb, cfg->hostname);
    sb_addc(&sb, '\n');
    return sb_detach(&sb);
}

char *seed_user_data(const struct seed_config *cfg)
{
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, "#cloud-config\n");
    sb_add(&sb, "hostname: ");
    yaml_quote(&sb, cfg->hostname);
    sb_add(&sb, "\npreserve_hostname: false\n");
    /* cloud-init's locale module fails on minimal images unless the locale is C.UTF-8. */
    sb_add(&sb, "locale: C.UTF-8\n");
    sb_add(&sb, "disable_root: true\n");
    sb_add(&sb, "ssh_pwauth: false\n");
    /* Only rove's host key: no key generation at first boot (an RSA key alone costs about 10 s
     * under emulation), and the box's own host keys are removed. */
    sb_add(&sb, "ssh_deletekeys: true\n");
    sb_add(&sb, "ssh_genkeytypes: []\n");
    sb_add(&sb, "ssh_keys:\n  ed25519_private: ");
    yaml_block(&sb, cfg->host_private_key, 4);
    sb_add(&sb, "  ed25519_public: ");
    yaml_quote(&sb, cfg->host_public_key);
    sb_add(&sb, "\nusers:\n  - name: ");
    yaml_quote(&sb, cfg->user);
    sb_add(&sb, "\n    shell: /bin/bash\n");
    sb_add(&sb, "    lock_passwd: true\n");
    sb_add(&sb, "    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n");
    sb_add(&sb, "    ssh_authorized_keys:\n      - ");
    yaml_quote(&sb, cfg->authorized_key);
    sb_addc(&sb, '\n');
    return sb_detach(&sb);
}

static int add_file(struct archive *a, const char *name, const char *data)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0600);
    archive_entry_set_size(e, (la_int64_t)strlen(data));
    archive_entry_set_mtime(e, time(NULL), 0);
    int rc = archive_write_header(a, e);
    archive_entry_free(e);
    if (rc != ARCHIVE_OK)
        return -1;
    size_t len = strlen(data);
    return archive_write_data(a, data, len) == (la_ssize_t)len ? 0 : -1;
}

int seed_write_iso(const char *path, const struct seed_config *cfg, char **err)
{
    char *tmp = xasprintf("%s.tmp", path);
    char *meta = seed_meta_data(cfg);
    char *user = seed_user_data(cfg);
    struct archive *a = archive_write_new();
    int rc = -1;
    if (archive_write_set_format_iso9660(a) != ARCHIVE_OK ||
        archive_write_set_options(a, "iso9660:volume-id=" SEED_VOLUME_ID
                                     ",iso9660:rockridge,iso9660:joliet") != ARCHIVE_OK) {
        prov_fail(err, "cannot set up the ISO9660 writer for %s: %s", path,
                  archive_error_string(a));
        goto out;
    }
    /* Created 0600 before anything is written: the image holds the guest's private host key. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        prov_fail(err, "cannot create %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (archive_write_open_fd(a, fd) != ARCHIVE_OK || add_file(a, "meta-data", meta) < 0 ||
        add_file(a, "user-data", user) < 0 || archive_write_close(a) != ARCHIVE_OK) {
        prov_fail(err, "cannot write the cloud-init seed %s: %s", path, archive_error_string(a));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        prov_fail(err, "cannot write the cloud-init seed %s: %s", path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    archive_write_free(a);
    free(tmp);
    free(meta);
    free(user);
    return rc;
}

/* A stable instance id per host key: a new key pair (a recreated machine) is a new instance. */
static char *instance_id_for(const char *machine, const char *host_public_key)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    EVP_Digest(host_public_key, strlen(host_public_key), digest, &dlen, EVP_sha256(), NULL);
    struct strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "rove-%s-", machine);
    for (unsigned i = 0; i < 8 && i < dlen; i++)
        sb_addf(&sb, "%02x", digest[i]);
    return sb_detach(&sb);
}

static bool hostname_is_valid(const char *s)
{
    if (!*s || strlen(s) > 253)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return false;
    }
    return true;
}

int seed_create_for_machine(const char *state_dir, const char *machine, const char *hostname,
                            char **err)
{
    if (!hostname_is_valid(hostname))
        return prov_fail(err, "machine %s: invalid hostname \"%s\" (letters, digits, '-', '.')",
                         machine, hostname);
    char *client_pub_path = fs_join(state_dir, KEYS_CLIENT_PUBLIC);
    char *host_priv_path = fs_join(state_dir, KEYS_HOST_PRIVATE);
    char *host_pub_path = fs_join(state_dir, KEYS_HOST_PUBLIC);
    char *iso_path = fs_join(state_dir, SEED_ISO_NAME);
    char *client_pub = keys_read_public(client_pub_path, err);
    char *host_pub = client_pub ? keys_read_public(host_pub_path, err) : NULL;
    char *host_priv = NULL, *instance_id = NULL;
    size_t len = 0;
    int rc = -1;
    if (!host_pub)
        goto out;
    if (fs_read_file(host_priv_path, &host_priv, &len) < 0) {
        prov_fail(err, "cannot read %s: %s", host_priv_path, strerror(errno));
        goto out;
    }
    instance_id = instance_id_for(machine, host_pub);
    struct seed_config cfg = {
        .instance_id = instance_id,
        .hostname = hostname,
        .user = SEED_USER,
        .authorized_key = client_pub,
        .host_private_key = host_priv,
        .host_public_key = host_pub,
    };
    char *known = fs_join(state_dir, KEYS_KNOWN_HOSTS);
    rc = seed_write_iso(iso_path, &cfg, err);
    if (rc == 0)
        rc = known_hosts_write(known, host_pub, err);
    free(known);
out:
    free(client_pub_path);
    free(host_priv_path);
    free(host_pub_path);
    free(iso_path);
    free(client_pub);
    free(host_pub);
    free(host_priv);
    free(instance_id);
    return rc;
}
