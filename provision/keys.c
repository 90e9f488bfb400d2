/* SPDX-License-Identifier: MIT */
#include "provision/keys.h"
#include "provision/prov_error.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <errno.h>
#include <libssh/libssh.h>
#include <stdlib.h>
#include <string.h>

static int write_public_key(ssh_key key, const char *path, const char *comment, char **err)
{
    char *b64 = NULL;
    if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK)
        return prov_fail(err, "cannot encode the public key for %s", path);
    char *line = xasprintf("%s %s %s\n", ssh_key_type_to_char(ssh_key_type(key)), b64, comment);
    int rc = fs_write_atomic(path, line, strlen(line), 0644);
    int saved = errno;
    ssh_string_free_char(b64);
    free(line);
    if (rc < 0)
        return prov_fail(err, "cannot write %s: %s", path, strerror(saved));
    return 0;
}

int keys_ensure_pair(const char *private_path, const char *public_path, const char *comment,
                     bool *created, char **err)
{
    if (created)
        *created = false;
    if (fs_exists(private_path) && fs_exists(public_path))
        return 0;
    ssh_key key = NULL;
    if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK)
        return prov_fail(err, "cannot generate an ed25519 key for %s", private_path);
    /* Exported to memory and written by us, not ssh_pki_export_privkey_file(): that one creates
     * the file with the process umask, and a private key must never be readable by others. */
    char *pem = NULL;
    int rc = -1;
    if (ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &pem) != SSH_OK) {
        prov_fail(err, "cannot encode the private key for %s", private_path);
        goto out;
    }
    if (fs_write_atomic(private_path, pem, strlen(pem), 0600) < 0) {
        prov_fail(err, "cannot write %s: %s", private_path, strerror(errno));
        goto out;
    }
    if (write_public_key(key, public_path, comment, err) < 0)
        goto out;
    if (created)
        *created = true;
    rc = 0;
out:
    ssh_string_free_char(pem);
    ssh_key_free(key);
    return rc;
}

int keys_ensure_machine(const char *state_dir, const char *machine, char **err)
{
    if (fs_mkdir_p(state_dir, 0700) < 0)
        return prov_fail(err, "cannot create %s: %s", state_dir, strerror(errno));
    char *priv = fs_join(state_dir, KEYS_CLIENT_PRIVATE);
    char *pub = fs_join(state_dir, KEYS_CLIENT_PUBLIC);
    char *host_priv = fs_join(state_dir, KEYS_HOST_PRIVATE);
    char *host_pub = fs_join(state_dir, KEYS_HOST_PUBLIC);
    char *client_comment = xasprintf("rove@%s", machine);
    char *host_comment = xasprintf("root@%s", machine);
    int rc = -1;
    if (keys_ensure_pair(priv, pub, client_comment, NULL, err) == 0 &&
        keys_ensure_pair(host_priv, host_pub, host_comment, NULL, err) == 0)
        rc = 0;
    free(priv);
    free(pub);
    free(host_priv);
    free(host_pub);
    free(client_comment);
    free(host_comment);
    return rc;
}

char *keys_read_public(const char *path, char **err)
{
    char *data = NULL;
    size_t len = 0;
    if (fs_read_file(path, &data, &len) < 0) {
        prov_fail(err, "cannot read public key %s: %s", path, strerror(errno));
        return NULL;
    }
    char *type = strtok(data, " \t\r\n");
    char *b64 = type ? strtok(NULL, " \t\r\n") : NULL;
    if (!b64) {
        free(data);
        prov_fail(err, "%s is not an OpenSSH public key (expected \"TYPE BASE64 [COMMENT]\")",
                  path);
        return NULL;
    }
    char *key = xasprintf("%s %s", type, b64);
    free(data);
    return key;
}
