/* SPDX-License-Identifier: MIT */
#include "provision/guest_shell.h"
#include "provision/guest_conn.h"
#include "provision/line_prefix.h"
#include "provision/prov_error.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t window_changed;

static void on_sigwinch(int sig)
{
    (void)sig;
    window_changed = 1;
}

static void window_size(int fd, int *cols, int *rows)
{
    struct winsize ws;
    *cols = 80;
    *rows = 24;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        *cols = ws.ws_col;
        *rows = ws.ws_row;
    }
}

static int open_shell(struct guest_conn *c, ssh_channel ch, int in_fd, char **err)
{
    const char *term = getenv("TERM");
    int cols, rows;
    window_size(in_fd, &cols, &rows);
    if (ssh_channel_open_session(ch) != SSH_OK ||
        ssh_channel_request_pty_size(ch, term && *term ? term : "xterm", cols, rows) != SSH_OK ||
        ssh_channel_request_shell(ch) != SSH_OK)
        return prov_fail(err, "machine %s: cannot start an interactive shell: %s", c->machine,
                         ssh_get_error(c->session));
    return 0;
}

/* Copies whatever the channel has buffered to out_fd. Returns 0, or -1 on a lost connection. */
static int drain_channel(ssh_channel ch, int out_fd)
{
    char buf[16384];
    for (int is_stderr = 0; is_stderr <= 1; is_stderr++) {
        int n;
        while ((n = ssh_channel_read_nonblocking(ch, buf, sizeof(buf), is_stderr)) > 0)
            output_write_fd((void *)(intptr_t)out_fd, buf, (size_t)n);
        if (n == SSH_ERROR)
            return -1;
    }
    return 0;
}

/* Returns 0 while input continues, 1 at its end, -1 on error. */
static int forward_input(ssh_channel ch, int in_fd)
{
    char buf[4096];
    ssize_t n = read(in_fd, buf, sizeof(buf));
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0) {
        ssh_channel_send_eof(ch);
        return 1;
    }
    return ssh_channel_write(ch, buf, (uint32_t)n) == n ? 0 : -1;
}

static int relay(struct guest_conn *c, ssh_channel ch, int in_fd, int out_fd, char **err)
{
    bool input_open = true;
    while (!ssh_channel_is_closed(ch) && !ssh_channel_is_eof(ch)) {
        if (window_changed) {
            window_changed = 0;
            int cols, rows;
            window_size(in_fd, &cols, &rows);
            ssh_channel_change_pty_size(ch, cols, rows);
        }
        struct pollfd fds[2] = {{ssh_get_fd(c->session), POLLIN, 0}, {in_fd, POLLIN, 0}};
        /* The time-out also covers data libssh has already read from the socket. */
        if (poll(fds, input_open ? 2 : 1, 100) < 0 && errno != EINTR)
            return prov_fail(err, "machine %s: poll: %s", c->machine, strerror(errno));
        if (input_open && (fds[1].revents & (POLLIN | POLLHUP))) {
            int rc = forward_input(ch, in_fd);
            if (rc < 0)
                return prov_fail(err, "machine %s: cannot forward input: %s", c->machine,
                                 ssh_get_error(c->session));
            input_open = rc == 0;
        }
        if (drain_channel(ch, out_fd) < 0)
            return prov_fail(err, "machine %s: connection lost: %s", c->machine,
                             ssh_get_error(c->session));
    }
    drain_channel(ch, out_fd);
    return 0;
}

int guest_interactive_shell(struct guest_conn *c, int in_fd, int out_fd, int *exit_status,
                            char **err)
{
    ssh_channel ch = ssh_channel_new(c->session);
    if (!ch)
        return prov_fail(err, "machine %s: cannot open an SSH channel", c->machine);
    int rc = open_shell(c, ch, in_fd, err);
    struct termios saved;
    bool raw = rc == 0 && isatty(in_fd) && tcgetattr(in_fd, &saved) == 0;
    struct sigaction old_winch, winch = {.sa_handler = on_sigwinch};
    if (raw) {
        struct termios t = saved;
        cfmakeraw(&t);
        tcsetattr(in_fd, TCSANOW, &t);
    }
    sigaction(SIGWINCH, &winch, &old_winch);
    if (rc == 0)
        rc = relay(c, ch, in_fd, out_fd, err);
    sigaction(SIGWINCH, &old_winch, NULL);
    if (raw)
        tcsetattr(in_fd, TCSANOW, &saved);
    if (rc == 0) {
        int status = ssh_channel_get_exit_status(ch);
        if (status < 0)
            rc = prov_fail(err, "machine %s: the shell ended without an exit status", c->machine);
        else
            *exit_status = status;
    }
    ssh_channel_close(ch);
    ssh_channel_free(ch);
    return rc;
}
