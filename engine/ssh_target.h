/* SPDX-License-Identifier: MIT */
/* A running machine as an OpenSSH target: its "Host NAME" configuration block. */
#ifndef ROVE_ENGINE_SSH_TARGET_H
#define ROVE_ENGINE_SSH_TARGET_H

#include "engine/engine.h"

/* The block for rt's machine, newly allocated, or NULL after printing why (not running...). */
char *ssh_target_config(struct machine_runtime *rt);

/* Like ssh(1): the remote command's exit status, or this when rove could not run it. */
#define EXIT_REMOTE_FAILED 255

/* Runs command in the running machine, its stdout and stderr to ours, kept apart. Returns its
 * exit status, or EXIT_REMOTE_FAILED after printing why it could not be run. */
int ssh_target_exec(struct machine_runtime *rt, const char *command);

#endif
