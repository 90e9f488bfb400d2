/* SPDX-License-Identifier: MIT */
/* The cloud-init NoCloud seed: an ISO9660 image labelled "cidata" holding meta-data and
 * user-data. It creates the login user with the machine's public key and installs the host key
 * rove generated, so rove knows the guest's host key before the first connection. */
#ifndef ROVE_PROVISION_SEED_H
#define ROVE_PROVISION_SEED_H

#define SEED_ISO_NAME  "seed.iso"
#define SEED_VOLUME_ID "cidata"
#define SEED_USER      "vagrant"

struct seed_config {
    const char *instance_id;      /* changes when the seed's content should be applied again */
    const char *hostname;         /* [A-Za-z0-9.-] */
    const char *user;             /* login user, normally SEED_USER */
    const char *authorized_key;   /* "ssh-ed25519 BASE64 [COMMENT]" */
    const char *host_private_key; /* OpenSSH private key text (ed25519) */
    const char *host_public_key;  /* "ssh-ed25519 BASE64 [COMMENT]" */
};

/* The meta-data document, newly allocated. */
char *seed_meta_data(const struct seed_config *cfg);
/* The user-data document ("#cloud-config" YAML), newly allocated. */
char *seed_user_data(const struct seed_config *cfg);
/* Writes the ISO9660 image (Rock Ridge and Joliet, volume id cidata) to path, mode 0600 since it
 * carries the host's private key. Returns 0 or -1 with *err set. */
int seed_write_iso(const char *path, const struct seed_config *cfg, char **err);
/* Builds the seed for a machine from the keys in state_dir (see keys_ensure_machine()), writes it
 * to state_dir/seed.iso, and writes state_dir/known_hosts with the host key the seed installs, so
 * the very first connection is verified. Returns 0 or -1 with *err set. */
int seed_create_for_machine(const char *state_dir, const char *machine, const char *hostname,
                            char **err);

#endif
