/* SPDX-License-Identifier: MIT */
/* virtio-blk on a raw image file: read, write, flush and get-id; optionally read-only. */
#ifndef ROVE_VMM_VIRTIO_BLK_H
#define ROVE_VMM_VIRTIO_BLK_H

#include "virtio.h"

#include <stdbool.h>

#define VIRTIO_BLK_T_IN        0
#define VIRTIO_BLK_T_OUT       1
#define VIRTIO_BLK_T_FLUSH     4
#define VIRTIO_BLK_T_GET_ID    8
#define VIRTIO_BLK_S_OK        0
#define VIRTIO_BLK_S_IOERR     1
#define VIRTIO_BLK_S_UNSUPP    2
#define VIRTIO_BLK_F_RO        (1ULL << 5)
#define VIRTIO_BLK_F_FLUSH     (1ULL << 9)
#define VIRTIO_BLK_SECTOR_SIZE 512
#define VIRTIO_BLK_ID_BYTES    20

struct virtio_blk_request_header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

struct virtio_blk {
    struct virtio_device virtio;
    int fd;
    bool read_only;
    uint64_t capacity; /* in 512-byte sectors */
    char path[256];
    unsigned io_errors;
};

/* Opens the image. Returns 0, or -1 after printing why (naming the path). */
int virtio_blk_open(struct virtio_blk *blk, const char *path, bool read_only);
void virtio_blk_close(struct virtio_blk *blk);
/* Carries out one request; returns the number of bytes written into the chain (status byte
 * included), the value for the used ring. */
uint32_t virtio_blk_handle(struct virtio_blk *blk, const struct vq_chain *chain);

#endif
