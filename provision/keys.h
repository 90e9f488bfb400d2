/* SPDX-License-Identifier: MIT */
/* SSH key pairs in a machine's state folder: the client key rove logs in with, and the host key
 * rove hands to the guest (through the cloud-init seed) so the guest's identity is known before
 * the first connection. */
#ifndef ROVE_PROVISION_KEYS_H
#define ROVE_PROVISION_KEYS_H

#include <stdbool.h>

/* File names inside a machine's state folder. */
#define KEYS_CLIENT_PRIVATE "id_ed25519"
#define KEYS_CLIENT_PUBLIC  "id_ed25519.pub"
#define KEYS_HOST_PRIVATE   "ssh_host_ed25519_key"
#define KEYS_HOST_PUBLIC    "ssh_host_ed25519_key.pub"
#define KEYS_KNOWN_HOSTS    "known_hosts"

/* Generates an ed25519 key pair unless private_path already exists: the private key in OpenSSH
 * format, mode 0600; the public key as "ssh-ed25519 BASE64 COMMENT\n", mode 0644. *created (when
 * not NULL) tells whether a new pair was written. Returns 0 or -1 with *err set. */
int keys_ensure_pair(const char *private_path, const char *public_path, const char *comment,
                     bool *created, char **err);
/* Makes sure state_dir (created 0700 if missing) holds the machine's client key pair and the host
 * key pair for the guest; existing pairs are kept. known_hosts is not written here: the host key
 * becomes the guest's only through the cloud-init seed, so seed_create_for_machine() records it;
 * a box without cloud-init has its own host key, recorded at first contact. Returns 0 or -1 with
 * *err set. */
int keys_ensure_machine(const char *state_dir, const char *machine, char **err);
/* The "TYPE BASE64" part of a public key file (comment dropped), newly allocated, or NULL with
 * *err set. */
char *keys_read_public(const char *path, char **err);

#endif
