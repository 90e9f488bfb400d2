/* SPDX-License-Identifier: MIT */
/* A command's work inside one running machine, over a connection of its own. Apart from
 * machines.c so that the front binary does not carry the SSH library. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "provision/guest_conn.h"

int cmd_on_guest(struct cmd_ctx *ctx, char *name,
                 int (*step)(struct machine_runtime *rt, struct guest_conn *conn, void *arg),
                 void *arg)
{
    struct engine_plan plan;
    int rc = cmd_plan(ctx, 1, &name, &plan);
    if (rc != EXIT_OK)
        return rc;
    struct machine_runtime rt;
    runtime_init(&rt, ctx->mf, plan.machines[0]);
    struct guest_conn *conn;
    rc = runtime_connect(&rt, &conn) < 0 ? EXIT_FAIL : EXIT_OK;
    if (rc == EXIT_OK) {
        rc = step(&rt, conn, arg) < 0 ? EXIT_FAIL : EXIT_OK;
        guest_disconnect(conn);
    }
    runtime_release(&rt);
    engine_plan_release(&plan);
    return rc;
}
