/* SPDX-License-Identifier: MIT */
/* A command's work inside one running machine, over a connection of its own. Apart from
 * machines.c so that the front binary does not carry the SSH library. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "provision/guest_conn.h"
#include "util/log.h"

#include <stdlib.h>

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

struct copy_call {
    cmd_copy_fn copy;
    const char *verb, *src, *dest;
};

static int copy_step(struct machine_runtime *rt, struct guest_conn *conn, void *arg)
{
    const struct copy_call *call = arg;
    char *err = NULL;
    int rc = call->copy(conn, call->src, call->dest, &err);
    if (rc == 0)
        log_info(RT_FMT "%s %s to %s", rt->m->name, call->verb, call->src, call->dest);
    else
        log_error("%s", err ? err : "the copy failed");
    free(err);
    return rc;
}

int cmd_copy_on_guest(struct cmd_ctx *ctx, char *name, cmd_copy_fn copy, const char *verb,
                      const char *src, const char *dest)
{
    struct copy_call call = {copy, verb, src, dest};
    return cmd_on_guest(ctx, name, copy_step, &call);
}
