/* SPDX-License-Identifier: MIT */
/* Copying files and folders out of the guest over SFTP (rove run --copy-out). */
#ifndef ROVE_PROVISION_GUEST_DOWNLOAD_H
#define ROVE_PROVISION_GUEST_DOWNLOAD_H

struct guest_conn;

/* Copies remote (a file, a folder with everything below it, or a symbolic link) to local: into
 * local when it is an existing folder (as cp and scp do), else to local itself. Permission bits
 * are kept and links stay links. The guest is not trusted: names it lists are single path
 * components, nothing is written through a link, and special files are refused. A relative remote
 * is relative to the login user's home. Returns 0, or -1 with *err naming the file. */
int guest_download(struct guest_conn *c, const char *remote, const char *local, char **err);

#endif
