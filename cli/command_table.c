/* SPDX-License-Identifier: MIT */
/* Every rove command, in the order `rove --help` lists them. */
#include "cli/cmd.h"

extern const struct cmd cmd_init, cmd_validate, cmd_up, cmd_status, cmd_ssh, cmd_ssh_config,
    cmd_upload, cmd_download, cmd_provision, cmd_halt, cmd_reload, cmd_destroy, cmd_run,
    cmd_global_status, cmd_snapshot, cmd_box, cmd_help;

const struct cmd *const cmd_table[] = {
    &cmd_init,   &cmd_validate,      &cmd_up,        &cmd_status, &cmd_ssh,    &cmd_ssh_config,
    &cmd_upload, &cmd_download,      &cmd_provision, &cmd_halt,   &cmd_reload, &cmd_destroy,
    &cmd_run,    &cmd_global_status, &cmd_snapshot,  &cmd_box,    &cmd_help,   NULL,
};

/* This binary holds every command: nothing to hand over. */
int cmd_hand_over(char **argv)
{
    (void)argv;
    return -1;
}
