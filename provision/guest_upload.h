/* SPDX-License-Identifier: MIT */
/* Copying files and folders into the guest over SFTP, with their permission bits. */
#ifndef ROVE_PROVISION_GUEST_UPLOAD_H
#define ROVE_PROVISION_GUEST_UPLOAD_H

#include <stddef.h>
#include <sys/types.h>

struct guest_conn;

/* Uploads local (a file, or a folder recursively) to remote. A file replaces remote; a folder's
 * contents are merged into remote, which is created when missing. Files and folders keep their
 * permission bits; symbolic links are recreated as links; other special files are refused.
 * Returns 0 or -1 with *err naming the file. */
int guest_upload(struct guest_conn *c, const char *local, const char *remote, char **err);
/* Writes data to the remote file path with mode. Returns 0 or -1 with *err set. */
int guest_upload_data(struct guest_conn *c, const void *data, size_t len, const char *remote,
                      mode_t mode, char **err);
/* Creates one remote folder with mode; fails when it exists (used for private temporary
 * folders). Returns 0 or -1 with *err set. */
int guest_mkdir(struct guest_conn *c, const char *remote, mode_t mode, char **err);
/* Creates remote and its missing parents. Returns 0 or -1 with *err set. */
int guest_mkdir_p(struct guest_conn *c, const char *remote, mode_t mode, char **err);

#endif
