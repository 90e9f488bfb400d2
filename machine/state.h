/* SPDX-License-Identifier: MIT */
/* Per-project state under .rove/ beside the machinefile (mode 0700):
 *   .rove/machines/NAME/   the machine's provider id, keys, seed, journal, provisioner records
 *   .rove/locks/NAME.lock  the machine's lock (flock), outside the folder destroy removes */
#ifndef ROVE_MACHINE_STATE_H
#define ROVE_MACHINE_STATE_H

#include "machine/machinefile.h"

#include <stdbool.h>

#define STATE_DIR_NAME ".rove"
#define PROJECT_ID_LEN 8

/* DIR/.rove for the machinefile's project; newly allocated. */
char *state_root(const struct machinefile *mf);
/* DIR/.rove/machines/NAME; newly allocated. Does not create it. */
char *state_machine_dir(const struct machinefile *mf, const char *name);
/* Creates DIR/.rove/machines/NAME (and its parents) with mode 0700. Returns 0, or -1 with errno. */
int state_create_machine_dir(const struct machinefile *mf, const char *name);
/* True when the machine has state: something was created for it and not yet destroyed. */
bool state_machine_has_state(const struct machinefile *mf, const char *name);
/* A short stable id of the project folder: PROJECT_ID_LEN hex digits, used in resource names
 * (libvirt domains are named rove-ID-NAME). */
void state_project_id(const char *project_dir, char out[PROJECT_ID_LEN + 1]);
/* For a machine without state (never created, or destroyed): removes its lock file and the empty
 * folders of .rove/, so that a command that created nothing leaves nothing. */
void state_tidy_machine(const struct machinefile *mf, const char *name);
/* Removes the machine's state folder and lock file and, when nothing else is left, .rove/ itself.
 */
int state_remove_machine(const struct machinefile *mf, const char *name);

#endif
