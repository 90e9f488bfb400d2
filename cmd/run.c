/* rove run: for CI. Brings the machines up, runs a command in the first one, destroys them all
 * whatever happened, and exits with the command's exit status. */
#include "cmd/cmd.h"
#include "cmd/lifecycle.h"
#include "cmd/ssh_target.h"
#include "machine/global_index.h"
#include "provision/shell_quote.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static const char usage[] =
    "usage: rove run [--keep] [NAME...] -- COMMAND [ARG...]\n"
    "\n"
    "For CI: brings up the machines (all of them, or those named), runs COMMAND in the first one\n"
    "(one argument is run as a shell command line; several are quoted word by word), then\n"
    "destroys every machine it brought up, also when something failed or on Ctrl-C.\n"
    "Exits with COMMAND's exit status, or 255 when rove could not run it.\n"
    "\n"
    "  --keep  do not destroy the machines afterwards\n";

static bool keep;
static volatile sig_atomic_t interrupted;

enum { OPT_KEEP = 0x320 };

static const struct option longopts[] = {
    {"keep", no_argument, NULL, OPT_KEEP},
    {NULL, 0, NULL, 0},
};

static int run_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
    (void)ctx;
    (void)arg;
    keep = opt == OPT_KEEP;
    return 0;
}

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

static char *command_line(int argc, char **argv)
{
    if (argc == 1)
        return xstrdup(argv[0]);
    struct strbuf cmd = STRBUF_INIT;
    for (int i = 0; i < argc; i++) {
        if (i)
            sb_addc(&cmd, ' ');
        sh_quote(&cmd, argv[i]);
    }
    return sb_detach(&cmd);
}

static void destroy_all(struct machine_runtime *rts, size_t count)
{
    for (size_t i = count; i-- > 0;) {
        if (runtime_destroy(&rts[i]) == 0) {
            global_index_remove(rts[i].mf, rts[i].m);
            log_info(RT_FMT "destroyed", rts[i].m->name);
        }
    }
}

static int run_run(struct cmd_ctx *ctx, int argc, char **argv)
{
    if (ctx->args_after_dashdash <= 0)
        return cmd_usage_error(ctx->cmd, "no command given (rove run [NAME...] -- COMMAND)");
    int names = argc - ctx->args_after_dashdash;
    struct machine **machines;
    size_t count;
    int rc = cmd_select_machines(ctx, names, argv, &machines, &count);
    if (rc != EXIT_OK)
        return rc;
    /* Ctrl-C must not skip the clean-up: stop at the next step, then destroy. */
    signal(SIGINT, on_interrupt);
    signal(SIGTERM, on_interrupt);
    struct machine_runtime *rts = xcalloc(count, sizeof *rts);
    struct up_options up = {.provision = PROVISION_DEFAULT};
    size_t started = 0;
    int status = EXIT_OK;
    for (; started < count && status == EXIT_OK && !interrupted; started++) {
        runtime_init(&rts[started], ctx->mf, machines[started]);
        if (machine_up(&rts[started], &up) < 0)
            status = EXIT_REMOTE_FAILED;
    }
    if (status == EXIT_OK && !interrupted) {
        char *command = command_line(argc - names, argv + names);
        log_info(RT_FMT "running: %s", rts[0].m->name, command);
        status = ssh_target_exec(&rts[0], command);
        free(command);
    }
    if (interrupted) {
        log_error("interrupted");
        status = EXIT_REMOTE_FAILED;
    }
    if (!keep)
        destroy_all(rts, started);
    for (size_t i = 0; i < started; i++)
        runtime_release(&rts[i]);
    for (size_t i = 0; i < count; i++)
        state_tidy_machine(ctx->mf, machines[i]->name);
    free(rts);
    free(machines);
    return status;
}

const struct cmd cmd_run = {
    .name = "run",
    .run = run_run,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK,
    .summary = "for CI: up, run a command in the first machine, destroy",
    .usage = usage,
    .longopts = longopts,
    .option = run_option,
};
