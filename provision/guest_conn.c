/* SPDX-License-Identifier: MIT */
#include "provision/guest_conn.h"
#include "provision/known_hosts.h"
#include "provision/prov_error.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

static ssh_session new_session(const struct guest_target *t)
{
    ssh_session s = ssh_new();
    if (!s)
        return NULL;
    long timeout = t->timeout_s > 0 ? t->timeout_s : 10;
    unsigned int port = (unsigned int)t->port;
    int no = 0, verbosity = SSH_LOG_NOLOG;
    ssh_options_set(s, SSH_OPTIONS_HOST, t->host);
    ssh_options_set(s, SSH_OPTIONS_PORT, &port);
    ssh_options_set(s, SSH_OPTIONS_USER, t->user);
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
    ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
    /* The user's ~/.ssh/config must not change which host, key or user rove uses. */
    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
    char *algorithms = known_hosts_algorithms(t->known_hosts);
    if (algorithms)
        ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, algorithms);
    free(algorithms);
    return s;
}

static enum guest_connect_result verify_host_key(const struct guest_target *t, ssh_session s,
                                                 char **err)
{
    ssh_key server_key = NULL;
    if (ssh_get_server_publickey(s, &server_key) != SSH_OK) {
        prov_fail(err, "machine %s: the SSH server on %s:%d sent no host key", t->machine, t->host,
                  t->port);
        return GUEST_FAILED;
    }
    enum known_host_match match;
    enum guest_connect_result rc = GUEST_FAILED;
    char *fingerprint = known_hosts_fingerprint(server_key);
    if (known_hosts_check(t->known_hosts, server_key, &match, err) < 0)
        goto out;
    switch (match) {
    case KNOWN_HOST_MATCH:
        rc = GUEST_CONNECTED;
        break;
    case KNOWN_HOST_MISMATCH:
        prov_fail(err,
                  "machine %s: host key verification failed: the SSH server on %s:%d presented "
                  "key %s, which is not the key recorded in %s; refusing to connect (another "
                  "machine or program may be answering on that port)",
                  t->machine, t->host, t->port, fingerprint, t->known_hosts);
        rc = GUEST_HOSTKEY_MISMATCH;
        break;
    case KNOWN_HOST_NONE:
        if (!t->trust_on_first_use) {
            prov_fail(err,
                      "machine %s: no host key recorded in %s; refusing to connect to %s:%d "
                      "(key %s) without one",
                      t->machine, t->known_hosts, t->host, t->port, fingerprint);
            rc = GUEST_HOSTKEY_UNKNOWN;
            break;
        }
        if (known_hosts_record(t->known_hosts, server_key, err) == 0)
            rc = GUEST_CONNECTED;
        break;
    }
out:
    free(fingerprint);
    ssh_key_free(server_key);
    return rc;
}

static enum guest_connect_result authenticate(const struct guest_target *t, ssh_session s,
                                              char **err)
{
    ssh_key key = NULL;
    int rc = t->key_path ? ssh_pki_import_privkey_file(t->key_path, NULL, NULL, NULL, &key)
                         : ssh_pki_import_privkey_base64(t->key_data, NULL, NULL, NULL, &key);
    if (rc != SSH_OK) {
        prov_fail(err, "machine %s: cannot load the private key %s", t->machine,
                  t->key_path ? t->key_path : "(built in)");
        return GUEST_FAILED;
    }
    rc = ssh_userauth_publickey(s, NULL, key);
    ssh_key_free(key);
    if (rc == SSH_AUTH_SUCCESS)
        return GUEST_CONNECTED;
    if (rc == SSH_AUTH_ERROR) {
        prov_fail(err, "machine %s: authentication as %s on %s:%d failed: %s", t->machine, t->user,
                  t->host, t->port, ssh_get_error(s));
        return GUEST_UNREACHABLE;
    }
    prov_fail(err, "machine %s: the SSH server on %s:%d refused key %s for user %s", t->machine,
              t->host, t->port, t->key_path ? t->key_path : "(built in)", t->user);
    return GUEST_AUTH_DENIED;
}

enum guest_connect_result guest_connect(const struct guest_target *t, struct guest_conn **out,
                                        char **err)
{
    *out = NULL;
    ssh_session s = new_session(t);
    if (!s) {
        prov_fail(err, "machine %s: cannot create an SSH session", t->machine);
        return GUEST_FAILED;
    }
    if (ssh_connect(s) != SSH_OK) {
        prov_fail(err, "machine %s: cannot connect to SSH on %s:%d: %s", t->machine, t->host,
                  t->port, ssh_get_error(s));
        ssh_free(s);
        return GUEST_UNREACHABLE;
    }
    enum guest_connect_result rc = verify_host_key(t, s, err);
    if (rc == GUEST_CONNECTED)
        rc = authenticate(t, s, err);
    if (rc != GUEST_CONNECTED) {
        ssh_disconnect(s);
        ssh_free(s);
        return rc;
    }
    struct guest_conn *c = xcalloc(1, sizeof(*c));
    c->session = s;
    c->machine = xstrdup(t->machine);
    *out = c;
    return GUEST_CONNECTED;
}

void guest_disconnect(struct guest_conn *c)
{
    if (!c)
        return;
    if (c->sftp)
        sftp_free(c->sftp);
    ssh_disconnect(c->session);
    ssh_free(c->session);
    free(c->machine);
    free(c);
}

sftp_session guest_sftp(struct guest_conn *c, char **err)
{
    if (c->sftp)
        return c->sftp;
    sftp_session sftp = sftp_new(c->session);
    if (!sftp) {
        prov_fail(err, "machine %s: cannot open an SFTP channel: %s", c->machine,
                  ssh_get_error(c->session));
        return NULL;
    }
    if (sftp_init(sftp) != SSH_OK) {
        prov_fail(err, "machine %s: the SFTP subsystem is not available: %s", c->machine,
                  ssh_get_error(c->session));
        sftp_free(sftp);
        return NULL;
    }
    c->sftp = sftp;
    return sftp;
}

const char *guest_sftp_reason(struct guest_conn *c)
{
    switch (sftp_get_error(c->sftp)) {
    case SSH_FX_NO_SUCH_FILE:
        return "no such file or folder";
    case SSH_FX_PERMISSION_DENIED:
        return "permission denied";
    case SSH_FX_FILE_ALREADY_EXISTS:
        return "already exists";
    case SSH_FX_OP_UNSUPPORTED:
        return "not supported by the server";
    default:
        return ssh_get_error(c->session);
    }
}
