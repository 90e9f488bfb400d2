/* A machine's life cycle: bringing it up (create from its box when needed, start, wait for SSH,
 * provision) and shutting it down. Used by `up`, `halt`, `reload` and `run`. */
#ifndef ROVE_CMD_LIFECYCLE_H
#define ROVE_CMD_LIFECYCLE_H

#include "cmd/cmd.h"
#include "cmd/runtime.h"

enum provision_mode {
    PROVISION_DEFAULT, /* first up: everything; later: "run: always" and changed provisioners */
    PROVISION_FORCE,   /* every provisioner (--provision) */
    PROVISION_NONE,    /* none (--no-provision) */
};

/* --provision / --no-provision, shared by the commands that bring machines up. */
enum { OPT_PROVISION = 0x300, OPT_NO_PROVISION };
#define PROVISION_LONGOPTS                                                                         \
    {"provision", no_argument, NULL, OPT_PROVISION},                                               \
    {                                                                                              \
        "no-provision", no_argument, NULL, OPT_NO_PROVISION                                        \
    }
/* Applies one of those options to *mode; a usage error when they contradict each other. */
int provision_mode_option(const struct cmd *cmd, int opt, enum provision_mode *mode);

struct up_options {
    enum provision_mode provision;
    bool destroy_on_error;
    bool require_checksum; /* refuse a box whose checksum is not known (--require-checksum) */
};

/* Returns 0, or -1 after printing why. A failure before the machine runs undoes what was created;
 * a later one (SSH, provisioning) keeps the machine for inspection unless destroy_on_error. */
int machine_up(struct machine_runtime *rt, const struct up_options *o);
/* Waits for SSH on a started machine and provisions it according to mode. */
int machine_wait_and_provision(struct machine_runtime *rt, enum provision_mode mode,
                               bool first_boot);

/* Copies the machine's `sync:` folders into it. Returns 0, or -1 after printing why. */
int machine_sync(struct machine_runtime *rt, struct guest_conn *conn);
/* Runs the machine's provisioners over conn according to mode. Returns 0, or -1 after printing
 * which provisioner failed. */
int machine_provision(struct machine_runtime *rt, struct guest_conn *conn,
                      enum provision_mode mode);
/* Shuts a running machine down (ACPI, then forced after a time-out; at once when now). A machine
 * that is not running is left alone. Returns 0, or -1 after printing why. */
int machine_halt(struct machine_runtime *rt, bool now);

#endif
