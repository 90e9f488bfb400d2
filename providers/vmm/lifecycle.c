/* SPDX-License-Identifier: MIT */
/* start and stop: launching the machine's rove-vmm as a daemon, stopping it through its control
 * socket. */
#include "providers/vmm/control_client.h"
#include "providers/vmm/ops.h"
#include "providers/vmm/vmm_argv.h"
#include "providers/vmm/vmm_binary.h"
#include "providers/vmm/vmm_process.h"
#include "providers/vmm/vmm_record.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONTROL_TIMEOUT_MS 5000
#define KILL_WAIT_MS       5000

/* The SSH port was free when the machine was created; later something else may hold it. */
static void move_ssh_port_if_taken(struct vmm_machine *m, struct vmm_record *r)
{
    if (vmm_port_is_free(r->ssh_port))
        return;
    int port = vmm_free_local_port();
    if (port < 0)
        return; /* rove-vmm will name the taken port */
    log_info("machine %s: SSH port %d is taken now; moved to %d", m->name, r->ssh_port, port);
    r->ssh_port = port;
    if (vmm_record_write(m->record_path, r) != 0)
        log_warn("machine %s: cannot update %s: %s", m->name, m->record_path, strerror(errno));
}

/* Prints what rove-vmm said while failing to start. */
static void report_launch_failure(struct vmm_machine *m, int code, const char *err)
{
    char *text = NULL;
    size_t len = 0;
    fs_read_file(m->launch_log, &text, &len);
    while (text && len && (text[len - 1] == '\n' || text[len - 1] == ' '))
        text[--len] = '\0';
    if (code < 0)
        log_error("machine %s: cannot start rove-vmm: %s", m->name, err);
    else
        log_error("machine %s: rove-vmm did not start (exit code %d): %s", m->name, code,
                  text && *text ? text : "(it printed nothing)");
    free(text);
}

static int launch(struct vmm_machine *m, struct vmm_record *r)
{
    struct strbuf tried = STRBUF_INIT;
    char *binary = vmm_binary_find(&tried);
    if (!binary) {
        log_error("machine %s: rove-vmm not found (looked at: %s); set ROVE_VMM to its path",
                  m->name, sb_str(&tried));
        sb_release(&tried);
        return -1;
    }
    sb_release(&tried);
    move_ssh_port_if_taken(m, r);
    struct vmm_runtime_paths paths = {m->console_log, m->control_path, m->pid_path};
    char **argv = vmm_argv_build(binary, r, &paths);
    char err[256] = "";
    /* Stale files of a monitor that was killed would make rove-vmm refuse to start. */
    unlink(m->control_path);
    unlink(m->pid_path);
    int code = vmm_process_launch(argv, m->launch_log, err, sizeof err);
    if (code != 0)
        report_launch_failure(m, code, err);
    else
        unlink(m->launch_log);
    vmm_argv_free(argv);
    free(binary);
    return code == 0 ? 0 : -1;
}

int vmm_start(const struct rove_machine_ctx *ctx)
{
    struct vmm_machine m;
    int rc = -1;
    if (vmm_machine_open(ctx, &m) == 0) {
        struct vmm_record r;
        char err[512];
        if (vmm_process_find(m.pid_path)) {
            rc = 0; /* already running */
        } else if (vmm_record_read(m.record_path, &r, err, sizeof err) != 0) {
            if (errno == ENOENT)
                log_error("machine %s is not created (no %s)", m.name, m.record_path);
            else
                log_error("machine %s: %s", m.name, err);
        } else {
            rc = launch(&m, &r);
            vmm_record_release(&r);
        }
    }
    vmm_machine_close(&m);
    return rc;
}

static bool request_ok(const char *control_path, const char *request, const char *machine)
{
    char err[VMM_CONTROL_ERROR_MAX];
    char *reply = vmm_control_request(control_path, request, CONTROL_TIMEOUT_MS, err, sizeof err);
    bool ok = reply && vmm_reply_check(reply, err, sizeof err) == 0;
    if (!ok)
        log_warn("machine %s: %s", machine, err);
    free(reply);
    return ok;
}

/* Waits for a process asked to shut down, in steps, so that an interrupt ends the wait. */
static bool wait_shut_down(long pid, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms && !interrupt_requested(); waited += 100)
        if (vmm_process_wait_gone(pid, 100))
            return true;
    return false;
}

int vmm_stop_process(const char *machine, const char *pid_path, const char *control_path,
                     int timeout_seconds, bool force)
{
    long pid = vmm_process_find(pid_path);
    if (!pid) {
        unlink(control_path);
        unlink(pid_path);
        return 0;
    }
    if (!force) {
        if (timeout_seconds < 1)
            timeout_seconds = 1;
        /* rove-vmm itself forces the stop after the timeout; wait a little longer for it. */
        char *request = xasprintf("{\"cmd\":\"shutdown\",\"timeout\":%d}", timeout_seconds);
        bool asked = request_ok(control_path, request, machine);
        free(request);
        if (asked && wait_shut_down(pid, timeout_seconds * 1000 + KILL_WAIT_MS))
            return 0;
        if (interrupt_requested())
            return error("machine %s: interrupted while it shuts down", machine);
        log_warn("machine %s did not shut down within %d s; powering it off", machine,
                 timeout_seconds);
    }
    if (!(request_ok(control_path, "{\"cmd\":\"kill\"}", machine) &&
          vmm_process_wait_gone(pid, KILL_WAIT_MS))) {
        if (vmm_process_find(pid_path) == pid)
            kill((pid_t)pid, SIGKILL);
        if (!vmm_process_wait_gone(pid, KILL_WAIT_MS))
            return error("machine %s: rove-vmm (pid %ld) does not end", machine, pid);
    }
    unlink(control_path);
    unlink(pid_path);
    return 0;
}

int vmm_stop(const struct rove_machine_ctx *ctx, int timeout_seconds, bool force)
{
    struct vmm_machine m;
    int rc = -1;
    if (vmm_machine_open(ctx, &m) == 0)
        rc = vmm_stop_process(m.name, m.pid_path, m.control_path, timeout_seconds, force);
    vmm_machine_close(&m);
    return rc;
}
