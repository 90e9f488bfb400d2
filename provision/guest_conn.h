/* SPDX-License-Identifier: MIT */
/* An authenticated SSH connection to a guest (libssh), with the host key checked against the
 * machine's known_hosts file on every connection. */
#ifndef ROVE_PROVISION_GUEST_CONN_H
#define ROVE_PROVISION_GUEST_CONN_H

#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <stdbool.h>

struct guest_target {
    const char *machine; /* the machine's name, for messages */
    const char *host;    /* normally "127.0.0.1" */
    int port;
    const char *user;        /* normally "vagrant" */
    const char *key_path;    /* private key file ... */
    const char *key_data;    /* ... or the private key's text (used when key_path is NULL) */
    const char *known_hosts; /* the machine's known_hosts file */
    /* Record the server's key when known_hosts has none. Only for boxes without cloud-init, where
     * rove cannot tell the guest its host key in advance; otherwise an unknown key is refused. */
    bool trust_on_first_use;
    int timeout_s; /* for connecting and each network wait; 0 means 10 s */
};

enum guest_symlink_order {
    GUEST_SYMLINK_UNKNOWN = 0, /* not probed yet (provision/sftp_symlink.c) */
    GUEST_SYMLINK_AS_LIBSSH,   /* the server takes libssh's order */
    GUEST_SYMLINK_SWAPPED,     /* it takes the other one */
};

struct guest_conn {
    ssh_session session;
    sftp_session sftp; /* opened on first upload */
    char *machine;
    enum guest_symlink_order symlink_order;
};

enum guest_connect_result {
    GUEST_CONNECTED = 0,
    GUEST_UNREACHABLE,      /* TCP or SSH handshake failed: the guest may still be booting */
    GUEST_HOSTKEY_MISMATCH, /* the server is not the machine rove knows: never retried */
    GUEST_HOSTKEY_UNKNOWN,  /* nothing recorded and trust on first use not allowed */
    GUEST_AUTH_DENIED,      /* the server refused the key */
    GUEST_FAILED,           /* anything else (unreadable key, known_hosts, ...) */
};

/* Connects, verifies the host key and authenticates with the key. On GUEST_CONNECTED *out holds
 * the connection; otherwise *err says what happened, naming the machine. */
enum guest_connect_result guest_connect(const struct guest_target *t, struct guest_conn **out,
                                        char **err);
void guest_disconnect(struct guest_conn *c);
/* The SFTP session of c, opened when first needed; NULL with *err set on failure. */
sftp_session guest_sftp(struct guest_conn *c, char **err);
/* Why c's last SFTP request failed, in words ("no such file or folder"). */
const char *guest_sftp_reason(struct guest_conn *c);

#endif
