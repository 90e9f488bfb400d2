/* SPDX-License-Identifier: MIT */
/* virtio-rng: fills the driver's buffers from the host's getrandom(). */
#ifndef ROVE_VMM_VIRTIO_RNG_H
#define ROVE_VMM_VIRTIO_RNG_H

#include "virtio.h"

struct virtio_rng {
    struct virtio_device virtio;
};

void virtio_rng_init(struct virtio_rng *rng);
/* Fills the writable buffers of one request; returns the bytes written. */
uint32_t virtio_rng_fill(const struct vq_chain *chain);

#endif
