/* SPDX-License-Identifier: MIT */
/* rove halt: shut machines down. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "util/log.h"

#include <stdlib.h>

struct halt_args {
    bool force;
};

static const struct opt halt_opts[] = {
    OPT_BOOL('f', "force", struct halt_args, force,
             "power off at once (use --file FILE, or -f FILE before 'halt', for the machinefile)"),
    OPT_END,
};

static int halt_one(struct machine_runtime *rt, void *arg)
{
    const struct halt_args *a = arg;
    return engine_stop(rt, a->force);
}

static int run_halt(struct cmd_ctx *ctx, int argc, char **argv)
{
    return cmd_each_machine(ctx, argc, argv, PLAN_REVERSE, halt_one, ctx->args);
}

const struct cmd cmd_halt = {
    .name = "halt",
    .run = run_halt,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE,
    .summary = "shut machines down",
    .args = "[NAME...]",
    .description = "Shuts each running machine down (all of them, or those named): asks the guest "
                   "to power off\n"
                   "(ACPI) and powers it off after 60 s when it has not.\n",
    .options = halt_opts,
    .args_size = sizeof(struct halt_args),
};
