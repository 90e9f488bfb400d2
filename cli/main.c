/* SPDX-License-Identifier: MIT */
/* rove's entry point: the common options, the command (and subcommand) named, its options
 * parsed from its table into a struct for this call, and what every command needs before it
 * runs (machinefile, verbosity, interrupts). */
#include "cli/cmd.h"
#include "machine/machinefile.h"
#include "providers/provider_sections.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ROVE_VERSION
#define ROVE_VERSION "0.0.0"
#endif

static const struct opt common_opts[] = {
    OPT_STRING('f', "file", struct common_args, machinefile_path, "FILE", "the machinefile"),
    OPT_SET('q', "quiet", struct common_args, log_level, LOG_ERROR, "errors only"),
    OPT_SET('v', "verbose", struct common_args, log_level, LOG_DEBUG, "debug messages"),
    OPT_BOOL(0, "json", struct common_args, json, "machine-readable output"),
    OPT_BOOL(0, "no-wait", struct common_args, no_wait, "fail at once on a locked machine"),
    OPT_END,
};

struct leading_args {
    bool version;
};
static const struct opt leading_opts[] = {
    OPT_BOOL(0, "version", struct leading_args, version, "print rove's version"),
    OPT_END,
};

/* The options before the command's name; on return *argc, *argv start at the name. Returns -1 to
 * go on, or an exit code. */
static int parse_leading(struct cmd_ctx *ctx, int *argc, char ***argv)
{
    struct leading_args lead = {0};
    struct opt_table tables[] = {{leading_opts, &lead}, {common_opts, &ctx->common}};
    struct opt_result res;
    char err[256];
    if (opt_parse(tables, 2, *argc - 1, *argv + 1, OPT_STOP_AT_ARG, &res, err, sizeof err) < 0) {
        fprintf(stderr,
                "rove: %s\nusage: rove [-f FILE] [-q|-v] [--version] [--help] COMMAND "
                "[ARGS...]\n",
                err);
        return EXIT_USAGE;
    }
    int rc = -1;
    if (lead.version) {
        printf("rove %s\n", ROVE_VERSION);
        rc = EXIT_OK;
    } else if (res.help || res.nargs == 0) {
        rc = cmd_hand_over(*argv);
        if (rc < 0) {
            cmd_print_overview(res.help ? stdout : stderr);
            rc = res.help ? EXIT_OK : EXIT_USAGE;
        }
    }
    *argv += *argc - res.nargs;
    *argc = res.nargs;
    opt_result_release(&res);
    return rc;
}

/* The subcommand named first in argv, for a command that has them. */
static const struct cmd *find_subcommand(const struct cmd *cmd, int argc, char **argv)
{
    for (size_t i = 0; argc > 0 && cmd->subcommands[i]; i++)
        if (!strcmp(cmd->subcommands[i]->name, argv[0]))
            return cmd->subcommands[i];
    return NULL;
}

/* For a command with subcommands: moves ctx->cmd, *argc and *argv to the subcommand. Returns -1
 * to go on, or an exit code. */
static int enter_subcommand(struct cmd_ctx *ctx, int *argc, char ***argv)
{
    const struct cmd *parent = ctx->cmd;
    const struct cmd *sub = find_subcommand(parent, *argc - 1, *argv + 1);
    if (sub) {
        ctx->cmd = sub;
        (*argc)--;
        (*argv)++;
        return -1;
    }
    if (*argc > 1 && (!strcmp((*argv)[1], "-h") || !strcmp((*argv)[1], "--help"))) {
        cmd_print_usage(stdout, parent);
        return EXIT_OK;
    }
    if (*argc < 2)
        return cmd_usage_error(parent, "which subcommand?");
    return cmd_usage_error(parent, "'%s' is not a subcommand of 'rove %s'", (*argv)[1],
                           parent->name);
}

/* Parses the command's options into a new ctx->args; *argc, *argv become the positional
 * arguments. Returns -1 to go on, or an exit code. */
static int parse_command(struct cmd_ctx *ctx, int *argc, char ***argv, struct opt_result *res)
{
    const struct cmd *cmd = ctx->cmd;
    ctx->args = xcalloc(1, cmd->args_size ? cmd->args_size : 1);
    struct opt_table tables[2];
    size_t n = 0;
    if (cmd->options)
        tables[n++] = (struct opt_table){cmd->options, ctx->args};
    tables[n++] = (struct opt_table){common_opts, &ctx->common};
    char err[256];
    if (opt_parse(tables, n, *argc - 1, *argv + 1, 0, res, err, sizeof err) < 0)
        return cmd_usage_error(cmd, "%s", err);
    *argc = res->nargs;
    *argv = res->args;
    ctx->args_after_dashdash = res->args_after_dashdash;
    if (res->help) {
        cmd_print_usage(stdout, cmd);
        return EXIT_OK;
    }
    if (ctx->common.json && !(cmd->flags & CMD_JSON))
        return cmd_usage_error(cmd, "--json is not supported by this command");
    if (ctx->common.log_level >= 0)
        log_set_level((enum log_level)ctx->common.log_level);
    return -1;
}

char *cmd_machinefile_path(const struct cmd_ctx *ctx)
{
    const char *given =
        ctx->common.machinefile_path ? ctx->common.machinefile_path : getenv("ROVE_MACHINEFILE");
    if (given && *given)
        return xstrdup(given);
    char *cwd = getcwd(NULL, 0);
    char *found = cwd ? machinefile_discover(cwd) : NULL;
    if (!found) {
        free(cwd);
        log_error("no %s in this folder or any folder above it (run 'rove init' to write one, "
                  "or name one with -f FILE)",
                  MACHINEFILE_NAME);
        return NULL;
    }
    char *why = NULL;
    if (!machinefile_is_trusted(found, geteuid(), getenv("ROVE_SAFE_DIRECTORIES"), &why)) {
        log_error("%s", why);
        free(why);
        free(found);
        free(cwd);
        return NULL;
    }
    /* Shown in messages: relative when it is below the working folder, as a user would type it. */
    size_t n = strlen(cwd);
    char *shown =
        !strncmp(found, cwd, n) && found[n] == '/' ? xstrdup(found + n + 1) : xstrdup(found);
    free(found);
    free(cwd);
    return shown;
}

static int load_machinefile(struct cmd_ctx *ctx)
{
    char *path = cmd_machinefile_path(ctx);
    if (!path)
        return EXIT_USAGE;
    struct mf_errors errs = {0};
    ctx->mf = machinefile_load(path, &errs);
    if (ctx->mf && !(ctx->cmd->flags & CMD_QUICK_MACHINEFILE) &&
        provider_sections_check(ctx->mf, path, &errs) > 0) {
        machinefile_free(ctx->mf);
        ctx->mf = NULL;
    }
    free(path);
    if (!ctx->mf) {
        mf_errors_print(&errs);
        mf_errors_free(&errs);
        return EXIT_USAGE;
    }
    return -1;
}

/* stdout may be a file or a pipe: what could not be written there is a failure, not silence. */
static int check_stdout(int rc)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    if (errno != EPIPE)
        log_error("cannot write the output: %s", strerror(errno ? errno : EIO));
    return rc == EXIT_OK ? EXIT_FAIL : rc;
}

static int run_command(struct cmd_ctx *ctx, int argc, char **argv)
{
    ctx->cmd = cmd_find(argv[0]);
    int rc;
    if (!ctx->cmd) {
        fprintf(stderr, "rove: '%s' is not a rove command; see 'rove --help'\n", argv[0]);
        return EXIT_USAGE;
    }
    if (ctx->cmd->subcommands && (rc = enter_subcommand(ctx, &argc, &argv)) >= 0)
        return rc;
    struct opt_result res = {0};
    rc = parse_command(ctx, &argc, &argv, &res);
    if (rc < 0 && (ctx->cmd->flags & CMD_NEEDS_MACHINEFILE))
        rc = load_machinefile(ctx);
    if (rc < 0 && (ctx->cmd->flags & CMD_INTERRUPTIBLE))
        interrupt_install();
    if (rc < 0)
        rc = ctx->cmd->run(ctx, argc, argv);
    opt_release_fields(ctx->cmd->options, ctx->args);
    opt_result_release(&res);
    return rc;
}

int main(int argc, char **argv)
{
    struct cmd_ctx ctx = {.common.log_level = -1, .args_after_dashdash = -1};
    char **all = argv;
    int rc = parse_leading(&ctx, &argc, &argv);
    /* the front binary hands the commands it does not hold to the full one */
    if (rc < 0 && !cmd_find(argv[0]) && (rc = cmd_hand_over(all)) < 0)
        rc = -1;
    if (rc < 0)
        rc = run_command(&ctx, argc, argv);
    if (interrupt_signal()) {
        log_error("interrupted by signal %d", interrupt_signal());
        rc = interrupt_exit_status();
    }
    machinefile_free(ctx.mf);
    free(ctx.args);
    return check_stdout(rc);
}
