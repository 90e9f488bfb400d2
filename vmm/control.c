/* SPDX-License-Identifier: MIT */
#include "control.h"
#include "vmm_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static bool socket_is_live(const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool live = connect(fd, (const struct sockaddr *)addr, sizeof *addr) == 0;
    close(fd);
    return live;
}

int control_open(struct control *c, const char *path, control_handler handler, void *ctx)
{
    memset(c, 0, sizeof *c);
    c->listen_fd = -1;
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
        c->clients[i].fd = -1;
    c->handler = handler;
    c->handler_ctx = ctx;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        vmm_error("--control %s: path too long for a Unix socket (at most %zu bytes)", path,
                  sizeof addr.sun_path - 1);
        return -1;
    }
    strcpy(addr.sun_path, path);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            vmm_error("--control %s: exists and is not a socket", path);
            return -1;
        }
        if (socket_is_live(&addr)) {
            vmm_error("--control %s: another monitor is listening there", path);
            return -1;
        }
        unlink(path); /* left behind by a monitor that died */
    }
    c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (c->listen_fd < 0 || bind(c->listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
        listen(c->listen_fd, 4) < 0) {
        vmm_error("--control %s: %s", path, strerror(errno));
        return -1;
    }
    chmod(path, 0600);
    return 0;
}

static void drop_client(struct control_client *client)
{
    close(client->fd);
    client->fd = -1;
    client->len = 0;
}

void control_close(struct control *c)
{
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
        if (c->clients[i].fd >= 0)
            drop_client(&c->clients[i]);
    if (c->listen_fd >= 0)
        close(c->listen_fd);
    c->listen_fd = -1;
}

void control_fill(struct control *c, struct pollfd *fds, int *count, int max)
{
    c->first_pollfd = *count;
    if (c->listen_fd < 0 || *count + 1 + CONTROL_MAX_CLIENTS > max)
        return;
    fds[(*count)++] = (struct pollfd){.fd = c->listen_fd, .events = POLLIN};
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
        fds[(*count)++] = (struct pollfd){.fd = c->clients[i].fd, .events = POLLIN};
}

static struct json_object *error_reply(const char *message)
{
    struct json_object *reply = json_object_new_object();
    json_object_object_add(reply, "ok", json_object_new_boolean(0));
    json_object_object_add(reply, "error", json_object_new_string(message));
    return reply;
}

char *control_answer_line(struct control *c, const char *line)
{
    struct control_request request;
    char error[160];
    struct json_object *reply = control_request_parse(line, &request, error, sizeof error) < 0
                                    ? error_reply(error)
                                    : c->handler(c->handler_ctx, &request);
    char *text = NULL;
    if (asprintf(&text, "%s\n",
                 json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
        text = NULL;
    json_object_put(reply);
    return text;
}

static void write_all(int fd, const char *text)
{
    size_t len = strlen(text);
    while (len > 0) {
        ssize_t n = send(fd, text, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* a client that does not read loses its replies */
        text += n;
        len -= (size_t)n;
    }
}

static void answer_lines(struct control *c, struct control_client *client)
{
    char *newline;
    while (client->fd >= 0 && (newline = memchr(client->buf, '\n', client->len))) {
        *newline = '\0';
        char *reply = control_answer_line(c, client->buf);
        if (reply)
            write_all(client->fd, reply);
        free(reply);
        size_t consumed = (size_t)(newline - client->buf) + 1;
        memmove(client->buf, newline + 1, client->len - consumed);
        client->len -= consumed;
    }
}

static void read_client(struct control *c, struct control_client *client)
{
    ssize_t n =
        recv(client->fd, client->buf + client->len, sizeof client->buf - client->len - 1, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        drop_client(client);
        return;
    }
    client->len += (size_t)n;
    answer_lines(c, client);
    if (client->fd >= 0 && client->len >= sizeof client->buf - 1) {
        write_all(client->fd, "{\"ok\":false,\"error\":\"request line too long\"}\n");
        drop_client(client);
    }
}

static void accept_client(struct control *c)
{
    int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
        return;
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
        if (c->clients[i].fd < 0) {
            c->clients[i].fd = fd;
            c->clients[i].len = 0;
            return;
        }
    write_all(fd, "{\"ok\":false,\"error\":\"too many control connections\"}\n");
    close(fd);
}

void control_handle(struct control *c, const struct pollfd *fds)
{
    if (c->listen_fd < 0)
        return;
    const struct pollfd *mine = fds + c->first_pollfd;
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
        if (c->clients[i].fd >= 0 && mine[1 + i].fd == c->clients[i].fd &&
            (mine[1 + i].revents & (POLLIN | POLLHUP | POLLERR)))
            read_client(c, &c->clients[i]);
    if (mine[0].revents & POLLIN)
        accept_client(c);
}
