/* SPDX-License-Identifier: MIT */
/* Usage texts, generated from the command table and the option tables (cli/cmd.h). */
#include "cli/cmd.h"
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The --json every CMD_JSON command takes, shown with the command's own options. */
struct json_only {
    bool json;
};
static const struct opt json_opt[] = {
    OPT_BOOL(0, "json", struct json_only, json, "print machine-readable JSON on stdout"),
    OPT_END,
};

/* "box add" for a subcommand, "up" for a command. */
static void full_name(const struct cmd *cmd, char *buf, size_t len)
{
    if (cmd->parent)
        snprintf(buf, len, "%s %s", cmd->parent->name, cmd->name);
    else
        snprintf(buf, len, "%s", cmd->name);
}

void cmd_print_synopsis(FILE *out, const struct cmd *cmd, const char *prefix)
{
    if (cmd->subcommands) {
        for (size_t i = 0; cmd->subcommands[i]; i++)
            cmd_print_synopsis(out, cmd->subcommands[i], prefix);
        return;
    }
    char name[64];
    full_name(cmd, name, sizeof name);
    struct strbuf head = STRBUF_INIT;
    sb_addf(&head, "%srove %s", prefix, name);
    int indent = (int)head.len + 1;
    if (cmd->args)
        sb_addf(&head, " %s", cmd->args);
    const struct opt *tables[2];
    size_t n = 0;
    if (cmd->options)
        tables[n++] = cmd->options;
    if (cmd->flags & CMD_JSON)
        tables[n++] = json_opt;
    opt_print_synopsis(out, sb_str(&head), tables, n, cmd->trailing, indent);
    sb_release(&head);
}

/* The command's options and its --json, in one list. */
static void print_options(FILE *out, const struct cmd *cmd)
{
    size_t n = 0;
    while (cmd->options && cmd->options[n].kind != OPTK_END)
        n++;
    bool json = cmd->flags & CMD_JSON;
    if (n == 0 && !json)
        return;
    struct opt *all = xcalloc(n + 2, sizeof *all);
    if (n)
        memcpy(all, cmd->options, n * sizeof *all);
    if (json) {
        all[n] = json_opt[0];
        if (cmd->json_help)
            all[n].help = cmd->json_help;
    }
    fputc('\n', out);
    opt_print_help(out, all);
    free(all);
}

static void print_paragraphs(FILE *out, const char *text)
{
    if (!text)
        return;
    fputc('\n', out);
    opt_print_wrapped(out, text);
}

void cmd_print_usage(FILE *out, const struct cmd *cmd)
{
    cmd_print_synopsis(out, cmd, "usage: ");
    print_paragraphs(out, cmd->description);
    print_options(out, cmd);
    if (cmd->subcommands) {
        char name[64];
        full_name(cmd, name, sizeof name);
        fprintf(out,
                "\nRun 'rove help %s SUBCOMMAND' (or 'rove %s SUBCOMMAND --help') for one "
                "subcommand's options.\n",
                name, name);
    }
    print_paragraphs(out, cmd->epilogue);
}

int cmd_usage_error(const struct cmd *cmd, const char *fmt, ...)
{
    char name[64];
    full_name(cmd, name, sizeof name);
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rove %s: ", name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    cmd_print_synopsis(stderr, cmd, "usage: ");
    return EXIT_USAGE;
}

const struct cmd *cmd_find(const char *name)
{
    for (size_t i = 0; cmd_table[i]; i++)
        if (strcmp(cmd_table[i]->name, name) == 0)
            return cmd_table[i];
    return NULL;
}

void cmd_print_overview(FILE *out)
{
    fputs("usage: rove [-f FILE] [-q|-v] [--version] [--help] COMMAND [ARGS...]\n", out);
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
