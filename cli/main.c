/* rove's entry point: global options, the command table, and what every command needs before it
 * runs (machinefile, JSON, verbosity). */
#include "cli/cmd.h"
#include "machine/machinefile.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ROVE_VERSION
#define ROVE_VERSION "0.0.0"
#endif

enum { OPT_JSON = 0x100, OPT_NO_WAIT, OPT_VERSION };

static const struct option common_longopts[] = {
    {"file", required_argument, NULL, 'f'},      {"json", no_argument, NULL, OPT_JSON},
    {"quiet", no_argument, NULL, 'q'},           {"verbose", no_argument, NULL, 'v'},
    {"no-wait", no_argument, NULL, OPT_NO_WAIT}, {"help", no_argument, NULL, 'h'},
};
#define COMMON_SHORTOPTS "f:qvh"
#define N_COMMON         (sizeof common_longopts / sizeof common_longopts[0])

static const char main_usage[] =
    "usage: rove [-f FILE] [-q|-v] [--version] [--help] COMMAND [ARGS...]\n";

const struct cmd *cmd_find(const char *name)
{
    for (size_t i = 0; cmd_table[i]; i++)
        if (strcmp(cmd_table[i]->name, name) == 0)
            return cmd_table[i];
    return NULL;
}

int cmd_usage_error(const struct cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rove %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    /* The usage line is the first line of the usage text. */
    const char *nl = strchr(cmd->usage, '\n');
    int n = nl ? (int)(nl - cmd->usage) : (int)strlen(cmd->usage);
    fprintf(stderr, "%.*s\n", n, cmd->usage);
    return EXIT_USAGE;
}

void cmd_print_overview(FILE *out)
{
    fputs(main_usage, out);
    fputs("\nrove brings up and provisions the machines a project's machinefile.yaml declares.\n\n"
          "Commands:\n",
          out);
    for (size_t i = 0; cmd_table[i]; i++)
        if (!(cmd_table[i]->flags & CMD_HIDDEN))
            fprintf(out, "  %-12s %s\n", cmd_table[i]->name, cmd_table[i]->summary);
    fputs("\nOptions for every command:\n"
          "  -f, --file FILE  the machinefile (default: $ROVE_MACHINEFILE, or the nearest\n"
          "                   machinefile.yaml at or above the working folder)\n"
          "  -q, --quiet      errors only      -v, --verbose  debug messages\n"
          "      --json       machine-readable output (commands that report something)\n"
          "      --no-wait    fail at once when another rove command holds a machine's lock\n"
          "\nExit codes: 0 success, 1 failure, 2 usage error or invalid machinefile.\n"
          "Run 'rove help COMMAND' for a command's options.\n",
          out);
}

/* Parses the options that come before the command name. Returns -1 to go on, or an exit code. */
static int parse_leading_options(struct cmd_ctx *ctx, int argc, char **argv, int *next)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--version")) {
            printf("rove %s\n", ROVE_VERSION);
            return EXIT_OK;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            int rc = cmd_hand_over(argv);
            if (rc >= 0)
                return rc;
            cmd_print_overview(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            log_set_level(LOG_ERROR);
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            log_set_level(LOG_DEBUG);
        } else if (!strcmp(a, "--json")) {
            ctx->json = true;
        } else if (!strcmp(a, "--no-wait")) {
            ctx->no_wait = true;
        } else if ((!strcmp(a, "-f") || !strcmp(a, "--file")) && i + 1 < argc) {
            ctx->machinefile_path = argv[++i];
        } else if (!strncmp(a, "--file=", 7)) {
            ctx->machinefile_path = a + 7;
        } else {
            fprintf(stderr, "rove: unknown option '%s'\n%s", a, main_usage);
            return EXIT_USAGE;
        }
    }
    *next = i;
    return -1;
}

/* The command's options joined with the common ones; the command's own short letters win. */
static void build_options(const struct cmd *cmd, struct option **longopts, char **shortopts)
{
    size_t own = 0;
    while (cmd->longopts && cmd->longopts[own].name)
        own++;
    struct option *all = xcalloc(own + N_COMMON + 1, sizeof *all);
    memcpy(all, cmd->longopts ? cmd->longopts : all, own * sizeof *all);
    size_t n = own;
    for (size_t i = 0; i < N_COMMON; i++) {
        bool taken = false;
        for (size_t j = 0; j < own; j++)
            taken |= !strcmp(all[j].name, common_longopts[i].name);
        if (!taken)
            all[n++] = common_longopts[i];
    }
    struct strbuf s = STRBUF_INIT;
    sb_addc(&s, ':'); /* report a missing argument as ':' */
    const char *mine = cmd->shortopts ? cmd->shortopts : "";
    sb_add(&s, mine);
    for (const char *c = COMMON_SHORTOPTS; *c; c++) {
        if (*c == ':')
            continue;
        bool has_arg = c[1] == ':';
        if (!strchr(mine, *c)) {
            sb_addc(&s, *c);
            if (has_arg)
                sb_addc(&s, ':');
        }
    }
    *longopts = all;
    *shortopts = sb_detach(&s);
}

/* Handles one option of the common set; returns -1 when it is not one of them. */
static int handle_common(struct cmd_ctx *ctx, int opt, const char *arg)
{
    switch (opt) {
    case 'f':
        ctx->machinefile_path = arg;
        return 0;
    case 'q':
        log_set_level(LOG_ERROR);
        return 0;
    case 'v':
        log_set_level(LOG_DEBUG);
        return 0;
    case OPT_JSON:
        ctx->json = true;
        return 0;
    case OPT_NO_WAIT:
        ctx->no_wait = true;
        return 0;
    default:
        return -1;
    }
}

static int parse_command_options(struct cmd_ctx *ctx, int argc, char **argv, int *first_arg)
{
    const struct cmd *cmd = ctx->cmd;
    struct option *longopts;
    char *shortopts;
    build_options(cmd, &longopts, &shortopts);
    int rc = -1, opt;
    optind = 1;
    opterr = 0;
    while (rc < 0 && (opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (opt == 'h' && !(cmd->shortopts && strchr(cmd->shortopts, 'h'))) {
            fputs(cmd->usage, stdout);
            rc = EXIT_OK;
        } else if (opt == '?') {
            rc = cmd_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        } else if (opt == ':') {
            rc = cmd_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        } else if (handle_common(ctx, opt, optarg) < 0) {
            if (!cmd->option || cmd->option(ctx, opt, optarg) != 0)
                rc = EXIT_USAGE;
        }
    }
    free(longopts);
    free(shortopts);
    *first_arg = optind;
    if (rc < 0 && ctx->json && !(cmd->flags & CMD_JSON))
        rc = cmd_usage_error(cmd, "--json is not supported by this command");
    return rc;
}

char *cmd_machinefile_path(const struct cmd_ctx *ctx)
{
    const char *given = ctx->machinefile_path ? ctx->machinefile_path : getenv("ROVE_MACHINEFILE");
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
    free(path);
    if (!ctx->mf) {
        mf_errors_print(&errs);
        mf_errors_free(&errs);
        return EXIT_USAGE;
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct cmd_ctx ctx = {0};
    int first = 1;
    int rc = parse_leading_options(&ctx, argc, argv, &first);
    if (rc >= 0)
        return rc;
    if (first >= argc) {
        rc = cmd_hand_over(argv);
        if (rc >= 0)
            return rc;
        cmd_print_overview(stderr);
        return EXIT_USAGE;
    }
    ctx.cmd = cmd_find(argv[first]);
    if (!ctx.cmd && (rc = cmd_hand_over(argv)) >= 0)
        return rc;
    if (!ctx.cmd) {
        fprintf(stderr, "rove: '%s' is not a rove command; see 'rove --help'\n", argv[first]);
        return EXIT_USAGE;
    }
    int cargc = argc - first;
    char **cargv = argv + first;
    /* getopt moves the arguments before "--" behind it; count what really came after it. */
    ctx.args_after_dashdash = -1;
    for (int i = 1; i < cargc && ctx.args_after_dashdash < 0; i++)
        if (!strcmp(cargv[i], "--"))
            ctx.args_after_dashdash = cargc - i - 1;
    int first_arg;
    rc = parse_command_options(&ctx, cargc, cargv, &first_arg);
    if (rc < 0 && (ctx.cmd->flags & CMD_NEEDS_MACHINEFILE))
        rc = load_machinefile(&ctx);
    if (rc < 0 && (ctx.cmd->flags & CMD_INTERRUPTIBLE))
        interrupt_install();
    if (rc < 0)
        rc = ctx.cmd->run(&ctx, cargc - first_arg, cargv + first_arg);
    if (interrupt_signal()) {
        log_error("interrupted by signal %d", interrupt_signal());
        rc = interrupt_exit_status();
    }
    machinefile_free(ctx.mf);
    return rc;
}
