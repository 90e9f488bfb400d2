/* SPDX-License-Identifier: MIT */
/* The host's index of machines (DATA/index.json): every machine rove created on this host, so that
 * `rove global-status` can list them and `rove box remove` can refuse to remove a box in use.
 *   {"machines": [{"project": "/abs/dir", "name": "web", "box": "debian/bookworm64",
 *                  "box_version": "12.1", "provider": "libvirt",
 *                  "state_dir": "/abs/dir/.rove/machines/web"}]}
 * Updates are serialised by a flock on DATA/index.lock and written atomically. */
#ifndef ROVE_MACHINE_GLOBAL_INDEX_H
#define ROVE_MACHINE_GLOBAL_INDEX_H

#include "machine/machinefile.h"

/* Adds or replaces the entry of machine m. Failures are reported as warnings: the index is a
 * convenience, never a reason to fail a command. */
void global_index_add(const struct machinefile *mf, const struct machine *m, const char *box,
                      const char *box_version, const char *state_dir);
void global_index_remove(const struct machinefile *mf, const struct machine *m);

#endif
