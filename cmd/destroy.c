/* SPDX-License-Identifier: MIT */
/* rove destroy: remove machines and everything created for them. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "machine/global_index.h"
#include "util/interrupt.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct destroy_args {
    bool force;
};

static const struct opt destroy_opts[] = {
    OPT_BOOL('f', "force", struct destroy_args, force,
             "do not ask (use --file FILE, or -f FILE before 'destroy', for the machinefile)"),
    OPT_END,
};

static bool confirm(const char *name, bool force)
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
    const struct destroy_args *a = arg;
    const char *name = rt->m->name;
    if (!state_machine_has_state(rt->mf, name)) {
        log_info(RT_FMT "not created", name);
    } else if (!confirm(name, a->force)) {
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
                            ctx->args);
}

const struct cmd cmd_destroy = {
    .name = "destroy",
    .run = run_destroy,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE,
    .summary = "remove machines and everything created for them",
    .args = "[NAME...]",
    .description =
        "Removes each machine (all of them, or those named) and everything rove created for it:\n"
        "the VM, its disk, its cloud-init seed, its keys and state. The box stays in the cache.\n"
        "Works on half-created machines too (an interrupted up). On a terminal it asks first.\n",
    .options = destroy_opts,
    .args_size = sizeof(struct destroy_args),
};
