/* SPDX-License-Identifier: MIT */
#include "read_sandbox.h"
#include "vmm_log.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Only reading is handled: everything else that could change the file system is outside the
 * seccomp filter already. Both rights exist since Landlock's first version. */
#define HANDLED_ACCESS (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

static int create_ruleset(void)
{
    struct landlock_ruleset_attr attr = {.handled_access_fs = HANDLED_ACCESS};
    return (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
}

/* Allows reading the files beneath folder. */
static int allow_reads_beneath(int ruleset, const char *folder)
{
    int fd = open(folder, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct landlock_path_beneath_attr rule = {.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
                                              .parent_fd = fd};
    int rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

bool read_sandbox_install(const char *file)
{
    char resolved[PATH_MAX];
    if (!realpath(file, resolved))
        snprintf(resolved, sizeof resolved, "%s", file);
    int ruleset = create_ruleset();
    if (ruleset < 0) {
        vmm_debug("reads not confined: no Landlock here (%s)", strerror(errno));
        return false;
    }
    const char *folder = dirname(resolved);
    bool confined = allow_reads_beneath(ruleset, folder) == 0 &&
                    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
                    syscall(SYS_landlock_restrict_self, ruleset, 0) == 0;
    if (confined)
        vmm_debug("reads confined to %s", folder);
    else
        vmm_debug("reads not confined to %s: %s", folder, strerror(errno));
    close(ruleset);
    return confined;
}
