#include "provision/guest_exec.h"
#include "provision/guest_conn.h"
#include "provision/prov_error.h"
#include "util/strbuf.h"

#include <stdint.h>
#include <string.h>

/* Both streams are drained in turn, never blocking on one: a command that fills stderr while rove
 * waits on stdout would otherwise stall once the channel window is full. */
static int pump_output(struct guest_conn *c, ssh_channel ch, ssh_event ev, output_write_fn out,
                       void *out_ctx, output_write_fn err_out, void *err_ctx, char **err)
{
    char buf[32768];
    for (;;) {
        int got_any = 0;
        for (int is_stderr = 0; is_stderr <= 1; is_stderr++) {
            int n = ssh_channel_read_nonblocking(ch, buf, sizeof(buf), is_stderr);
            if (n == SSH_ERROR)
                return prov_fail(err, "machine %s: connection lost while running a command: %s",
                                 c->machine, ssh_get_error(c->session));
            if (n <= 0)
                continue;
            got_any = 1;
            int rc = is_stderr ? err_out(err_ctx, buf, (size_t)n) : out(out_ctx, buf, (size_t)n);
            if (rc < 0)
                return prov_fail(err, "machine %s: cannot write the command's output", c->machine);
        }
        if (got_any)
            continue;
        if (ssh_channel_is_eof(ch) || ssh_channel_is_closed(ch))
            return 0;
        /* Sleeps until packets arrive on the session, whichever stream they are for. */
        if (ssh_event_dopoll(ev, 1000) == SSH_ERROR)
            return prov_fail(err, "machine %s: connection lost while running a command: %s",
                             c->machine, ssh_get_error(c->session));
    }
}

static int pump_with_event(struct guest_conn *c, ssh_channel ch, output_write_fn out, void *out_ctx,
                           output_write_fn err_out, void *err_ctx, char **err)
{
    ssh_event ev = ssh_event_new();
    if (!ev || ssh_event_add_session(ev, c->session) != SSH_OK) {
        ssh_event_free(ev);
        return prov_fail(err, "machine %s: cannot poll the SSH session", c->machine);
    }
    int rc = pump_output(c, ch, ev, out, out_ctx, err_out, err_ctx, err);
    ssh_event_remove_session(ev, c->session);
    ssh_event_free(ev);
    return rc;
}

int guest_exec_to(struct guest_conn *c, const char *command, output_write_fn out, void *out_ctx,
                  output_write_fn err_out, void *err_ctx, int *exit_status, char **err)
{
    ssh_channel ch = ssh_channel_new(c->session);
    if (!ch || ssh_channel_open_session(ch) != SSH_OK) {
        prov_fail(err, "machine %s: cannot open an SSH channel: %s", c->machine,
                  ssh_get_error(c->session));
        ssh_channel_free(ch);
        return -1;
    }
    int rc = -1;
    if (ssh_channel_request_exec(ch, command) != SSH_OK) {
        prov_fail(err, "machine %s: cannot start command: %s", c->machine,
                  ssh_get_error(c->session));
        goto out;
    }
    ssh_channel_send_eof(ch);
    if (pump_with_event(c, ch, out, out_ctx, err_out, err_ctx, err) < 0)
        goto out;
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
                             exit_status, err);
    struct line_prefixer out_lines, err_lines;
    line_prefixer_init(&out_lines, o->prefix, output_write_fd, out_fd);
    line_prefixer_init(&err_lines, o->prefix, output_write_fd, err_fd);
    int rc = guest_exec_to(c, command, feed_prefixer, &out_lines, feed_prefixer, &err_lines,
                           exit_status, err);
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
    return guest_exec_to(c, command, append_or_drop, out, append_or_drop, err_out, exit_status,
                         err);
}
