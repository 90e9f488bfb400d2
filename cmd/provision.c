/* SPDX-License-Identifier: MIT */
/* rove provision: run the provisioners of running machines again. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "provision/guest_conn.h"

static int provision_one(struct machine_runtime *rt, void *arg)
{
    (void)arg;
    struct guest_conn *conn = NULL;
    if (runtime_connect(rt, &conn) < 0)
        return -1;
    int rc = engine_sync(rt, conn);
    if (rc == 0)
        rc = engine_run_provisioners(rt, conn, PROVISION_FORCE);
    guest_disconnect(conn);
    return rc;
}

static int run_provision(struct cmd_ctx *ctx, int argc, char **argv)
{
    return cmd_each_machine(ctx, argc, argv, PLAN_STOP_AT_FAILURE, provision_one, NULL);
}

const struct cmd cmd_provision = {
    .name = "provision",
    .run = run_provision,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE,
    .summary = "run the provisioners of running machines again",
    .args = "[NAME...]",
    .description = "Copies the sync: folders into each running machine (all of them, or those "
                   "named), mounting type: mount ones that are not mounted, and runs every "
                   "provisioner again, 'run: once' ones included. Output streams live, each line "
                   "prefixed with the machine's name.",
    .epilogue = "Exit code 1 when a provisioner fails; the message names the machine, the "
                "provisioner and its exit status.",
};
