/* rove reload: halt and bring up again. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "util/log.h"

#include <stdlib.h>

static const char usage[] =
    "usage: rove reload [NAME...] [--provision | --no-provision]\n"
    "\n"
    "Shuts each machine down and brings it up again (see 'rove up'): useful after changing\n"
    "its cpus, memory or forwards in the machinefile.\n"
    "\n"
    "  --provision     run every provisioner, even those that already ran\n"
    "  --no-provision  run none\n";

static enum provision_mode mode = PROVISION_DEFAULT;

static const struct option longopts[] = {
    PROVISION_LONGOPTS,
    {NULL, 0, NULL, 0},
};

static int reload_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
    (void)arg;
    return provision_mode_option(ctx->cmd, opt, &mode);
}

static int reload_one(struct machine_runtime *rt, void *arg)
{
    (void)arg;
    struct up_options up = {.provision = mode};
    return engine_stop(rt, false) < 0 || engine_up(rt, &up) < 0 ? -1 : 0;
}

static int run_reload(struct cmd_ctx *ctx, int argc, char **argv)
{
    return cmd_each_machine(ctx, argc, argv, PLAN_STOP_AT_FAILURE, reload_one, NULL);
}

const struct cmd cmd_reload = {
    .name = "reload",
    .run = run_reload,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE,
    .summary = "restart machines",
    .usage = usage,
    .longopts = longopts,
    .option = reload_option,
};
