/* SPDX-License-Identifier: MIT */
#include "engine/ssh_target.h"
#include "provision/guest_conn.h"
#include "provision/guest_exec.h"
#include "provision/ssh_client_config.h"
#include "util/log.h"

#include <stdlib.h>
#include <unistd.h>

int ssh_target_exec(struct machine_runtime *rt, const char *command)
{
    struct guest_conn *conn;
    if (runtime_connect(rt, &conn) < 0)
        return EXIT_REMOTE_FAILED;
    struct exec_output out = {.prefix = NULL, .out_fd = STDOUT_FILENO, .err_fd = STDERR_FILENO};
    int status = EXIT_REMOTE_FAILED;
    char *err = NULL;
    if (guest_exec(conn, command, &out, &status, &err) < 0) {
        log_error(RT_FMT "%s", rt->m->name, err ? err : "the command could not be run");
        status = EXIT_REMOTE_FAILED;
    }
    free(err);
    guest_disconnect(conn);
    return status;
}

char *ssh_target_config(struct machine_runtime *rt)
{
    struct rove_state_report st;
    engine_state(rt, &st);
    if (st.state != ROVE_STATE_RUNNING) {
        log_error(RT_FMT "the machine is %s; 'rove up %s' starts it", rt->m->name,
                  runtime_state_name(st.state), rt->m->name);
        return NULL;
    }
    struct runtime_ssh ssh;
    if (runtime_ssh_info(rt, &ssh) < 0)
        return NULL;
    struct ssh_client_config cfg = {
        .name = rt->m->name,
        .host = ssh.endpoint.host[0] ? ssh.endpoint.host : RUNTIME_GUEST_HOST,
        .port = ssh.endpoint.port,
        .user = RUNTIME_GUEST_USER,
        .identity = ssh.key_path,
        .known_hosts = ssh.known_hosts,
    };
    char *err = NULL;
    char *text = ssh_client_config_text(&cfg, &err);
    if (!text)
        log_error(RT_FMT "%s", rt->m->name, err ? err : "cannot write its SSH configuration");
    free(err);
    runtime_ssh_release(&ssh);
    return text;
}
