/* SPDX-License-Identifier: MIT */
/* The machine's rove-vmm process: launching it as a daemon, finding it through its pid file,
 * waiting for it to end. */
#ifndef ROVE_PROVIDERS_VMM_VMM_PROCESS_H
#define ROVE_PROVIDERS_VMM_VMM_PROCESS_H

#include <stdbool.h>
#include <stddef.h>

/* The pid in pid_path when that process is alive and is a rove-vmm (a recycled pid is not);
 * 0 otherwise. */
long vmm_process_find(const char *pid_path);

/* Runs argv (rove-vmm --daemon ...) with its output in log_path and waits for it to return.
 * Returns its exit code, or -1 when it could not run (err says why). */
int vmm_process_launch(char *const *argv, const char *log_path, char *err, size_t err_len);

/* Waits up to timeout_ms for pid to end. True when it has ended. */
bool vmm_process_wait_gone(long pid, int timeout_ms);

#endif
