/* rove destroy: remove machines and everything created for them. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "machine/global_index.h"
#include "util/interrupt.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: rove destroy [NAME...] [-f|--force]\n"
    "\n"
    "Removes each machine (all of them, or those named) and everything rove created for it:\n"
    "the VM, its disk, its cloud-init seed, its keys and state. The box stays in the cache.\n"
    "Works on half-created machines too (an interrupted up). On a terminal it asks first.\n"
    "\n"
    "  -f, --force  do not ask (use --file FILE, or -f FILE before 'destroy', for the "
    "machinefile)\n";

static bool force;

static const struct option longopts[] = {
    {"force", no_argument, NULL, 'f'},
    {NULL, 0, NULL, 0},
};

static int destroy_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
    (void)ctx;
    (void)arg;
    force = opt == 'f';
    return 0;
}

static bool confirm(const char *name)
{
    if (force || !isatty(STDIN_FILENO))
        return true;
    if (interrupt_signal())
        return false; /* Ctrl-C at a question keeps the rest */
    fprintf(stderr, "Destroy machine '%s'? [y/N] ", name);
    char answer[16] = "";
    if (!fgets(answer, sizeof answer, stdin))
        return false;
    return answer[0] == 'y' || answer[0] == 'Y';
}

static int destroy_one(struct machine_runtime *rt, void *arg)
{
    (void)arg;
    const char *name = rt->m->name;
    if (!state_machine_has_state(rt->mf, name)) {
        log_info(RT_FMT "not created", name);
    } else if (!confirm(name)) {
        log_info(RT_FMT "kept", name);
    } else if (engine_destroy(rt) < 0) {
        return -1;
    } else {
        global_index_remove(rt->mf, rt->m);
        log_info(RT_FMT "destroyed", name);
    }
    return 0;
}

static int run_destroy(struct cmd_ctx *ctx, int argc, char **argv)
{
    /* Machines declared later may depend on earlier ones; go on past failures. */
    return cmd_each_machine(ctx, argc, argv, PLAN_REVERSE | PLAN_THROUGH_INTERRUPTS, destroy_one,
                            NULL);
}

const struct cmd cmd_destroy = {
    .name = "destroy",
    .run = run_destroy,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE,
    .summary = "remove machines and everything created for them",
    .usage = usage,
    .longopts = longopts,
    .shortopts = "f",
    .option = destroy_option,
};
