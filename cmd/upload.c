/* SPDX-License-Identifier: MIT */
/* rove upload: files and folders from the host into a running machine. */
#include "cli/cmd.h"
#include "provision/guest_upload.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* The name SRC has on its own, for a DEST left out: "app" for "./src/app/". */
static char *own_name(const char *src)
{
    size_t n = strlen(src);
    while (n > 1 && src[n - 1] == '/')
        n--;
    size_t start = n;
    while (start > 0 && src[start - 1] != '/')
        start--;
    return xstrndup(src + start, n - start);
}

static int run_upload(struct cmd_ctx *ctx, int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        return cmd_usage_error(ctx->cmd, "takes NAME SRC [DEST]");
    char *dest = argc == 3 ? xstrdup(argv[2]) : own_name(argv[1]);
    int rc = cmd_copy_on_guest(ctx, argv[0], guest_upload, "uploaded", argv[1], dest);
    free(dest);
    return rc;
}

const struct cmd cmd_upload = {
    .name = "upload",
    .run = run_upload,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE,
    .summary = "copy files or folders into a running machine",
    .args = "NAME SRC [DEST]",
    .description =
        "Copies the host's file or folder SRC to DEST in machine NAME (default: SRC's own name in "
        "the login user's home; a relative DEST is relative to it). A folder is copied with "
        "everything below it, its contents merged into DEST; modes are kept and symbolic links "
        "stay links.",
    .epilogue = "Exit code 0 when everything was copied, 1 when something was not (the message "
                "names it), 2 for a usage error.",
};
