/* SPDX-License-Identifier: MIT */
/* The engine: the life cycle of one machine, as the commands drive it. Each operation takes the
 * machine's runtime (engine/machine_runtime.h), returns 0, or -1 after printing why (naming the
 * machine), and leaves nothing half-created behind: a create that fails is undone.
 *
 *   create -> start -> wait -> provision ... stop -> start -> wait ... destroy
 *
 * engine_up() composes them as `rove up` does; engine/plan.h walks several machines. */
#ifndef ROVE_ENGINE_ENGINE_H
#define ROVE_ENGINE_ENGINE_H

#include "engine/machine_runtime.h"

#include <stdbool.h>

struct guest_conn;

enum provision_mode {
    PROVISION_DEFAULT, /* first up: everything; later: "run: always" and changed provisioners */
    PROVISION_FORCE,   /* every provisioner (--provision) */
    PROVISION_NONE,    /* none (--no-provision) */
};

struct up_options {
    enum provision_mode provision;
    bool destroy_on_error;
    bool require_checksum; /* refuse a box whose checksum is not known (--require-checksum) */
};

/* Creates a machine that does not exist: finds or fetches its box, prepares its keys (and
 * cloud-init seed), has the provider create it and records it. Fails, undone, when the provider
 * cannot run it here or a forwarded host port is taken. */
int engine_create(struct machine_runtime *rt, bool require_checksum);
/* Removes a new machine whose create or first start failed: nothing half-created stays behind. */
void engine_undo_create(struct machine_runtime *rt);
/* Starts a created, stopped machine (after checking its forwarded host ports are free). */
int engine_start(struct machine_runtime *rt);
/* Waits for SSH on a started machine, within its boot_timeout; on success *conn is logged in.
 * first_boot: the guest is new (its host key is learnt; Vagrant's insecure key may let rove in). */
int engine_wait(struct machine_runtime *rt, bool first_boot, struct guest_conn **conn);
/* Prepares a booted guest over conn: its hostname, its sync: folders, then its provisioners
 * according to mode. */
int engine_provision(struct machine_runtime *rt, struct guest_conn *conn, enum provision_mode mode,
                     bool first_boot);
/* Mounts the machine's `sync:` folders of type: mount (unless mounted already) and copies the
 * others into it. */
int engine_sync(struct machine_runtime *rt, struct guest_conn *conn);
/* Runs the machine's provisioners over conn according to mode, naming the one that failed. */
int engine_run_provisioners(struct machine_runtime *rt, struct guest_conn *conn,
                            enum provision_mode mode);
/* Shuts a running machine down (ACPI, then forced after a time-out; at once when now). A machine
 * that is not running is left alone. */
int engine_stop(struct machine_runtime *rt, bool now);
/* Removes every resource in the machine's journal through its provider, then its state folder
 * and lock. Clean-up finishes although rove was interrupted. The journal keeps what could not be
 * removed, for the next destroy. */
int engine_destroy(struct machine_runtime *rt);
/* The machine's state; no provider is loaded for a machine without state. */
void engine_state(struct machine_runtime *rt, struct rove_state_report *out);

/* What `rove up` does for one machine: a new one is created, started, waited for and fully
 * provisioned (a failure before it runs is undone; a later one keeps it for inspection unless
 * o->destroy_on_error); an existing one is started when stopped (after the machinefile's changes
 * are applied to it), waited for and provisioned according to o->provision. */
int engine_up(struct machine_runtime *rt, const struct up_options *o);
/* What `rove reload` does for one machine: checks that the machinefile's changes can be applied
 * (refused before anything is stopped otherwise), shuts it down, applies them, starts it, waits
 * and provisions according to o->provision. A machine that does not exist is brought up. */
int engine_reload(struct machine_runtime *rt, const struct up_options *o);
/* engine_wait() then engine_provision() on a started machine. */
int engine_wait_and_provision(struct machine_runtime *rt, enum provision_mode mode,
                              bool first_boot);

#endif
