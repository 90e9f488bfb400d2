/* A running machine as an OpenSSH target: its "Host NAME" configuration block. */
#ifndef ROVE_CMD_SSH_TARGET_H
#define ROVE_CMD_SSH_TARGET_H

#include "cmd/runtime.h"

/* The block for rt's machine, newly allocated, or NULL after printing why (not running...). */
char *ssh_target_config(struct machine_runtime *rt);

#endif
