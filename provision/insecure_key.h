/* SPDX-License-Identifier: MIT */
/* Vagrant's insecure key pair, for boxes without cloud-init. It is public on purpose (Vagrant's
 * repository, keys/vagrant): boxes ship it in ~vagrant/.ssh/authorized_keys so the first login
 * works, and rove replaces it with the machine's own key at that first login, as Vagrant does. */
#ifndef ROVE_PROVISION_INSECURE_KEY_H
#define ROVE_PROVISION_INSECURE_KEY_H

struct guest_conn;
struct guest_target;

extern const char vagrant_insecure_private_key[];
/* "ssh-rsa BASE64 vagrant insecure public key" */
extern const char vagrant_insecure_public_key[];

/* For a box that still accepts the insecure key: logs in with it (recording the host key on first
 * contact: such boxes cannot be told their host key in advance, so trust on first use is the only
 * option; afterwards the key is verified), appends the machine's public key to
 * ~/.ssh/authorized_keys, checks that the machine's key works with a second connection, and only
 * then removes the insecure key. t names the machine's own key (t->key_path); its public half is
 * derived from it. Returns 0 or -1 with *err set. With out, the connection made with the machine's
 * key is kept there (the caller disconnects it). */
int guest_replace_insecure_key(const struct guest_target *t, struct guest_conn **out, char **err);

/* Over a connection made with the machine's own key: removes Vagrant's insecure key from
 * ~/.ssh/authorized_keys, for boxes whose cloud-init added the machine's key beside it. Returns 0
 * or -1 with *err set. */
struct guest_conn;
int guest_remove_insecure_key(struct guest_conn *c, char **err);

#endif
