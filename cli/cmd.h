/* The command table: every `rove` command is one entry, implemented in cmd/NAME.c.
 *
 * main() parses the options of every command: the common ones (-f/--file, --json, -q, -v,
 * --no-wait, -h/--help) and the command's own, which it hands to cmd->option(). A command's own
 * short option wins over a common one (`destroy -f` is --force; the machinefile is then given as
 * --file or before the command name). Then main() loads the machinefile when the command needs it
 * and calls cmd->run() with the positional arguments. */
#ifndef ROVE_CLI_CMD_H
#define ROVE_CLI_CMD_H

#include "engine/plan.h"

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

/* The machines named in argv (all of them, in machinefile order, when argc is 0) as a plan,
 * locked with CMD_TAKES_LOCK (until exit). An unknown name is a usage error. Returns EXIT_OK
 * (release the plan with engine_plan_release) or an exit code to return. */
int cmd_plan(struct cmd_ctx *ctx, int argc, char **argv, struct engine_plan *plan);
/* Runs step(rt, arg) on each machine of cmd_plan(), with its runtime prepared; how is a set of
 * PLAN_ flags (engine/plan.h). Returns EXIT_OK, EXIT_FAIL when step failed for any machine, or the
 * selection's exit code. */
int cmd_each_machine(struct cmd_ctx *ctx, int argc, char **argv, unsigned how,
                     int (*step)(struct machine_runtime *rt, void *arg), void *arg);

/* --provision / --no-provision, shared by the commands that bring machines up. */
enum provision_mode;
enum { OPT_PROVISION = 0x300, OPT_NO_PROVISION };
#define PROVISION_LONGOPTS                                                                         \
    {"provision", no_argument, NULL, OPT_PROVISION},                                               \
    {                                                                                              \
        "no-provision", no_argument, NULL, OPT_NO_PROVISION                                        \
    }
/* Applies one of those options to *mode; a usage error when they contradict each other. */
int provision_mode_option(const struct cmd *cmd, int opt, enum provision_mode *mode);

#endif
