/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the control socket's request parser must answer any line a client sends with
 * a reply, a checked request or an error, without crashing, leaking or undefined behaviour; and
 * a request it accepts must be one the monitor can act on.
 * Input: one request line (a NUL byte ends it early, as the socket's reader does). */
#include "control.h"
#include "control_request.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct json_object *answer(void *ctx, const struct control_request *request)
{
    (void)ctx;
    if (request->command > CONTROL_KILL)
        abort();
    if (request->command == CONTROL_SHUTDOWN
            ? request->timeout_ms < -1 || request->timeout_ms > CONTROL_MAX_TIMEOUT_S * 1000LL
            : request->timeout_ms != -1)
        abort();
    struct json_object *reply = json_object_new_object();
    json_object_object_add(reply, "ok", json_object_new_boolean(1));
    return reply;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= CONTROL_LINE_MAX)
        return 0; /* the socket refuses longer lines before parsing */
    char *line = malloc(size + 1);
    memcpy(line, data, size);
    line[size] = '\0';
    struct control c = {.handler = answer};
    char *reply = control_answer_line(&c, line);
    if (!reply || reply[strlen(reply) - 1] != '\n')
        abort();
    free(reply);
    free(line);
    return 0;
}
