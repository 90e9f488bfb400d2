/* SPDX-License-Identifier: MIT */
#include "virtio_rng.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static void rng_config_read(void *impl, uint64_t offset, uint8_t *data, uint32_t len)
{
    (void)impl;
    (void)offset;
    memset(data, 0, len); /* virtio-rng has no configuration space */
}

uint32_t virtio_rng_fill(const struct vq_chain *chain)
{
    uint32_t written = 0;
    for (unsigned i = 0; i < chain->count; i++) {
        const struct vq_segment *s = &chain->segments[i];
        if (!s->writable)
            continue;
        size_t done = 0;
        while (done < s->len) {
            ssize_t n = getrandom(s->host + done, s->len - done, GRND_NONBLOCK);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return written + (uint32_t)done; /* the pool is not ready: hand over what we have */
            done += (size_t)n;
        }
        written += s->len;
    }
    return written;
}

static void rng_queue_notify(void *impl, unsigned index)
{
    struct virtio_rng *rng = impl;
    struct virtqueue *vq = &rng->virtio.queues[index];
    struct vq_chain chain;
    int rc;
    bool used = false;
    while ((rc = vq_pop(vq, &chain)) != 0) {
        if (rc > 0)
            vq_push(vq, chain.head, virtio_rng_fill(&chain));
        used = true;
    }
    if (used)
        virtio_signal_used(&rng->virtio);
}

static const struct virtio_device_ops rng_ops = {
    .config_read = rng_config_read,
    .queue_notify = rng_queue_notify,
};

void virtio_rng_init(struct virtio_rng *rng)
{
    memset(rng, 0, sizeof *rng);
    rng->virtio = (struct virtio_device){
        .name = "virtio-rng",
        .device_id = VIRTIO_ID_RNG,
        .queue_count = 1,
        .ops = &rng_ops,
        .impl = rng,
    };
}
