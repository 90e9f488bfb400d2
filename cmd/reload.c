/* SPDX-License-Identifier: MIT */
/* rove reload: halt and bring up again. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "util/log.h"

#include <stdlib.h>

struct reload_args {
    enum provision_mode provision;
};

static const struct opt reload_opts[] = {
    OPT_PROVISION_MODE(struct reload_args, provision),
    OPT_END,
};

static int reload_one(struct machine_runtime *rt, void *arg)
{
    const struct reload_args *a = arg;
    struct up_options up = {.provision = a->provision};
    return engine_reload(rt, &up);
}

static int run_reload(struct cmd_ctx *ctx, int argc, char **argv)
{
    return cmd_each_machine(ctx, argc, argv, PLAN_STOP_AT_FAILURE, reload_one, ctx->args);
}

const struct cmd cmd_reload = {
    .name = "reload",
    .run = run_reload,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE,
    .summary = "restart machines",
    .args = "[NAME...]",
    .description =
        "Shuts each machine down, applies what changed in the machinefile since it was built\n"
        "(cpus, memory, a larger disk, forwards, provider settings), and brings it up again (see\n"
        "'rove up'). A change that cannot be applied to an existing machine (another box or\n"
        "provider, a smaller disk) is refused before the machine is stopped.\n",
    .options = reload_opts,
    .args_size = sizeof(struct reload_args),
};
