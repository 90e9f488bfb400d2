/* SPDX-License-Identifier: MIT */
/* The commands of the front `rove` binary: those that only read the machinefile and rove's state,
 * and must start in a few milliseconds (`rove status` in a shell prompt or a script's loop). It
 * links no download, archive or SSH library; every other command is handed over to the full
 * binary, rove-full, which holds them all. */
#include "cli/cmd.h"
#include "util/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef ROVE_FULL_PATH
#define ROVE_FULL_PATH "/usr/local/libexec/rove/rove-full"
#endif
#define FULL_NAME "rove-full"

extern const struct cmd cmd_init, cmd_validate, cmd_status, cmd_global_status;

const struct cmd *const cmd_table[] = {
    &cmd_init, &cmd_validate, &cmd_status, &cmd_global_status, NULL,
};

/* Beside this binary (the build tree), in ../libexec/rove (a moved installation), or where it
 * was installed. */
static void exec_full(char **argv)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        const char *const relative[] = {"/" FULL_NAME, "/../libexec/rove/" FULL_NAME};
        for (size_t i = 0; slash && i < sizeof relative / sizeof relative[0]; i++) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%.*s%s", (int)(slash - self), self, relative[i]);
            execv(path, argv);
        }
    }
    execv(ROVE_FULL_PATH, argv);
}

int cmd_hand_over(char **argv)
{
    exec_full(argv);
    log_error("cannot run %s, which holds rove's other commands: %s (is rove installed "
              "completely?)",
              ROVE_FULL_PATH, strerror(errno));
    return EXIT_FAIL;
}
