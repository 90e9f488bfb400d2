/* SPDX-License-Identifier: MIT */
/* The OpenSSH client configuration of a machine: printed by `rove ssh-config`, and written to a
 * file for `rove ssh`, which execs `ssh -F FILE NAME`. */
#ifndef ROVE_PROVISION_SSH_CLIENT_CONFIG_H
#define ROVE_PROVISION_SSH_CLIENT_CONFIG_H

struct ssh_client_config {
    const char *name; /* Host alias: the machine's name */
    const char *host; /* HostName; normally "127.0.0.1" */
    int port;
    const char *user;        /* normally "vagrant" */
    const char *identity;    /* private key file */
    const char *known_hosts; /* the machine's known_hosts file */
};

/* The "Host NAME" block, newly allocated; NULL with *err set when a path cannot be written in
 * ssh_config syntax (it contains a double quote or a newline). */
char *ssh_client_config_text(const struct ssh_client_config *cfg, char **err);
/* Writes that block to path (mode 0600). Returns 0 or -1 with *err set. */
int ssh_client_config_write(const char *path, const struct ssh_client_config *cfg, char **err);

#endif
