/* SPDX-License-Identifier: MIT */
/* Reaching a running machine's guest over SSH: the target rove logs in as, and a connection
 * that survives a guest under load dropping a handshake. Apart from machine_runtime.c so that the
 * commands that only read state do not carry the SSH library. */
#include "engine/engine.h"
#include "provision/guest_conn.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONNECT_ATTEMPTS 5
#define CONNECT_RETRY_US 500000

void runtime_guest_target(struct machine_runtime *rt, const struct runtime_ssh *s,
                          struct guest_target *t)
{
    memset(t, 0, sizeof *t);
    t->machine = rt->m->name;
    t->host = s->endpoint.host[0] ? s->endpoint.host : RUNTIME_GUEST_HOST;
    t->port = s->endpoint.port;
    t->user = RUNTIME_GUEST_USER;
    t->key_path = s->key_path;
    t->known_hosts = s->known_hosts;
}

int runtime_connect(struct machine_runtime *rt, struct guest_conn **out)
{
    struct rove_state_report st;
    engine_state(rt, &st);
    if (st.state != ROVE_STATE_RUNNING)
        return error(RT_FMT "the machine is %s%s%s%s; start it with 'rove up %s'", rt->m->name,
                     runtime_state_name(st.state), st.reason[0] ? " (" : "", st.reason,
                     st.reason[0] ? ")" : "", rt->m->name);
    struct runtime_ssh ssh;
    if (runtime_ssh_info(rt, &ssh) < 0)
        return -1;
    struct guest_target t;
    runtime_guest_target(rt, &ssh, &t);
    /* A guest under load may drop a connection now and then (a reset during the handshake):
     * try a few times before giving up, but never past a wrong host key or a refused key. */
    char *err = NULL;
    enum guest_connect_result r = GUEST_UNREACHABLE;
    for (int attempt = 0; attempt < CONNECT_ATTEMPTS && r == GUEST_UNREACHABLE; attempt++) {
        if (attempt > 0) {
            log_debug(RT_FMT "%s; trying again", rt->m->name, err);
            free(err);
            err = NULL;
            usleep(CONNECT_RETRY_US);
        }
        r = guest_connect(&t, out, &err);
    }
    int rc = r == GUEST_CONNECTED ? 0 : -1;
    if (rc < 0)
        log_error("%s", err ? err : "cannot connect");
    free(err);
    runtime_ssh_release(&ssh);
    return rc;
}
