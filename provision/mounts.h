/* SPDX-License-Identifier: MIT */
/* `sync:` entries of type: mount: the provider's virtio-9p device mounted in the guest over SSH,
 * at every boot (a mount does not outlive the guest's uptime, and rove does not edit its fstab). */
#ifndef ROVE_PROVISION_MOUNTS_H
#define ROVE_PROVISION_MOUNTS_H

#include <stdbool.h>

struct guest_conn;
struct sync_folder;

/* The mount options: 9P2000.L over virtio, and no cache at all (cache=none), so that every read
 * asks the host and an edit there is seen in the guest at once. */
#define MOUNT_9P_OPTIONS "trans=virtio,version=9p2000.L,msize=262144,cache=none"

/* The guest's side of one mount, run as root: loads the 9p modules when the kernel lacks them,
 * creates dest, mounts device tag there. Newly allocated. */
char *mount_command(const char *tag, const char *dest, bool readonly);

/* Mounts s (type: mount) in the guest from the provider's device tag, unless it is mounted
 * already. Returns 0, or -1 with *err naming the machine and what to do (a guest without 9p,
 * a machine created before the mount was added). */
int provision_mount(struct guest_conn *c, const char *machine, const char *tag,
                    const struct sync_folder *s, char **err);

#endif
