/* SPDX-License-Identifier: MIT */
/* The Unix control socket: one JSON object per line in, one JSON object per line out.
 *   {"cmd":"status"}                 -> {"ok":true,"state":"running",...}
 *   {"cmd":"forwards"}               -> {"ok":true,"forwards":[...]}
 *   {"cmd":"shutdown","timeout":10}  -> Ctrl-Alt-Del to the guest, stop after timeout seconds
 *   {"cmd":"kill"}                   -> stop at once
 */
#ifndef ROVE_VMM_CONTROL_H
#define ROVE_VMM_CONTROL_H

#include "control_request.h"

#include <json-c/json.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define CONTROL_MAX_CLIENTS 8
#define CONTROL_LINE_MAX    4096

struct control_client {
    int fd;
    size_t len;
    char buf[CONTROL_LINE_MAX];
};

/* Answers one request, already checked; returns a new object (the reply). */
typedef struct json_object *(*control_handler)(void *ctx, const struct control_request *request);

struct control {
    int listen_fd;
    struct control_client clients[CONTROL_MAX_CLIENTS];
    control_handler handler;
    void *handler_ctx;
    int first_pollfd; /* where control_fill put its descriptors */
};

/* Listens on path (a stale socket left by a dead monitor is replaced; a live one is an error).
 * Returns 0, or -1 after printing why. control_close leaves the socket file: the clean-up helper
 * removes it, as the filtered monitor cannot. */
int control_open(struct control *c, const char *path, control_handler handler, void *ctx);
void control_close(struct control *c);
void control_fill(struct control *c, struct pollfd *fds, int *count, int max);
void control_handle(struct control *c, const struct pollfd *fds);
/* The reply to one request line (exposed for tests). */
char *control_answer_line(struct control *c, const char *line);

#endif
