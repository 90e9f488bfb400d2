/* SPDX-License-Identifier: MIT */
/* The machines a command names, as an engine plan (engine/plan.h). */
#include "cli/cmd.h"

int cmd_plan(struct cmd_ctx *ctx, int argc, char **argv, struct engine_plan *plan)
{
    if (engine_plan_select(ctx->mf, argv, (size_t)argc, plan) < 0)
        return EXIT_USAGE;
    if ((ctx->cmd->flags & CMD_TAKES_LOCK) && engine_plan_lock(plan, ctx->common.no_wait) < 0) {
        engine_plan_release(plan);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

int cmd_each_machine(struct cmd_ctx *ctx, int argc, char **argv, unsigned how,
                     int (*step)(struct machine_runtime *rt, void *arg), void *arg)
{
    struct engine_plan plan;
    int rc = cmd_plan(ctx, argc, argv, &plan);
    if (rc != EXIT_OK)
        return rc;
    rc = engine_plan_each(&plan, how, step, arg) < 0 ? EXIT_FAIL : EXIT_OK;
    engine_plan_release(&plan);
    return rc;
}
