/* SPDX-License-Identifier: MIT */
/* rove up: create, start and provision machines. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "util/log.h"

static const struct opt up_opts[] = {
    OPT_PROVISION_MODE(struct up_options, provision),
    OPT_BOOL(0, "destroy-on-error", struct up_options, destroy_on_error,
             "destroy a new machine when SSH or a provisioner fails (it is kept for inspection "
             "otherwise; a failure before it runs is always undone)"),
    OPT_BOOL(0, "require-checksum", struct up_options, require_checksum,
             "refuse a box whose checksum is not known (box_checksum: in the machinefile, or the "
             "catalog's) before downloading it (for CI)"),
    OPT_END,
};

static int up_one(struct machine_runtime *rt, void *arg)
{
    if (engine_up(rt, arg) < 0)
        return -1;
    log_info(RT_FMT "up (rove ssh %s)", rt->m->name, rt->m->name);
    return 0;
}

static int run_up(struct cmd_ctx *ctx, int argc, char **argv)
{
    return cmd_each_machine(ctx, argc, argv, PLAN_STOP_AT_FAILURE, up_one, ctx->args);
}

const struct cmd cmd_up = {
    .name = "up",
    .run = run_up,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE,
    .summary = "create, start and provision machines",
    .args = "[NAME...]",
    .description =
        "Brings up each machine (all of them, in machinefile order, or those named): fetches its "
        "box\n"
        "when missing, creates and starts it, waits for SSH and runs its provisioners. A machine\n"
        "that exists is started when stopped; its provisioners run again only with --provision\n"
        "(except 'run: always' ones, and ones changed since they ran).\n",
    .epilogue = "Exit code 0 when every machine is up, 1 when one failed (up stops at the first "
                "failure).\n",
    .options = up_opts,
    .args_size = sizeof(struct up_options),
};
