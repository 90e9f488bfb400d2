/* SPDX-License-Identifier: MIT */
/* rove ssh: a shell in a machine (OpenSSH), or one command in it (libssh). */
#include "cli/cmd.h"
#include "engine/engine.h"
#include "engine/ssh_target.h"
#include "provision/guest_conn.h"
#include "provision/guest_shell.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ssh_args {
    const char *command;
};

static const struct opt ssh_opts[] = {
    OPT_STRING('c', "command", struct ssh_args, command, "COMMAND",
               "run COMMAND instead, its stdout and stderr kept apart, and exit with its exit "
               "status (255 when it could not be run)"),
    OPT_END,
};

/* Without an OpenSSH client: a libssh session with a pseudo-terminal. */
static int run_builtin_shell(struct machine_runtime *rt)
{
    struct guest_conn *conn;
    if (runtime_connect(rt, &conn) < 0)
        return EXIT_REMOTE_FAILED;
    int status = EXIT_REMOTE_FAILED;
    char *err = NULL;
    if (guest_interactive_shell(conn, STDIN_FILENO, STDOUT_FILENO, &status, &err) < 0) {
        log_error(RT_FMT "%s", rt->m->name, err ? err : "the shell failed");
        status = EXIT_REMOTE_FAILED;
    }
    free(err);
    guest_disconnect(conn);
    return status;
}

static int exec_openssh(struct machine_runtime *rt, int argc, char **argv)
{
    char *config = ssh_target_config(rt);
    if (!config)
        return EXIT_REMOTE_FAILED;
    char *path = fs_join(rt->state_dir, RUNTIME_SSH_CONFIG);
    if (fs_write_atomic(path, config, strlen(config), 0600) < 0) {
        log_error(RT_FMT "cannot write %s: %s", rt->m->name, path, strerror(errno));
        return EXIT_REMOTE_FAILED;
    }
    free(config);
    char **args = xcalloc((size_t)argc + 5, sizeof *args);
    size_t n = 0;
    args[n++] = "ssh";
    args[n++] = "-F";
    args[n++] = path;
    /* OpenSSH reads options after the destination too, so SSH-ARGS may mix options and a
     * command: ssh -F FILE NAME -o BatchMode=yes uname -a */
    args[n++] = rt->m->name;
    for (int i = 0; i < argc; i++)
        args[n++] = argv[i];
    execvp("ssh", args);
    if (errno != ENOENT) {
        log_error("cannot run ssh: %s", strerror(errno));
        return EXIT_REMOTE_FAILED;
    }
    free(args);
    free(path);
    log_debug("no ssh client installed; using rove's own");
    return run_builtin_shell(rt);
}

static int run_ssh(struct cmd_ctx *ctx, int argc, char **argv)
{
    const char *command = ((const struct ssh_args *)ctx->args)->command;
    struct machine *m = NULL;
    /* The first argument names the machine unless it starts the SSH arguments. */
    if (argc > 0 && !(ctx->mf->nmachines == 1 && !machinefile_find(ctx->mf, argv[0]))) {
        if (!(m = machinefile_find(ctx->mf, argv[0])))
            return cmd_usage_error(ctx->cmd, "no machine named '%s'", argv[0]);
        argc--, argv++;
    } else if (ctx->mf->nmachines == 1) {
        m = &ctx->mf->machines[0];
    } else {
        return cmd_usage_error(ctx->cmd, "name the machine: this machinefile has %zu",
                               ctx->mf->nmachines);
    }
    if (command && argc > 0)
        return cmd_usage_error(ctx->cmd, "-c takes no SSH arguments");
    struct machine_runtime rt;
    runtime_init(&rt, ctx->mf, m);
    int rc = command ? ssh_target_exec(&rt, command) : exec_openssh(&rt, argc, argv);
    runtime_release(&rt);
    return rc;
}

const struct cmd cmd_ssh = {
    .name = "ssh",
    .run = run_ssh,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_INTERRUPTIBLE,
    .summary = "log in to a machine, or run a command in it",
    .args = "[NAME]",
    .trailing = "[-- SSH-ARGS...]",
    .description =
        "Logs in to machine NAME (the only machine when there is one) with OpenSSH, using the\n"
        "machine's own key, port and known host key; SSH-ARGS go to ssh. Without an ssh client,\n"
        "rove opens the shell itself.\n",
    .options = ssh_opts,
    .args_size = sizeof(struct ssh_args),
};
