/* SPDX-License-Identifier: MIT */
#include "provision/guest_exec.h"
#include "provision/guest_conn.h"
#include "provision/prov_error.h"
#include "util/interrupt.h"
#include "util/monotonic.h"
#include "util/strbuf.h"

#include <poll.h>
#include <signal.h>
#include <time.h>

#include <stdint.h>
#include <string.h>

struct pump {
    struct guest_conn *c;
    ssh_channel ch;
    output_write_fn out, err_out;
    void *out_ctx, *err_ctx;
    double deadline; /* 0: none */
};

/* The SSH name of the signal rove caught ("INT", "TERM", "HUP"). */
static const char *caught_signal_name(void)
{
    switch (interrupt_signal()) {
    case SIGINT:
        return "INT";
    case SIGHUP:
        return "HUP";
    default:
        return "TERM";
    }
}

/* Wakes ssh_event_dopoll() as soon as rove is interrupted. */
static int on_interrupt_readable(socket_t fd, int revents, void *userdata)
{
    (void)fd;
    (void)revents;
    (void)userdata;
    return 0;
}

/* Returns 1 when something was read, 0 when nothing is waiting, or a GUEST_EXEC_ value. */
static int drain(struct pump *p, char **err)
{
    char buf[32768];
    int got_any = 0;
    for (int is_stderr = 0; is_stderr <= 1; is_stderr++) {
        int n = ssh_channel_read_nonblocking(p->ch, buf, sizeof(buf), is_stderr);
        if (n == SSH_ERROR)
            return prov_fail(err, "machine %s: connection lost while running a command: %s",
                             p->c->machine, ssh_get_error(p->c->session));
        if (n <= 0)
            continue;
        got_any = 1;
        int rc =
            is_stderr ? p->err_out(p->err_ctx, buf, (size_t)n) : p->out(p->out_ctx, buf, (size_t)n);
        if (rc < 0)
            return prov_fail(err, "machine %s: cannot write the command's output", p->c->machine);
    }
    return got_any;
}

/* The command is ended from this side: the signal goes to it (servers that do not take signal
 * requests end it when the channel closes or its output has nowhere to go). */
static int end_early(struct pump *p, const char *signal_name, int result, char **err)
{
    ssh_channel_request_send_signal(p->ch, signal_name);
    if (result == GUEST_EXEC_TIMED_OUT)
        prov_fail(err, "machine %s: the command was stopped by its time limit", p->c->machine);
    else
        prov_fail(err, "machine %s: interrupted; the command was sent SIG%s", p->c->machine,
                  signal_name);
    return result;
}

/* Both streams are drained in turn, never blocking on one: a command that fills stderr while rove
 * waits on stdout would otherwise stall once the channel window is full. */
static int pump_output(struct pump *p, ssh_event ev, char **err)
{
    for (;;) {
        int rc = drain(p, err);
        if (rc < 0)
            return rc;
        if (rc > 0)
            continue;
        if (ssh_channel_is_eof(p->ch) || ssh_channel_is_closed(p->ch))
            return 0;
        if (interrupt_requested())
            return end_early(p, caught_signal_name(), GUEST_EXEC_INTERRUPTED, err);
        int wait_ms = 1000;
        if (p->deadline > 0) {
            double left = p->deadline - monotonic_seconds();
            if (left <= 0)
                return end_early(p, "TERM", GUEST_EXEC_TIMED_OUT, err);
            wait_ms = left < 1 ? (int)(left * 1000) + 1 : 1000;
        }
        /* Sleeps until packets arrive on the session, whichever stream they are for, or until
         * rove is interrupted. */
        if (ssh_event_dopoll(ev, wait_ms) == SSH_ERROR && !interrupt_requested())
            return prov_fail(err, "machine %s: connection lost while running a command: %s",
                             p->c->machine, ssh_get_error(p->c->session));
    }
}

static int pump_with_event(struct pump *p, char **err)
{
    ssh_event ev = ssh_event_new();
    if (!ev || ssh_event_add_session(ev, p->c->session) != SSH_OK) {
        ssh_event_free(ev);
        return prov_fail(err, "machine %s: cannot poll the SSH session", p->c->machine);
    }
    int ifd = interrupt_fd();
    if (ifd >= 0)
        ssh_event_add_fd(ev, ifd, POLLIN, on_interrupt_readable, NULL);
    int rc = pump_output(p, ev, err);
    if (ifd >= 0)
        ssh_event_remove_fd(ev, ifd);
    ssh_event_remove_session(ev, p->c->session);
    ssh_event_free(ev);
    return rc;
}

int guest_exec_to(struct guest_conn *c, const char *command, output_write_fn out, void *out_ctx,
                  output_write_fn err_out, void *err_ctx, int timeout_s, int *exit_status,
                  char **err)
{
    if (interrupt_requested()) {
        prov_fail(err, "machine %s: interrupted", c->machine);
        return GUEST_EXEC_INTERRUPTED;
    }
    ssh_channel ch = ssh_channel_new(c->session);
    if (!ch || ssh_channel_open_session(ch) != SSH_OK) {
        prov_fail(err, "machine %s: cannot open an SSH channel: %s", c->machine,
                  ssh_get_error(c->session));
        ssh_channel_free(ch);
        return GUEST_EXEC_FAILED;
    }
    int rc = GUEST_EXEC_FAILED;
    if (ssh_channel_request_exec(ch, command) != SSH_OK) {
        prov_fail(err, "machine %s: cannot start command: %s", c->machine,
                  ssh_get_error(c->session));
        goto out;
    }
    ssh_channel_send_eof(ch);
    struct pump p = {
        c, ch, out, err_out, out_ctx, err_ctx, timeout_s > 0 ? monotonic_seconds() + timeout_s : 0};
    if ((rc = pump_with_event(&p, err)) < 0)
        goto out;
    rc = GUEST_EXEC_FAILED;
    int status = ssh_channel_get_exit_status(ch);
    if (status < 0) {
        prov_fail(err,
                  "machine %s: the command ended without an exit status (killed by a signal or "
                  "the connection dropped)",
                  c->machine);
        goto out;
    }
    *exit_status = status;
    rc = 0;
out:
    ssh_channel_close(ch);
    ssh_channel_free(ch);
    return rc;
}

static int feed_prefixer(void *ctx, const char *data, size_t len)
{
    return line_prefixer_feed(ctx, data, len);
}

int guest_exec(struct guest_conn *c, const char *command, const struct exec_output *o,
               int *exit_status, char **err)
{
    void *out_fd = (void *)(intptr_t)o->out_fd, *err_fd = (void *)(intptr_t)o->err_fd;
    if (!o->prefix)
        return guest_exec_to(c, command, output_write_fd, out_fd, output_write_fd, err_fd,
                             o->timeout_s, exit_status, err);
    struct line_prefixer out_lines, err_lines;
    line_prefixer_init(&out_lines, o->prefix, output_write_fd, out_fd);
    line_prefixer_init(&err_lines, o->prefix, output_write_fd, err_fd);
    int rc = guest_exec_to(c, command, feed_prefixer, &out_lines, feed_prefixer, &err_lines,
                           o->timeout_s, exit_status, err);
    line_prefixer_flush(&out_lines);
    line_prefixer_flush(&err_lines);
    line_prefixer_release(&out_lines);
    line_prefixer_release(&err_lines);
    return rc;
}

static int append_or_drop(void *ctx, const char *data, size_t len)
{
    if (ctx)
        sb_addn(ctx, data, len);
    return 0;
}

int guest_exec_capture(struct guest_conn *c, const char *command, struct strbuf *out,
                       struct strbuf *err_out, int *exit_status, char **err)
{
    return guest_exec_to(c, command, append_or_drop, out, append_or_drop, err_out, 0, exit_status,
                         err);
}
