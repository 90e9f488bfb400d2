/* SPDX-License-Identifier: MIT */
#include "providers/vmm/ops.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* Binds a TCP socket on 127.0.0.1:port (0: the kernel picks); returns the bound port or -1. */
static int bind_local(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int bound = -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        bound = ntohs(addr.sin_port);
    close(fd);
    return bound;
}

int vmm_free_local_port(void)
{
    return bind_local(0);
}

bool vmm_port_is_free(int port)
{
    return bind_local(port) == port;
}
