/* SPDX-License-Identifier: MIT */
#include "providers/vmm/control_client.h"
#include "util/strbuf.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_to(const char *socket_path, char *err, size_t err_len)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof addr.sun_path) {
        snprintf(err, err_len, "control socket path %s is longer than %zu bytes", socket_path,
                 sizeof addr.sun_path - 1);
        return -1;
    }
    strcpy(addr.sun_path, socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        snprintf(err, err_len, "cannot connect to %s: %s", socket_path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int send_line(int fd, const char *request)
{
    char *line = xasprintf("%s\n", request);
    size_t len = strlen(line), done = 0;
    while (done < len) {
        ssize_t n = send(fd, line + done, len - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    free(line);
    return done == len ? 0 : -1;
}

/* Reads up to the first newline before the deadline. */
static char *read_line(int fd, long long deadline, char *err, size_t err_len)
{
    struct strbuf sb = STRBUF_INIT;
    for (;;) {
        long long left = deadline - now_ms();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            snprintf(err, err_len, "no reply within the time limit");
            break;
        }
        char buf[1024];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, err_len, "the monitor closed the connection without a reply");
            break;
        }
        char *nl = memchr(buf, '\n', (size_t)n);
        sb_addn(&sb, buf, nl ? (size_t)(nl - buf) : (size_t)n);
        if (nl)
            return sb_detach(&sb);
        if (sb.len > 1 << 20) {
            snprintf(err, err_len, "reply longer than 1 MiB");
            break;
        }
    }
    sb_release(&sb);
    return NULL;
}

char *vmm_control_request(const char *socket_path, const char *request, int timeout_ms, char *err,
                          size_t err_len)
{
    long long deadline = now_ms() + timeout_ms;
    int fd = connect_to(socket_path, err, err_len);
    if (fd < 0)
        return NULL;
    char *reply = NULL;
    if (send_line(fd, request) != 0)
        snprintf(err, err_len, "cannot send to %s: %s", socket_path, strerror(errno));
    else
        reply = read_line(fd, deadline, err, err_len);
    close(fd);
    return reply;
}

/* Parses reply into an object with "ok":true; NULL with the reason otherwise. */
static struct json_object *parse_ok(const char *reply, char *err, size_t err_len)
{
    struct json_object *o = json_tokener_parse(reply), *v;
    if (!o || !json_object_is_type(o, json_type_object)) {
        snprintf(err, err_len, "the monitor's reply is not a JSON object: %.80s", reply);
    } else if (!json_object_object_get_ex(o, "ok", &v) || !json_object_get_boolean(v)) {
        snprintf(err, err_len, "the monitor refused: %s",
                 json_object_object_get_ex(o, "error", &v) ? json_object_get_string(v)
                                                           : "(no error given)");
    } else {
        return o;
    }
    json_object_put(o);
    return NULL;
}

int vmm_status_parse(const char *reply, struct vmm_status *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    struct json_object *o = parse_ok(reply, err, err_len), *v;
    if (!o)
        return -1;
    int rc = 0;
    if (!json_object_object_get_ex(o, "state", &v) || !json_object_is_type(v, json_type_string)) {
        snprintf(err, err_len, "the monitor's status reply has no state");
        rc = -1;
    } else {
        snprintf(out->state, sizeof out->state, "%s", json_object_get_string(v));
        if (json_object_object_get_ex(o, "pid", &v))
            out->pid = (long)json_object_get_int64(v);
        if (json_object_object_get_ex(o, "uptime_ms", &v))
            out->uptime_ms = (long long)json_object_get_int64(v);
    }
    json_object_put(o);
    return rc;
}

int vmm_reply_check(const char *reply, char *err, size_t err_len)
{
    struct json_object *o = parse_ok(reply, err, err_len);
    json_object_put(o);
    return o ? 0 : -1;
}
