/* SPDX-License-Identifier: MIT */
/* --daemon and --pidfile. The fork happens before KVM is opened (a VM belongs to the process that
 * created it); the parent waits until the child is set up, so set-up errors still reach the
 * caller's terminal and exit status. */
#ifndef ROVE_VMM_DAEMON_H
#define ROVE_VMM_DAEMON_H

/* In the parent: waits for the child and exits with 0 once it is ready, or with the child's exit
 * status if it failed. In the child: returns 0 in a new session. Returns -1 if fork failed. */
int daemon_start(void);
/* In the child: set-up succeeded; detach stdio and release the waiting parent. */
void daemon_ready(void);
/* Writes the pid file (0644, atomically). Returns 0, or -1 after printing why. */
int pidfile_write(const char *path);
/* Nothing removes it here: the clean-up helper does once the monitor ends (cleanup_helper.h). */

#endif
