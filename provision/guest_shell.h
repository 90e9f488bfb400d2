/* SPDX-License-Identifier: MIT */
/* An interactive login shell over libssh with a pseudo-terminal: the fallback for `rove ssh NAME`
 * when no OpenSSH client is installed. */
#ifndef ROVE_PROVISION_GUEST_SHELL_H
#define ROVE_PROVISION_GUEST_SHELL_H

struct guest_conn;

/* Opens a shell with a PTY sized like the terminal on in_fd (80x24 when it is not a terminal),
 * puts that terminal in raw mode (restored before returning), follows window-size changes, and
 * forwards in_fd to the shell and its output to out_fd until the channel closes. Returns 0 with
 * *exit_status set, or -1 with *err set. */
int guest_interactive_shell(struct guest_conn *c, int in_fd, int out_fd, int *exit_status,
                            char **err);

#endif
