/* SPDX-License-Identifier: MIT */
#include "virtio_net.h"

#include <stdlib.h>
#include <string.h>

#define CONFIG_STATUS_LINK_UP 1

static void net_config_read(void *impl, uint64_t offset, uint8_t *data, uint32_t len)
{
    struct virtio_net *net = impl;
    /* struct virtio_net_config: mac[6], status (u16). */
    uint8_t config[8];
    memcpy(config, net->mac, 6);
    config[6] = CONFIG_STATUS_LINK_UP;
    config[7] = 0;
    for (uint32_t i = 0; i < len; i++)
        data[i] = offset + i < sizeof config ? config[offset + i] : 0;
}

/* Writes one frame into the next receive buffer. False when the guest has none posted. */
static bool deliver(struct virtio_net *net, const uint8_t *frame, size_t len, bool *used)
{
    struct virtqueue *vq = &net->virtio.queues[VIRTIO_NET_RX_QUEUE];
    struct vq_chain chain;
    int rc;
    while ((rc = vq_pop(vq, &chain)) < 0)
        *used = true; /* a malformed buffer was handed back; try the next one */
    if (rc == 0)
        return false;
    uint8_t hdr[VIRTIO_NET_HDR_LEN] = {0};
    hdr[10] = 1; /* num_buffers */
    if (chain.writable_len < VIRTIO_NET_HDR_LEN + len) {
        vq_push(vq, chain.head, 0);
        net->rx_dropped++;
    } else {
        vq_chain_write(&chain, 0, hdr, sizeof hdr);
        vq_chain_write(&chain, sizeof hdr, frame, len);
        vq_push(vq, chain.head, (uint32_t)(sizeof hdr + len));
    }
    *used = true;
    return true;
}

static void flush_pending(struct virtio_net *net)
{
    bool used = false;
    while (net->pending_count > 0) {
        struct pending_frame *f = &net->pending[net->pending_head];
        if (!deliver(net, f->data, f->len, &used))
            break;
        free(f->data);
        net->pending_head = (net->pending_head + 1) % VIRTIO_NET_PENDING_FRAMES;
        net->pending_count--;
    }
    if (used)
        virtio_signal_used(&net->virtio);
}

void virtio_net_receive(struct virtio_net *net, const uint8_t *frame, size_t len)
{
    if (len > VIRTIO_NET_MAX_FRAME || !net->virtio.queues)
        return;
    if (net->pending_count == VIRTIO_NET_PENDING_FRAMES) {
        net->rx_dropped++; /* TCP will retransmit */
        return;
    }
    uint8_t *copy = malloc(len);
    if (!copy)
        return;
    memcpy(copy, frame, len);
    size_t slot = (net->pending_head + net->pending_count) % VIRTIO_NET_PENDING_FRAMES;
    net->pending[slot] = (struct pending_frame){len, copy};
    net->pending_count++;
    flush_pending(net);
}

static void transmit_all(struct virtio_net *net)
{
    struct virtqueue *vq = &net->virtio.queues[VIRTIO_NET_TX_QUEUE];
    struct vq_chain chain;
    int rc;
    bool used = false;
    while ((rc = vq_pop(vq, &chain)) != 0) {
        used = true;
        if (rc < 0)
            continue;
        size_t len = vq_chain_read(&chain, 0, net->tx_buffer, sizeof net->tx_buffer);
        if (len > VIRTIO_NET_HDR_LEN && net->transmit)
            net->transmit(net->transmit_ctx, net->tx_buffer + VIRTIO_NET_HDR_LEN,
                          len - VIRTIO_NET_HDR_LEN);
        vq_push(vq, chain.head, 0);
    }
    if (used)
        virtio_signal_used(&net->virtio);
}

static void net_queue_notify(void *impl, unsigned index)
{
    struct virtio_net *net = impl;
    if (index == VIRTIO_NET_TX_QUEUE)
        transmit_all(net);
    else
        flush_pending(net);
}

static void drop_pending(struct virtio_net *net)
{
    while (net->pending_count > 0) {
        free(net->pending[net->pending_head].data);
        net->pending_head = (net->pending_head + 1) % VIRTIO_NET_PENDING_FRAMES;
        net->pending_count--;
    }
}

static void net_reset(void *impl)
{
    drop_pending(impl);
}

static const struct virtio_device_ops net_ops = {
    .config_read = net_config_read,
    .queue_notify = net_queue_notify,
    .reset = net_reset,
};

void virtio_net_init(struct virtio_net *net, const uint8_t mac[6],
                     void (*transmit)(void *ctx, const uint8_t *frame, size_t len), void *ctx)
{
    memset(net, 0, sizeof *net);
    memcpy(net->mac, mac, 6);
    net->transmit = transmit;
    net->transmit_ctx = ctx;
    net->virtio = (struct virtio_device){
        .name = "virtio-net",
        .device_id = VIRTIO_ID_NET,
        .features = VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS,
        .queue_count = 2,
        .ops = &net_ops,
        .impl = net,
    };
}

void virtio_net_release(struct virtio_net *net)
{
    drop_pending(net);
}
