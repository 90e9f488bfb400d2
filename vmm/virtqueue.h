/* SPDX-License-Identifier: MIT */
/* Split virtqueues (virtio 1.x): taking descriptor chains the driver made available, including
 * indirect tables, and returning them as used. Every guest-supplied index, length and address is
 * checked; a malformed chain is returned unused instead of being followed. */
#ifndef ROVE_VMM_VIRTQUEUE_H
#define ROVE_VMM_VIRTQUEUE_H

#include "guest_mem.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VQ_MAX_SIZE     256
#define VQ_MAX_SEGMENTS 128

#define VRING_DESC_F_NEXT     1
#define VRING_DESC_F_WRITE    2
#define VRING_DESC_F_INDIRECT 4

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct vq_segment {
    uint8_t *host;
    uint32_t len;
    bool writable;
};

/* One request: its head index and its buffers, readable ones first. */
struct vq_chain {
    uint16_t head;
    unsigned count;
    struct vq_segment segments[VQ_MAX_SEGMENTS];
    size_t readable_len;
    size_t writable_len;
};

struct virtqueue {
    const struct guest_mem *mem;
    uint16_t size;
    bool ready;
    uint64_t desc_addr;
    uint64_t avail_addr;
    uint64_t used_addr;
    uint16_t last_avail;
    uint16_t next_used;
    unsigned malformed; /* chains refused so far */
};

void vq_reset(struct virtqueue *vq);
/* Checks that the rings lie in guest memory and marks the queue ready. Returns 0 or -1. */
int vq_activate(struct virtqueue *vq);
/* Takes the next available chain: 1 with *chain filled, 0 when none is available, -1 when the
 * chain was malformed (it has been returned to the driver as used with length 0). */
int vq_pop(struct virtqueue *vq, struct vq_chain *chain);
/* Returns a chain to the driver with len bytes written into its device-writable buffers. */
void vq_push(struct virtqueue *vq, uint16_t head, uint32_t len);
/* Copies from the readable part of a chain, starting offset bytes in. Returns bytes copied. */
size_t vq_chain_read(const struct vq_chain *chain, size_t offset, void *dst, size_t len);
/* Copies into the writable part of a chain, starting offset bytes in. Returns bytes copied. */
size_t vq_chain_write(const struct vq_chain *chain, size_t offset, const void *src, size_t len);

#endif
