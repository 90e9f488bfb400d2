/* SPDX-License-Identifier: MIT */
#include "engine/forward_ports.h"
#include "engine/machine_runtime.h"
#include "util/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A forward whose host port is taken would make the start fail with the hypervisor's words, or
 * worse, forward nothing: say which port and machine before anything is created or started. */
static int check_port(struct machine_runtime *rt, const struct forward *f)
{
    bool udp = !strcmp(f->proto, "udp");
    int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->host)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* As the hypervisor binds it: connections of an earlier run lingering in TIME_WAIT do
     * not make the port busy, a listener does. */
    int one = 1;
    if (fd >= 0 && !udp)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int taken = fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 &&
                (errno == EADDRINUSE || errno == EACCES);
    int saved = errno;
    if (fd >= 0)
        close(fd);
    if (taken)
        return error(RT_FMT "host port 127.0.0.1:%d/%s (forwarded to guest port %d) is %s; free "
                            "it or change the forward in %s",
                     rt->m->name, f->host, f->proto, f->guest,
                     saved == EACCES ? "reserved for root" : "already in use", rt->mf->path);
    return 0;
}

int forward_ports_check(struct machine_runtime *rt)
{
    for (size_t i = 0; i < rt->m->nforwards; i++)
        if (check_port(rt, &rt->m->forwards[i]) < 0)
            return -1;
    return 0;
}

int forward_ports_check_new(struct machine_runtime *rt)
{
    for (size_t i = 0; i < rt->m->nforwards; i++) {
        const struct forward *f = &rt->m->forwards[i];
        struct rove_forward held = {f->host, f->guest, f->proto};
        if (spec_forward_is_new(&rt->built, &held) && check_port(rt, f) < 0)
            return -1;
    }
    return 0;
}
