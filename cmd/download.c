/* SPDX-License-Identifier: MIT */
/* rove download: files and folders from a running machine to the host. */
#include "cli/cmd.h"
#include "provision/guest_download.h"

static int run_download(struct cmd_ctx *ctx, int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        return cmd_usage_error(ctx->cmd, "takes NAME SRC [DEST]");
    return cmd_copy_on_guest(ctx, argv[0], guest_download, "downloaded", argv[1],
                             argc == 3 ? argv[2] : ".");
}

const struct cmd cmd_download = {
    .name = "download",
    .run = run_download,
    .flags = CMD_NEEDS_MACHINEFILE | CMD_TAKES_LOCK | CMD_INTERRUPTIBLE,
    .summary = "copy files or folders out of a running machine",
    .args = "NAME SRC [DEST]",
    .description =
        "Copies the guest's file or folder SRC (relative: to the login user's home) out of "
        "machine NAME to DEST on the host: into DEST when it is a folder, else to DEST itself "
        "(default: the working folder). Modes are kept and symbolic links stay links; the guest "
        "is not trusted: nothing is written through a link, and special files are refused.",
    .epilogue = "Exit code 0 when everything was copied, 1 when something was not (the message "
                "names it), 2 for a usage error.",
};
