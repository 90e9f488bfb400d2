/* SPDX-License-Identifier: MIT */
/* The known_hosts file of one machine: written by rove, read by rove (libssh) and by OpenSSH
 * (`rove ssh`, `rove ssh-config`). */
#ifndef ROVE_PROVISION_KNOWN_HOSTS_H
#define ROVE_PROVISION_KNOWN_HOSTS_H

#include <libssh/libssh.h>

enum known_host_match {
    KNOWN_HOST_MATCH,    /* the server's key is the recorded one */
    KNOWN_HOST_MISMATCH, /* keys are recorded and the server's key is none of them */
    KNOWN_HOST_NONE,     /* nothing recorded yet (missing or empty file) */
};

/* Writes path (mode 0600) with one entry for key ("TYPE BASE64"). The file belongs to one machine
 * and is only ever used for that machine, whose SSH endpoint (forwarded port, or another host for
 * a remote provider) may change from boot to boot: the entry's host pattern is "*", so the key,
 * not the address, identifies the machine. Returns 0 or -1 with *err set. */
int known_hosts_write(const char *path, const char *key, char **err);
/* Appends the server's key (trust on first use) in the same form. Returns 0 or -1. */
int known_hosts_record(const char *path, ssh_key server_key, char **err);
/* Compares server_key with the keys recorded in path. Returns 0 with *match set, or -1 with *err
 * set when the file exists but cannot be read or holds a malformed entry. */
int known_hosts_check(const char *path, ssh_key server_key, enum known_host_match *match,
                      char **err);
/* Host key algorithms to ask the server for, matching the first recorded key (so a server with
 * several host keys presents the one rove knows), newly allocated; NULL when nothing is recorded.
 */
char *known_hosts_algorithms(const char *path);
/* "SHA256:..." fingerprint of key, newly allocated (never NULL). */
char *known_hosts_fingerprint(ssh_key key);

#endif
