/* rove halt: shut machines down. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "util/log.h"

#include <stdlib.h>

static const char usage[] =
    "usage: rove halt [NAME...] [-f|--force]\n"
    "\n"
    "Shuts each running machine down (all of them, or those named): asks the guest to power off\n"
    "(ACPI) and powers it off after 60 s when it has not.\n"
    "\n"
    "  -f, --force  power off at once (use --file FILE, or -f FILE before 'halt', for the\n"
    "               machinefile)\n";

static bool force;

static const struct option longopts[] = {
    {"force", no_argument, NULL, 'f'},
    {NULL, 0, NULL, 0},
};

static int halt_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
    (void)ctx;
    (void)arg;
    force = opt == 'f';
    return 0;
}

static int halt_one(struct machine_runtime *rt, void *arg)
{
    (void)arg;
    return engine_stop(rt, force);
}

static int run_halt(struct cmd_ctx *ctx, int argc, char **argv)
{
    return cmd_each_machine(ctx, argc, argv, PLAN_REVERSE, halt_one, NULL);
}

const struct cmd cmd_halt = {
    .name = "halt",
    .run = run_halt,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE,
    .summary = "shut machines down",
    .usage = usage,
    .longopts = longopts,
    .shortopts = "f",
    .option = halt_option,
};
