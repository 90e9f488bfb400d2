/* Every rove command, in the order `rove --help` lists them. */
#include "cmd/cmd.h"

extern const struct cmd cmd_init, cmd_validate, cmd_status, cmd_help;

const struct cmd *const cmd_table[] = {
    &cmd_init, &cmd_validate, &cmd_status, &cmd_help, NULL,
};
