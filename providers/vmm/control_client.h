/* SPDX-License-Identifier: MIT */
/* Talking to a running rove-vmm through its control socket: one JSON request line, one JSON
 * reply line (see vmm/README.md). */
#ifndef ROVE_PROVIDERS_VMM_CONTROL_CLIENT_H
#define ROVE_PROVIDERS_VMM_CONTROL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#define VMM_CONTROL_ERROR_MAX 256

/* What a status reply says. */
struct vmm_status {
    char state[32]; /* "running", "shutting-down", ... */
    long pid;
    long long uptime_ms;
};

/* Sends request (one line of JSON, without the newline) and returns the reply line (newly
 * allocated, without the newline), or NULL with the reason in err. Waits at most timeout_ms. */
char *vmm_control_request(const char *socket_path, const char *request, int timeout_ms, char *err,
                          size_t err_len);

/* Parses a status reply. Returns 0, or -1 with the reason (also the monitor's own error). */
int vmm_status_parse(const char *reply, struct vmm_status *out, char *err, size_t err_len);

/* Checks a reply to shutdown or kill: {"ok":true,...}. Returns 0 or -1 with the reason. */
int vmm_reply_check(const char *reply, char *err, size_t err_len);

#endif
