/* SPDX-License-Identifier: MIT */
/* Control socket requests: every field is checked before the monitor acts, so a hostile client
 * gets an error reply, never a crash or undefined behaviour. */
#include "control.h"
#include "control_request.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct refused {
    const char *line;
    const char *reason; /* a part of the error */
};

static const struct refused refused[] = {
    {"{\"cmd\":null}", "\"cmd\" must be a string"},
    {"{\"cmd\":7}", "\"cmd\" must be a string"},
    {"{\"cmd\":[\"status\"]}", "\"cmd\" must be a string"},
    {"{\"cmd\":{}}", "\"cmd\" must be a string"},
    {"{}", "missing \"cmd\""},
    {"{\"timeout\":3}", "missing \"cmd\""},
    {"{\"cmd\":\"dance\"}", "unknown command 'dance'"},
    {"{\"cmd\":\"status\",\"verbose\":true}", "unknown field 'verbose'"},
    {"{\"cmd\":\"status\",\"timeout\":3}", "applies only to \"shutdown\""},
    {"{\"cmd\":\"shutdown\",\"timeout\":NaN}", "\"timeout\" must be a number of seconds"},
    {"{\"cmd\":\"shutdown\",\"timeout\":Infinity}", "\"timeout\" must be a number"},
    {"{\"cmd\":\"shutdown\",\"timeout\":-Infinity}", "\"timeout\" must be a number"},
    {"{\"cmd\":\"shutdown\",\"timeout\":1e300}", "\"timeout\" must be a number"},
    {"{\"cmd\":\"shutdown\",\"timeout\":1e400}", "\"timeout\" must be a number"},
    {"{\"cmd\":\"shutdown\",\"timeout\":99999999999999999999}", "\"timeout\" must be a number"},
    {"{\"cmd\":\"shutdown\",\"timeout\":-1}", "\"timeout\" must be a number"},
    {"{\"cmd\":\"shutdown\",\"timeout\":86401}", "\"timeout\" must be a number"},
    {"{\"cmd\":\"shutdown\",\"timeout\":\"10\"}", "\"timeout\" must be a number"},
    {"{\"cmd\":\"shutdown\",\"timeout\":null}", "\"timeout\" must be a number"},
    {"{\"cmd\":\"shutdown\",\"timeout\":true}", "\"timeout\" must be a number"},
    {"[\"status\"]", "not a JSON object"},
    {"\"status\"", "not a JSON object"},
    {"null", "not a JSON object"},
    {"", "not a JSON object"},
    {"{\"cmd\":\"status\"", "not a JSON object"},
};

static void test_hostile_requests_are_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct control_request request;
        char error[160] = "";
        int rc = control_request_parse(refused[i].line, &request, error, sizeof error);
        if (rc != -1 || !strstr(error, refused[i].reason))
            fail_msg("%s: rc %d, error '%s', expected '%s'", refused[i].line, rc, error,
                     refused[i].reason);
    }
}

static void expect_request(const char *line, enum control_command command, int64_t timeout_ms)
{
    struct control_request request;
    char error[160] = "";
    if (control_request_parse(line, &request, error, sizeof error) != 0)
        fail_msg("%s: refused: %s", line, error);
    assert_int_equal(request.command, command);
    assert_int_equal(request.timeout_ms, timeout_ms);
}

static void test_valid_requests(void **state)
{
    (void)state;
    expect_request("{\"cmd\":\"status\"}", CONTROL_STATUS, -1);
    expect_request(" {\"cmd\" : \"forwards\"} ", CONTROL_FORWARDS, -1);
    expect_request("{\"cmd\":\"kill\"}", CONTROL_KILL, -1);
    expect_request("{\"cmd\":\"shutdown\"}", CONTROL_SHUTDOWN, -1);
    expect_request("{\"cmd\":\"shutdown\",\"timeout\":10}", CONTROL_SHUTDOWN, 10000);
    expect_request("{\"timeout\":0,\"cmd\":\"shutdown\"}", CONTROL_SHUTDOWN, 0);
    expect_request("{\"cmd\":\"shutdown\",\"timeout\":2.5}", CONTROL_SHUTDOWN, 2500);
    expect_request("{\"cmd\":\"shutdown\",\"timeout\":86400}", CONTROL_SHUTDOWN, 86400000);
}

static struct json_object *answer(void *ctx, const struct control_request *request)
{
    (void)ctx;
    struct json_object *reply = json_object_new_object();
    json_object_object_add(reply, "ok", json_object_new_boolean(1));
    json_object_object_add(reply, "command", json_object_new_int(request->command));
    return reply;
}

/* The socket's replies: the handler sees only checked requests; refusals are error replies. */
static void test_answer_line(void **state)
{
    (void)state;
    struct control c = {.handler = answer};
    char *reply = control_answer_line(&c, "{\"cmd\":null}");
    assert_string_equal(reply, "{\"ok\":false,\"error\":\"\\\"cmd\\\" must be a string (status, "
                               "forwards, shutdown, kill)\"}\n");
    free(reply);
    reply = control_answer_line(&c, "{\"cmd\":\"kill\"}");
    assert_string_equal(reply, "{\"ok\":true,\"command\":3}\n");
    free(reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_requests_are_refused),
        cmocka_unit_test(test_valid_requests),
        cmocka_unit_test(test_answer_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
