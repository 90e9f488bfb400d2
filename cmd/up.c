/* rove up: create, start and provision machines. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "util/log.h"

static const char usage[] =
    "usage: rove up [NAME...] [--provision | --no-provision] [--destroy-on-error]\n"
    "               [--require-checksum]\n"
    "\n"
    "Brings up each machine (all of them, in machinefile order, or those named): fetches its box\n"
    "when missing, creates and starts it, waits for SSH and runs its provisioners. A machine\n"
    "that exists is started when stopped; its provisioners run again only with --provision\n"
    "(except 'run: always' ones, and ones changed since they ran).\n"
    "\n"
    "  --provision         run every provisioner, even those that already ran\n"
    "  --no-provision      run none\n"
    "  --destroy-on-error  destroy a new machine when SSH or a provisioner fails (it is kept for\n"
    "                      inspection otherwise; a failure before it runs is always undone)\n"
    "  --require-checksum  refuse a box whose checksum is not known (box_checksum: in the\n"
    "                      machinefile, or the catalog's) before downloading it (for CI)\n"
    "\n"
    "Exit code 0 when every machine is up, 1 when one failed (up stops at the first failure).\n";

static struct up_options opts;

enum { OPT_DESTROY_ON_ERROR = 0x310, OPT_REQUIRE_CHECKSUM };

static const struct option longopts[] = {
    PROVISION_LONGOPTS,
    {"destroy-on-error", no_argument, NULL, OPT_DESTROY_ON_ERROR},
    {"require-checksum", no_argument, NULL, OPT_REQUIRE_CHECKSUM},
    {NULL, 0, NULL, 0},
};

static int up_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
    (void)arg;
    if (opt == OPT_DESTROY_ON_ERROR || opt == OPT_REQUIRE_CHECKSUM) {
        opts.destroy_on_error |= opt == OPT_DESTROY_ON_ERROR;
        opts.require_checksum |= opt == OPT_REQUIRE_CHECKSUM;
        return 0;
    }
    return provision_mode_option(ctx->cmd, opt, &opts.provision);
}

static int up_one(struct machine_runtime *rt, void *arg)
{
    (void)arg;
    if (engine_up(rt, &opts) < 0)
        return -1;
    log_info(RT_FMT "up (rove ssh %s)", rt->m->name, rt->m->name);
    return 0;
}

static int run_up(struct cmd_ctx *ctx, int argc, char **argv)
{
    return cmd_each_machine(ctx, argc, argv, PLAN_STOP_AT_FAILURE, up_one, NULL);
}

const struct cmd cmd_up = {
    .name = "up",
    .run = run_up,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE,
    .summary = "create, start and provision machines",
    .usage = usage,
    .longopts = longopts,
    .option = up_option,
};
