/* SPDX-License-Identifier: MIT */
/* User-mode networking through libslirp: the guest is 10.0.2.15 behind a NAT at 10.0.2.2 with
 * DNS at 10.0.2.3, and host ports on loopback are forwarded to guest ports. */
#ifndef ROVE_VMM_NET_SLIRP_H
#define ROVE_VMM_NET_SLIRP_H

#include "options.h"

#include <poll.h>
#include <slirp/libslirp.h>
#include <stddef.h>
#include <stdint.h>

/* libslirp reads the host's nameserver here (its own path, not configurable) whenever the guest
 * asks 10.0.2.3 and the file has changed. */
#define NET_SLIRP_RESOLV_CONF "/etc/resolv.conf"
#define NET_SLIRP_MAX_POLLFDS 256
#define NET_SLIRP_MAX_TIMERS  16

struct net_slirp_timer {
    bool in_use;
    bool armed;
    int64_t expire_ms;
    SlirpTimerCb cb;
    void *cb_opaque;
};

struct net_slirp {
    Slirp *slirp;
    void (*deliver)(void *ctx, const uint8_t *frame, size_t len);
    void *deliver_ctx;
    void (*wake)(void *ctx); /* slirp has new sockets to watch */
    void *wake_ctx;
    struct net_slirp_timer timers[NET_SLIRP_MAX_TIMERS];
    struct pollfd *pollfds; /* filled by net_slirp_fill */
    int pollfd_count;
    int pollfd_max;
};

/* Creates the network and binds every forward; a forward that cannot listen (port taken) is
 * reported naming it, and -1 returned. */
int net_slirp_create(struct net_slirp *ns, const struct forward_option *forwards, int count,
                     void (*deliver)(void *ctx, const uint8_t *frame, size_t len),
                     void *deliver_ctx, void (*wake)(void *ctx), void *wake_ctx);
void net_slirp_destroy(struct net_slirp *ns);
/* A frame from the guest. */
void net_slirp_input(struct net_slirp *ns, const uint8_t *frame, size_t len);
/* Appends slirp's descriptors to fds[*count...max) and lowers *timeout_ms to its next timer. */
void net_slirp_fill(struct net_slirp *ns, struct pollfd *fds, int *count, int max, int *timeout_ms);
/* Handles the poll results for the descriptors net_slirp_fill added, and due timers. */
void net_slirp_poll(struct net_slirp *ns, bool poll_failed);

#endif
