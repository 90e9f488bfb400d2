#include "cli/cmd.h"

#include <stdio.h>

static const char usage[] = "usage: rove help [COMMAND]\n"
                            "\n"
                            "Lists rove's commands, or shows the options of one.\n";

static int run_help(struct cmd_ctx *ctx, int argc, char **argv)
{
    if (argc > 1)
        return cmd_usage_error(ctx->cmd, "too many arguments");
    if (argc == 0) {
        cmd_print_overview(stdout);
        return EXIT_OK;
    }
    const struct cmd *cmd = cmd_find(argv[0]);
    if (!cmd) {
        fprintf(stderr, "rove help: '%s' is not a rove command; see 'rove --help'\n", argv[0]);
        return EXIT_USAGE;
    }
    fputs(cmd->usage, stdout);
    return EXIT_OK;
}

const struct cmd cmd_help = {
    .name = "help",
    .run = run_help,
    .summary = "list the commands, or show one command's options",
    .usage = usage,
};
