/* SPDX-License-Identifier: MIT */
#include "virtio_blk.h"
#include "vmm_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define HEADER_LEN sizeof(struct virtio_blk_request_header)

static void blk_config_read(void *impl, uint64_t offset, uint8_t *data, uint32_t len)
{
    struct virtio_blk *blk = impl;
    /* Only the capacity (offset 0, 8 bytes) is offered; the rest reads as zero. */
    uint8_t config[8];
    memcpy(config, &blk->capacity, sizeof config);
    for (uint32_t i = 0; i < len; i++)
        data[i] = offset + i < sizeof config ? config[offset + i] : 0;
}

static void blk_queue_notify(void *impl, unsigned index)
{
    struct virtio_blk *blk = impl;
    struct virtqueue *vq = &blk->virtio.queues[index];
    struct vq_chain chain;
    int rc;
    bool used = false;
    while ((rc = vq_pop(vq, &chain)) != 0) {
        if (rc > 0)
            vq_push(vq, chain.head, virtio_blk_handle(blk, &chain));
        used = true;
    }
    if (used)
        virtio_signal_used(&blk->virtio);
}

static const struct virtio_device_ops blk_ops = {
    .config_read = blk_config_read,
    .queue_notify = blk_queue_notify,
};

int virtio_blk_open(struct virtio_blk *blk, const char *path, bool read_only)
{
    memset(blk, 0, sizeof *blk);
    blk->fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (blk->fd < 0) {
        vmm_error("--disk %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(blk->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        vmm_error("--disk %s: not a regular file (a raw disk image is expected)", path);
        close(blk->fd);
        return -1;
    }
    blk->read_only = read_only;
    blk->capacity = (uint64_t)st.st_size / VIRTIO_BLK_SECTOR_SIZE;
    snprintf(blk->path, sizeof blk->path, "%s", path);
    blk->virtio = (struct virtio_device){
        .name = "virtio-blk",
        .device_id = VIRTIO_ID_BLOCK,
        .features = VIRTIO_BLK_F_FLUSH | (read_only ? VIRTIO_BLK_F_RO : 0),
        .queue_count = 1,
        .ops = &blk_ops,
        .impl = blk,
    };
    return 0;
}

void virtio_blk_close(struct virtio_blk *blk)
{
    if (blk->fd >= 0)
        close(blk->fd);
    blk->fd = -1;
}

/* The data buffers of a request as an iovec: readable ones after the header (write), or
 * writable ones before the status byte (read). Returns the data length. */
static size_t data_iovec(const struct vq_chain *chain, bool writable, struct iovec *iov, int *count)
{
    size_t skip = writable ? 0 : HEADER_LEN;
    size_t remaining = writable ? chain->writable_len - 1 : chain->readable_len - HEADER_LEN;
    size_t total = remaining;
    *count = 0;
    for (unsigned i = 0; i < chain->count && remaining > 0; i++) {
        const struct vq_segment *s = &chain->segments[i];
        if (s->writable != writable)
            continue;
        if (skip >= s->len) {
            skip -= s->len;
            continue;
        }
        size_t n = s->len - skip < remaining ? s->len - skip : remaining;
        iov[(*count)++] = (struct iovec){s->host + skip, n};
        remaining -= n;
        skip = 0;
    }
    return total;
}

static bool in_range(const struct virtio_blk *blk, uint64_t sector, size_t len)
{
    uint64_t sectors = (len + VIRTIO_BLK_SECTOR_SIZE - 1) / VIRTIO_BLK_SECTOR_SIZE;
    return sector <= blk->capacity && sectors <= blk->capacity - sector;
}

static uint8_t transfer(struct virtio_blk *blk, const struct vq_chain *chain, uint64_t sector,
                        bool to_guest, uint32_t *written)
{
    struct iovec iov[VQ_MAX_SEGMENTS];
    int count;
    size_t len = data_iovec(chain, to_guest, iov, &count);
    if (!in_range(blk, sector, len))
        return VIRTIO_BLK_S_IOERR;
    if (!to_guest && blk->read_only)
        return VIRTIO_BLK_S_IOERR;
    off_t offset = (off_t)(sector * VIRTIO_BLK_SECTOR_SIZE);
    ssize_t n =
        to_guest ? preadv(blk->fd, iov, count, offset) : pwritev(blk->fd, iov, count, offset);
    if (n < 0 || (size_t)n != len) {
        blk->io_errors++;
        vmm_debug("%s: %s at sector %llu failed: %s", blk->path, to_guest ? "read" : "write",
                  (unsigned long long)sector, n < 0 ? strerror(errno) : "short transfer");
        return VIRTIO_BLK_S_IOERR;
    }
    if (to_guest)
        *written = (uint32_t)len;
    return VIRTIO_BLK_S_OK;
}

static uint8_t get_id(const struct virtio_blk *blk, const struct vq_chain *chain, uint32_t *written)
{
    char id[VIRTIO_BLK_ID_BYTES] = "rove-vmm";
    size_t room = chain->writable_len - 1;
    size_t n = room < sizeof id ? room : sizeof id;
    (void)blk;
    *written = (uint32_t)vq_chain_write(chain, 0, id, n);
    return VIRTIO_BLK_S_OK;
}

uint32_t virtio_blk_handle(struct virtio_blk *blk, const struct vq_chain *chain)
{
    struct virtio_blk_request_header hdr;
    if (chain->writable_len < 1 || vq_chain_read(chain, 0, &hdr, HEADER_LEN) != HEADER_LEN)
        return 0; /* no room for a status: nothing can be reported */
    uint32_t written = 0;
    uint8_t status;
    switch (hdr.type) {
    case VIRTIO_BLK_T_IN:
        status = transfer(blk, chain, hdr.sector, true, &written);
        break;
    case VIRTIO_BLK_T_OUT:
        status = transfer(blk, chain, hdr.sector, false, &written);
        break;
    case VIRTIO_BLK_T_FLUSH:
        status = fdatasync(blk->fd) == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
        break;
    case VIRTIO_BLK_T_GET_ID:
        status = get_id(blk, chain, &written);
        break;
    default:
        status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    vq_chain_write(chain, chain->writable_len - 1, &status, 1);
    return written + 1;
}
