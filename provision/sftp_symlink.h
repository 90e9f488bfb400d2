/* SPDX-License-Identifier: MIT */
/* Symbolic links over SFTP, the right way round on every server. OpenSSH's sftp-server takes the
 * arguments of SSH_FXP_SYMLINK in the reverse of the protocol's order; libssh swaps them only when
 * the SSH banner says OpenSSH. A guest running another SSH server (Dropbear) with OpenSSH's
 * sftp-server then gets its links reversed. Which order the server wants is found once per
 * connection by a probe in a private folder of the guest. */
#ifndef ROVE_PROVISION_SFTP_SYMLINK_H
#define ROVE_PROVISION_SFTP_SYMLINK_H

struct guest_conn;

/* Creates the link path -> target in the guest. Returns 0, or -1 with *err naming the path. */
int guest_symlink(struct guest_conn *c, const char *target, const char *path, char **err);

#endif
