/* SPDX-License-Identifier: MIT */
/* `sync:` folders: copied one way from the host into the guest at up, reload and provision. */
#ifndef ROVE_PROVISION_SYNC_H
#define ROVE_PROVISION_SYNC_H

#include <stddef.h>

struct guest_conn;
struct sync_folder;

/* Copies each src (a folder's contents, or a file) to its dest in the guest over SFTP, creating
 * dest as root where needed and giving the login user ownership, as Vagrant's rsync folders do.
 * A folder's dest becomes its mirror: what was deleted on the host is deleted in the guest too
 * (rsync --delete, Vagrant's default). Returns 0, or -1 with *err naming the machine and the
 * folder. Entries of type: mount are not copied (provision/mounts.h mounts them). */
int provision_sync(struct guest_conn *c, const char *machine, const struct sync_folder *syncs,
                   size_t n, char **err);

#endif
