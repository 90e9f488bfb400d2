/* The command table: every `rove` command is one entry, implemented in cmd/NAME.c.
 *
 * main() parses the options of every command: the common ones (-f/--file, --json, -q, -v,
 * --no-wait, -h/--help) and the command's own, which it hands to cmd->option(). A command's own
 * short option wins over a common one (`destroy -f` is --force; the machinefile is then given as
 * --file or before the command name). Then main() loads the machinefile when the command needs it
 * and calls cmd->run() with the positional arguments. */
#ifndef ROVE_CMD_CMD_H
#define ROVE_CMD_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct machinefile;
struct machine;

enum cmd_flags {
    CMD_NEEDS_MACHINEFILE = 1 << 0, /* load and validate the machinefile first (exit 2 on errors) */
    CMD_TAKES_LOCK = 1 << 1,        /* cmd_select_machines() locks each selected machine */
    CMD_JSON = 1 << 2,              /* accepts --json */
    CMD_HIDDEN = 1 << 3,            /* not listed by `rove --help` */
    /* SIGINT, SIGTERM and SIGHUP end its waits (util/interrupt.h) and its exit status is then
     * 128 + the signal, as a shell reports it */
    CMD_INTERRUPTIBLE = 1 << 4,
};

/* Global options and what main() prepared, passed to every command. */
struct cmd_ctx {
    const struct cmd *cmd;
    const char *machinefile_path; /* -f/--file or ROVE_MACHINEFILE; NULL: discover */
    bool json;                    /* --json */
    bool no_wait;                 /* --no-wait: fail at once on a locked machine */
    struct machinefile *mf;       /* loaded when CMD_NEEDS_MACHINEFILE */
    int args_after_dashdash;      /* positional arguments given after "--"; -1: no "--" */
};

struct cmd {
    const char *name;
    int (*run)(struct cmd_ctx *ctx, int argc, char **argv); /* positional arguments only */
    unsigned flags;
    const char *summary;           /* one line for `rove --help` */
    const char *usage;             /* full usage text: `rove help NAME`, `rove NAME --help` */
    const struct option *longopts; /* the command's own options (NULL-terminated), or NULL */
    const char *shortopts;         /* getopt letters of its own options, or NULL */
    /* Receives each of the command's own options; returns 0, or non-zero for a bad value (after
     * printing why with cmd_usage_error()). */
    int (*option)(struct cmd_ctx *ctx, int opt, const char *arg);
};

/* Exit codes shared by every command (the README documents them). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Prints "rove NAME: message" and the command's usage line; returns EXIT_USAGE. */
int cmd_usage_error(const struct cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const struct cmd *cmd_find(const char *name);
/* `rove --help`: the usage line, the listed commands and the common options. */
void cmd_print_overview(FILE *out);
/* The table, terminated by an entry with a NULL name. */
extern const struct cmd *const cmd_table[];
/* The front binary holds only the commands that must start fast (table_front.c): for the others,
 * for `rove --help` and for no command at all it runs the full binary in its place with the same
 * arguments. Returns -1 in the full binary (go on here), else an exit code (the exec failed). */
int cmd_hand_over(char **argv);

/* The machinefile this command works on: -f/--file, else $ROVE_MACHINEFILE, else the nearest
 * machinefile.yaml at or above the working folder. Returns a newly allocated path, or NULL after
 * printing why. */
char *cmd_machinefile_path(const struct cmd_ctx *ctx);

/* Selects machines by name from ctx->mf (all of them, in machinefile order, when argc is 0). An
 * unknown name is a usage error. With CMD_TAKES_LOCK the selected machines are locked (released at
 * exit). Fills *out (array of ctx->mf's machines, caller frees the array) and *count; returns
 * EXIT_OK or an exit code to return. */
int cmd_select_machines(struct cmd_ctx *ctx, int argc, char **argv, struct machine ***out,
                        size_t *count);

/* Runs fn on each selected machine (see cmd_select_machines), with its runtime prepared. Goes on
 * past failures unless EACH_STOP_AT_FAILURE; EACH_REVERSE walks the machinefile backwards (for
 * commands that take machines down). An interrupt ends the walk, unless EACH_THROUGH_INTERRUPTS
 * (clean-up that must finish). Returns EXIT_OK, EXIT_FAIL when fn failed (returned non-zero)
 * for any machine, or the selection's exit code. */
struct machine_runtime;
enum { EACH_REVERSE = 1 << 0, EACH_STOP_AT_FAILURE = 1 << 1, EACH_THROUGH_INTERRUPTS = 1 << 2 };
int cmd_each_machine(struct cmd_ctx *ctx, int argc, char **argv, unsigned how,
                     int (*fn)(struct machine_runtime *rt));

#endif
