/* SPDX-License-Identifier: MIT */
#include "net_slirp.h"
#include "vmm_log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
    struct net_slirp *ns = opaque;
    ns->deliver(ns->deliver_ctx, buf, len);
    return (ssize_t)len;
}

static void guest_error(const char *msg, void *opaque)
{
    (void)opaque;
    vmm_debug("network: guest error: %s", msg);
}

static int64_t clock_get_ns(void *opaque)
{
    (void)opaque;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    struct net_slirp *ns = opaque;
    for (int i = 0; i < NET_SLIRP_MAX_TIMERS; i++)
        if (!ns->timers[i].in_use) {
            ns->timers[i] =
                (struct net_slirp_timer){.in_use = true, .cb = cb, .cb_opaque = cb_opaque};
            return &ns->timers[i];
        }
    vmm_warn("network: out of timers");
    return NULL;
}

static void timer_free(void *timer, void *opaque)
{
    (void)opaque;
    if (timer)
        memset(timer, 0, sizeof(struct net_slirp_timer));
}

static void timer_mod(void *timer, int64_t expire_time, void *opaque)
{
    (void)opaque;
    struct net_slirp_timer *t = timer;
    if (!t)
        return;
    t->expire_ms = expire_time;
    t->armed = true;
}

static void register_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void unregister_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void notify(void *opaque)
{
    struct net_slirp *ns = opaque;
    if (ns->wake)
        ns->wake(ns->wake_ctx);
}

static const SlirpCb callbacks = {
    .send_packet = send_packet,
    .guest_error = guest_error,
    .clock_get_ns = clock_get_ns,
    .timer_new = timer_new,
    .timer_free = timer_free,
    .timer_mod = timer_mod,
    .register_poll_fd = register_poll_fd,
    .unregister_poll_fd = unregister_poll_fd,
    .notify = notify,
};

static int add_forward(struct net_slirp *ns, const struct forward_option *fwd)
{
    struct in_addr host, guest;
    inet_pton(AF_INET, fwd->host_addr, &host);
    inet_pton(AF_INET, "10.0.2.15", &guest);
    errno = 0;
    if (slirp_add_hostfwd(ns->slirp, fwd->udp, host, fwd->host_port, guest, fwd->guest_port) == 0)
        return 0;
    const char *proto = fwd->udp ? "udp" : "tcp";
    if (errno == EADDRINUSE || errno == 0)
        vmm_error("--forward %s:%s:%u-:%u: host port %u is already in use", proto, fwd->host_addr,
                  fwd->host_port, fwd->guest_port, fwd->host_port);
    else
        vmm_error("--forward %s:%s:%u-:%u: %s", proto, fwd->host_addr, fwd->host_port,
                  fwd->guest_port, strerror(errno));
    return -1;
}

int net_slirp_create(struct net_slirp *ns, const struct forward_option *forwards, int count,
                     void (*deliver)(void *ctx, const uint8_t *frame, size_t len),
                     void *deliver_ctx, void (*wake)(void *ctx), void *wake_ctx)
{
    memset(ns, 0, sizeof *ns);
    ns->deliver = deliver;
    ns->deliver_ctx = deliver_ctx;
    ns->wake = wake;
    ns->wake_ctx = wake_ctx;
    SlirpConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.version = 1;
    cfg.in_enabled = true;
    inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
    inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
    inet_pton(AF_INET, "10.0.2.2", &cfg.vhost);
    inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
    inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
    cfg.vhostname = "rove";
    ns->slirp = slirp_new(&cfg, &callbacks, ns);
    if (!ns->slirp) {
        vmm_error("network: cannot start user-mode networking");
        return -1;
    }
    for (int i = 0; i < count; i++)
        if (add_forward(ns, &forwards[i]) < 0)
            return -1;
    return 0;
}

void net_slirp_destroy(struct net_slirp *ns)
{
    if (ns->slirp)
        slirp_cleanup(ns->slirp);
    ns->slirp = NULL;
}

void net_slirp_input(struct net_slirp *ns, const uint8_t *frame, size_t len)
{
    slirp_input(ns->slirp, frame, (int)len);
}

static int to_poll_events(int slirp_events)
{
    int events = 0;
    if (slirp_events & SLIRP_POLL_IN)
        events |= POLLIN;
    if (slirp_events & SLIRP_POLL_OUT)
        events |= POLLOUT;
    if (slirp_events & SLIRP_POLL_PRI)
        events |= POLLPRI;
    return events;
}

static int add_poll(int fd, int events, void *opaque)
{
    struct net_slirp *ns = opaque;
    if (ns->pollfd_count == ns->pollfd_max)
        return -1;
    ns->pollfds[ns->pollfd_count] =
        (struct pollfd){.fd = fd, .events = (short)to_poll_events(events)};
    return ns->pollfd_count++;
}

static int get_revents(int idx, void *opaque)
{
    struct net_slirp *ns = opaque;
    if (idx < 0 || idx >= ns->pollfd_count)
        return 0;
    short r = ns->pollfds[idx].revents;
    int events = 0;
    if (r & POLLIN)
        events |= SLIRP_POLL_IN;
    if (r & POLLOUT)
        events |= SLIRP_POLL_OUT;
    if (r & POLLPRI)
        events |= SLIRP_POLL_PRI;
    if (r & POLLERR)
        events |= SLIRP_POLL_ERR;
    if (r & POLLHUP)
        events |= SLIRP_POLL_HUP;
    return events;
}

void net_slirp_fill(struct net_slirp *ns, struct pollfd *fds, int *count, int max, int *timeout_ms)
{
    ns->pollfds = fds + *count;
    ns->pollfd_count = 0;
    ns->pollfd_max = max - *count;
    uint32_t timeout = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;
    slirp_pollfds_fill(ns->slirp, &timeout, add_poll, ns);
    int64_t now = now_ms();
    for (int i = 0; i < NET_SLIRP_MAX_TIMERS; i++) {
        struct net_slirp_timer *t = &ns->timers[i];
        if (t->in_use && t->armed) {
            int64_t wait = t->expire_ms > now ? t->expire_ms - now : 0;
            if ((uint64_t)wait < timeout)
                timeout = (uint32_t)wait;
        }
    }
    *timeout_ms = timeout == UINT32_MAX ? -1 : (int)timeout;
    *count += ns->pollfd_count;
}

void net_slirp_poll(struct net_slirp *ns, bool poll_failed)
{
    slirp_pollfds_poll(ns->slirp, poll_failed, get_revents, ns);
    int64_t now = now_ms();
    for (int i = 0; i < NET_SLIRP_MAX_TIMERS; i++) {
        struct net_slirp_timer *t = &ns->timers[i];
        if (t->in_use && t->armed && t->expire_ms <= now) {
            t->armed = false;
            t->cb(t->cb_opaque);
        }
    }
}
