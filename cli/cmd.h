/* SPDX-License-Identifier: MIT */
/* The command table: every `rove` command is one entry, implemented in cmd/NAME.c.
 *
 * main() parses each command's options from its table (cli/options.h) into a struct of the
 * command's own (ctx->args, one per call), together with the options every command takes
 * (-f/--file, -q, -v, --json, --no-wait, -h/--help). A command's own option wins over a common
 * one with the same letter (`destroy -f` is --force; the machinefile is then given as --file or
 * before the command name). A command with subcommands (`box`) has a table per subcommand, so
 * an option of one subcommand is an error on another. Then main() loads the machinefile when the
 * command needs it and calls cmd->run() with the positional arguments. The usage text is
 * generated from the same table (cmd_print_usage). */
#ifndef ROVE_CLI_CMD_H
#define ROVE_CLI_CMD_H

#include "cli/options.h"
#include "engine/plan.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct machinefile;
struct machine;
struct machine_runtime;

enum cmd_flags {
    CMD_NEEDS_MACHINEFILE = 1 << 0, /* load and validate the machinefile first (exit 2 on errors) */
    CMD_TAKES_LOCK = 1 << 1,        /* cmd_plan() locks each selected machine */
    CMD_JSON = 1 << 2,              /* accepts --json */
    CMD_HIDDEN = 1 << 3,            /* not listed by `rove --help` */
    /* SIGINT, SIGTERM and SIGHUP end its waits (util/interrupt.h) and its exit status is then
     * 128 + the signal, as a shell reports it */
    CMD_INTERRUPTIBLE = 1 << 4,
    /* skip checking the machinefile's provider sections against the providers' schemas (which
     * loads the providers): for `status`, which must answer in milliseconds */
    CMD_QUICK_MACHINEFILE = 1 << 5,
};

/* The options every command takes. */
struct common_args {
    const char *machinefile_path; /* -f/--file; NULL: $ROVE_MACHINEFILE, else discover */
    bool json;                    /* --json */
    bool no_wait;                 /* --no-wait: fail at once on a locked machine */
    int log_level;                /* -q, -v: enum log_level; -1 when neither */
};

/* What main() prepared for one call of a command. */
struct cmd_ctx {
    const struct cmd *cmd;
    struct common_args common;
    void *args;              /* the command's own options, filled from cmd->options */
    struct machinefile *mf;  /* loaded when CMD_NEEDS_MACHINEFILE */
    int args_after_dashdash; /* positional arguments given after "--"; -1: no "--" */
};

struct cmd {
    const char *name;
    const struct cmd *parent; /* the command of a subcommand (`box` of `box add`), or NULL */
    int (*run)(struct cmd_ctx *ctx, int argc, char **argv); /* positional arguments only */
    unsigned flags;
    const char *summary;  /* one line for `rove --help` */
    const char *args;     /* the synopsis' positional arguments before the options: "[NAME...]" */
    const char *trailing; /* and after them: "-- COMMAND [ARG...]" */
    const char *description;   /* paragraphs between the synopsis and the options */
    const char *epilogue;      /* after the options: exit codes, environment; may be NULL */
    const char *json_help;     /* what --json prints (CMD_JSON); NULL: a generic line */
    const struct opt *options; /* the command's own, OPT_END-terminated, or NULL */
    size_t args_size;          /* size of the struct they fill (ctx->args) */
    const struct cmd *const *subcommands; /* NULL-terminated, or NULL */
};

/* Exit codes shared by every command (the README documents them). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Prints "rove NAME: message" and the command's synopsis; returns EXIT_USAGE. */
int cmd_usage_error(const struct cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The whole usage text: synopsis, description, options, epilogue. */
void cmd_print_usage(FILE *out, const struct cmd *cmd);
/* The synopsis alone ("usage: rove up [NAME...] ..."), wrapped; for a command with subcommands,
 * one per subcommand. */
void cmd_print_synopsis(FILE *out, const struct cmd *cmd, const char *prefix);
const struct cmd *cmd_find(const char *name);
/* `rove --help`: the usage line, the listed commands and the common options. */
void cmd_print_overview(FILE *out);
/* The table, terminated by an entry with a NULL name. */
extern const struct cmd *const cmd_table[];
/* The front binary holds only the commands that must start fast (command_table_front.c): for the
 * others, for `rove --help` and for no command at all it runs the full binary in its place with the
 * same arguments. Returns -1 in the full binary (go on here), else an exit code (the exec failed).
 */
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
 * PLAN_ flags (engine/plan.h). Returns EXIT_OK, EXIT_FAIL when step failed for any machine, or
 * the selection's exit code. */
int cmd_each_machine(struct cmd_ctx *ctx, int argc, char **argv, unsigned how,
                     int (*step)(struct machine_runtime *rt, void *arg), void *arg);

/* Connects to the running machine named and calls step(rt, conn, arg) (a failure of step has
 * been reported by it). Returns EXIT_OK, EXIT_FAIL, or the selection's exit code. */
struct guest_conn;
int cmd_on_guest(struct cmd_ctx *ctx, char *name,
                 int (*step)(struct machine_runtime *rt, struct guest_conn *conn, void *arg),
                 void *arg);
/* Through cmd_on_guest: copy(conn, src, dest, &err) (guest_upload or guest_download), then
 * "NAME: VERB SRC to DEST", or the copy's error. */
typedef int (*cmd_copy_fn)(struct guest_conn *c, const char *src, const char *dest, char **err);
int cmd_copy_on_guest(struct cmd_ctx *ctx, char *name, cmd_copy_fn copy, const char *verb,
                      const char *src, const char *dest);

/* --provision / --no-provision, for the commands that bring machines up: fields of type
 * enum provision_mode (engine/engine.h), default PROVISION_DEFAULT. */
#define OPT_PROVISION_MODE(T, f)                                                                   \
    OPT_SET(0, "provision", T, f, PROVISION_FORCE,                                                 \
            "run every provisioner, even those that already ran"),                                 \
        OPT_SET(0, "no-provision", T, f, PROVISION_NONE, "run none")

#endif
