#include "cmd/ssh_target.h"
#include "provision/ssh_client_config.h"
#include "util/log.h"

#include <stdlib.h>

char *ssh_target_config(struct machine_runtime *rt)
{
    struct rove_state_report st;
    runtime_state(rt, &st);
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
