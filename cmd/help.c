/* SPDX-License-Identifier: MIT */
/* rove help: the list of commands, one command's usage, or every synopsis. */
#include "cli/cmd.h"

#include <stdio.h>
#include <string.h>

struct help_args {
    bool all;
};

static const struct opt help_opts[] = {
    OPT_BOOL(0, "all", struct help_args, all,
             "print the synopsis of every command and subcommand (the README's list)"),
    OPT_END,
};

static const struct cmd *find_subcommand(const struct cmd *cmd, const char *name)
{
    for (size_t i = 0; cmd->subcommands && cmd->subcommands[i]; i++)
        if (!strcmp(cmd->subcommands[i]->name, name))
            return cmd->subcommands[i];
    return NULL;
}

static void print_all_synopses(void)
{
    for (size_t i = 0; cmd_table[i]; i++)
        if (!(cmd_table[i]->flags & CMD_HIDDEN))
            cmd_print_synopsis(stdout, cmd_table[i], "");
}

static int run_help(struct cmd_ctx *ctx, int argc, char **argv)
{
    const struct help_args *a = ctx->args;
    if (argc > 2 || (a->all && argc > 0))
        return cmd_usage_error(ctx->cmd, "too many arguments");
    if (a->all) {
        print_all_synopses();
        return EXIT_OK;
    }
    if (argc == 0) {
        cmd_print_overview(stdout);
        return EXIT_OK;
    }
    const struct cmd *cmd = cmd_find(argv[0]);
    if (!cmd) {
        fprintf(stderr, "rove help: '%s' is not a rove command; see 'rove --help'\n", argv[0]);
        return EXIT_USAGE;
    }
    if (argc == 2 && !(cmd = find_subcommand(cmd, argv[1]))) {
        fprintf(stderr, "rove help: '%s' is not a subcommand of 'rove %s'\n", argv[1], argv[0]);
        return EXIT_USAGE;
    }
    cmd_print_usage(stdout, cmd);
    return EXIT_OK;
}

const struct cmd cmd_help = {
    .name = "help",
    .run = run_help,
    .summary = "list the commands, or show one command's options",
    .args = "[COMMAND [SUBCOMMAND]]",
    .description = "Lists rove's commands, or shows the options of one.\n",
    .options = help_opts,
    .args_size = sizeof(struct help_args),
};
