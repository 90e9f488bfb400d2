/* SPDX-License-Identifier: MIT */
/* rove ssh-config: OpenSSH client configuration for machines, usable with `ssh -F`. */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "engine/ssh_target.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>

static int print_config(struct machine_runtime *rt, void *arg)
{
    (void)arg;
    char *text = ssh_target_config(rt);
    if (!text)
        return -1;
    fputs(text, stdout);
    free(text);
    return 0;
}

static int run_ssh_config(struct cmd_ctx *ctx, int argc, char **argv)
{
    return cmd_each_machine(ctx, argc, argv, 0, print_config, NULL);
}

const struct cmd cmd_ssh_config = {
    .name = "ssh-config",
    .run = run_ssh_config,
    .flags = CMD_NEEDS_MACHINEFILE,
    .summary = "print OpenSSH configuration for machines",
    .args = "[NAME...]",
    .description =
        "Prints a 'Host NAME' block for each running machine (all of them, or those named), to\n"
        "append to ~/.ssh/config or to use with 'ssh -F FILE NAME'.\n",
};
