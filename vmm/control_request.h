/* SPDX-License-Identifier: MIT */
/* One request of the control socket, checked field by field before the monitor acts on it: the
 * socket is the monitor's way in from outside, so a request is hostile until it parses. */
#ifndef ROVE_VMM_CONTROL_REQUEST_H
#define ROVE_VMM_CONTROL_REQUEST_H

#include <stddef.h>
#include <stdint.h>

enum control_command { CONTROL_STATUS, CONTROL_FORWARDS, CONTROL_SHUTDOWN, CONTROL_KILL };

/* The longest grace period a shutdown may ask for: a day. */
#define CONTROL_MAX_TIMEOUT_S 86400

struct control_request {
    enum control_command command;
    int64_t timeout_ms; /* shutdown: the grace period, or -1 for the monitor's default */
};

/* Parses one request line: a JSON object with "cmd" (status, forwards, shutdown, kill) and, for
 * shutdown only, "timeout" (seconds, 0 to CONTROL_MAX_TIMEOUT_S). Returns 0, or -1 with the reason
 * written to error. */
int control_request_parse(const char *line, struct control_request *request, char *error,
                          size_t error_len);

#endif
