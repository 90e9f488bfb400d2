/* SPDX-License-Identifier: MIT */
/* What a virtio device implements, independent of the transport that carries it. */
#ifndef ROVE_VMM_VIRTIO_H
#define ROVE_VMM_VIRTIO_H

#include "virtqueue.h"

#include <stdint.h>

#define VIRTIO_ID_NET   1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_RNG   4

#define VIRTIO_F_VERSION_1 (1ULL << 32)

#define VIRTIO_MAX_QUEUES 2

struct virtio_transport;

struct virtio_device_ops {
    /* Reads and writes in the device-specific configuration space. */
    void (*config_read)(void *impl, uint64_t offset, uint8_t *data, uint32_t len);
    /* The driver put buffers in queue index. */
    void (*queue_notify)(void *impl, unsigned index);
    /* The driver reset the device (its queues are reset by the transport). */
    void (*reset)(void *impl);
};

struct virtio_device {
    const char *name;
    uint32_t device_id;
    uint64_t features; /* device-specific bits; the transport adds VIRTIO_F_VERSION_1 */
    unsigned queue_count;
    const struct virtio_device_ops *ops;
    void *impl;
    /* Set by the transport: the queues, and how to tell the driver that buffers were used. */
    struct virtqueue *queues;
    void (*signal_used)(struct virtio_transport *transport);
    struct virtio_transport *transport;
};

static inline void virtio_signal_used(struct virtio_device *dev)
{
    dev->signal_used(dev->transport);
}

#endif
