/* SPDX-License-Identifier: MIT */
#include "control_request.h"

#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const command_names[] = {
    [CONTROL_STATUS] = "status",
    [CONTROL_FORWARDS] = "forwards",
    [CONTROL_SHUTDOWN] = "shutdown",
    [CONTROL_KILL] = "kill",
};
#define COMMAND_COUNT (sizeof command_names / sizeof command_names[0])

__attribute__((format(printf, 3, 4))) static int refuse(char *error, size_t len, const char *fmt,
                                                        ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error, len, fmt, ap);
    va_end(ap);
    return -1;
}

static int parse_command(struct json_object *value, enum control_command *command, char *error,
                         size_t len)
{
    if (!json_object_is_type(value, json_type_string))
        return refuse(error, len, "\"cmd\" must be a string (status, forwards, shutdown, kill)");
    const char *name = json_object_get_string(value);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (!strcmp(name, command_names[i])) {
            *command = (enum control_command)i;
            return 0;
        }
    return refuse(error, len, "unknown command '%.60s' (status, forwards, shutdown, kill)", name);
}

/* A number of seconds: an integer or a finite double, in range; never cast before it is checked,
 * as a NaN or huge double converted to an integer is undefined behaviour. */
static int parse_timeout(struct json_object *value, int64_t *timeout_ms, char *error, size_t len)
{
    const char *why = "\"timeout\" must be a number of seconds from 0 to 86400";
    if (json_object_is_type(value, json_type_int)) {
        int64_t seconds = json_object_get_int64(value);
        if (seconds < 0 || seconds > CONTROL_MAX_TIMEOUT_S)
            return refuse(error, len, "%s", why);
        *timeout_ms = seconds * 1000;
        return 0;
    }
    if (json_object_is_type(value, json_type_double)) {
        double seconds = json_object_get_double(value);
        if (!isfinite(seconds) || seconds < 0 || seconds > CONTROL_MAX_TIMEOUT_S)
            return refuse(error, len, "%s", why);
        *timeout_ms = (int64_t)(seconds * 1000);
        return 0;
    }
    return refuse(error, len, "%s", why);
}

int control_request_parse(const char *line, struct control_request *request, char *error,
                          size_t error_len)
{
    *request = (struct control_request){.command = CONTROL_STATUS, .timeout_ms = -1};
    struct json_object *root = json_tokener_parse(line);
    int rc = 0;
    bool has_command = false, has_timeout = false;
    if (!root || !json_object_is_type(root, json_type_object)) {
        rc = refuse(error, error_len, "request is not a JSON object");
        goto done;
    }
    struct json_object *timeout = NULL;
    json_object_object_foreach(root, key, value)
    {
        if (!strcmp(key, "cmd")) {
            rc = parse_command(value, &request->command, error, error_len);
            has_command = true;
        } else if (!strcmp(key, "timeout")) {
            timeout = value; /* NULL for a JSON null */
            has_timeout = true;
        } else {
            rc = refuse(error, error_len, "unknown field '%.60s' (cmd, timeout)", key);
        }
        if (rc < 0)
            goto done;
    }
    if (!has_command) {
        rc = refuse(error, error_len, "missing \"cmd\" (status, forwards, shutdown, kill)");
    } else if (has_timeout && request->command != CONTROL_SHUTDOWN) {
        rc = refuse(error, error_len, "\"timeout\" applies only to \"shutdown\"");
    } else if (has_timeout) {
        rc = parse_timeout(timeout, &request->timeout_ms, error, error_len);
    }
done:
    json_object_put(root);
    return rc;
}
