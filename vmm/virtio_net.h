/* SPDX-License-Identifier: MIT */
/* virtio-net: frames between the guest and a backend (user-mode networking through libslirp). */
#ifndef ROVE_VMM_VIRTIO_NET_H
#define ROVE_VMM_VIRTIO_NET_H

#include "virtio.h"

#include <stddef.h>

#define VIRTIO_NET_F_MAC          (1ULL << 5)
#define VIRTIO_NET_F_STATUS       (1ULL << 16)
#define VIRTIO_NET_HDR_LEN        12 /* struct virtio_net_hdr_v1, with num_buffers */
#define VIRTIO_NET_RX_QUEUE       0
#define VIRTIO_NET_TX_QUEUE       1
#define VIRTIO_NET_MAX_FRAME      65536
#define VIRTIO_NET_PENDING_FRAMES 64

struct pending_frame {
    size_t len;
    uint8_t *data;
};

struct virtio_net {
    struct virtio_device virtio;
    uint8_t mac[6];
    /* Where transmitted frames go. */
    void (*transmit)(void *ctx, const uint8_t *frame, size_t len);
    void *transmit_ctx;
    /* Frames for the guest that arrived before it posted receive buffers. */
    struct pending_frame pending[VIRTIO_NET_PENDING_FRAMES];
    size_t pending_head, pending_count;
    unsigned long rx_dropped;
    uint8_t tx_buffer[VIRTIO_NET_MAX_FRAME];
};

void virtio_net_init(struct virtio_net *net, const uint8_t mac[6],
                     void (*transmit)(void *ctx, const uint8_t *frame, size_t len), void *ctx);
void virtio_net_release(struct virtio_net *net);
/* Hands a frame to the guest (queued if it has no receive buffer yet). */
void virtio_net_receive(struct virtio_net *net, const uint8_t *frame, size_t len);

#endif
