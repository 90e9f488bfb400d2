/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the split virtqueue must follow or refuse whatever a guest puts in its rings
 * without reading or writing outside guest memory and without looping forever.
 *
 * Input: a 12-byte header, then the guest's memory.
 *   [0]      queue size: 1 << (b % 9), or b - 0xf0 when b >= 0xf0 (0 and non-powers of two,
 *            which activation must refuse)
 *   [1..2]   descriptor table address (little-endian)
 *   [3..4]   available ring address
 *   [5..6]   used ring address
 *   [7..8]   starting value of both ring indices, so that wrap-around is reached
 *   [9..10]  split: when inside the memory, the bytes from there on become a second region at
 *            4 GiB, as guest RAM above the PCI hole does, so that buffers straddling two regions
 *            are tried
 *   [11]     offset at which the device reads and writes each chain
 * Each region lives in its own heap block of exactly its size, so that AddressSanitizer sees
 * any access past a region's end. Chains are popped and completed the way the block device's
 * notify handler does, until none is left. */
#include "guest_mem.h"
#include "virtqueue.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_SIZE 12

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint16_t queue_size(uint8_t b)
{
    return b >= 0xf0 ? (uint16_t)(b - 0xf0) : (uint16_t)(1u << (b % 9));
}

/* The segment must be RAM of exactly one region: the checks in virtqueue.c promise it. */
static const struct guest_mem_region *region_of(const struct guest_mem *mem,
                                                const struct vq_segment *s)
{
    for (int i = 0; i < mem->count; i++) {
        const struct guest_mem_region *r = &mem->regions[i];
        uintptr_t host = (uintptr_t)s->host, start = (uintptr_t)r->host;
        if (host >= start && host - start <= r->size && s->len <= r->size - (host - start))
            return r;
    }
    return NULL;
}

static void check_chain(const struct virtqueue *vq, const struct vq_chain *chain)
{
    if (chain->head >= vq->size || chain->count == 0 || chain->count > VQ_MAX_SEGMENTS)
        abort();
    size_t readable = 0, writable = 0;
    for (unsigned i = 0; i < chain->count; i++) {
        const struct vq_segment *s = &chain->segments[i];
        if (!region_of(vq->mem, s))
            abort();
        if (s->writable) {
            writable += s->len;
        } else {
            if (writable > 0) /* readable buffers come first */
                abort();
            readable += s->len;
        }
        /* Touch both ends so that AddressSanitizer checks the pointer it was given. */
        if (s->len > 0) {
            volatile uint8_t sink = s->host[0];
            sink = s->host[s->len - 1];
            (void)sink;
            if (s->writable) {
                s->host[0] = sink;
                s->host[s->len - 1] = sink;
            }
        }
    }
    if (readable != chain->readable_len || writable != chain->writable_len)
        abort();
}

static uint32_t complete(const struct vq_chain *chain, size_t offset)
{
    static uint8_t buf[4096];
    size_t got = vq_chain_read(chain, offset, buf, sizeof buf);
    size_t expect = chain->readable_len > offset ? chain->readable_len - offset : 0;
    if (got != (expect < sizeof buf ? expect : sizeof buf))
        abort();
    memset(buf, 0xa5, sizeof buf);
    size_t put = vq_chain_write(chain, offset, buf, sizeof buf);
    expect = chain->writable_len > offset ? chain->writable_len - offset : 0;
    if (put != (expect < sizeof buf ? expect : sizeof buf))
        abort();
    return (uint32_t)put;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_SIZE)
        return 0;
    const uint8_t *image = data + HEADER_SIZE;
    size_t image_size = size - HEADER_SIZE;
    size_t split = le16(data + 9);
    if (split == 0 || split >= image_size)
        split = image_size;

    struct guest_mem mem = {0};
    uint8_t *low = malloc(split ? split : 1);
    uint8_t *high = split < image_size ? malloc(image_size - split) : NULL;
    if (!low || (split < image_size && !high))
        abort();
    memcpy(low, image, split);
    mem.regions[mem.count++] = (struct guest_mem_region){0, split, low};
    if (high) {
        memcpy(high, image + split, image_size - split);
        mem.regions[mem.count++] =
            (struct guest_mem_region){GUEST_MEM_HIGH_START, image_size - split, high};
    }
    mem.total = image_size;

    struct virtqueue vq = {.mem = &mem};
    vq_reset(&vq);
    vq.size = queue_size(data[0]);
    vq.desc_addr = le16(data + 1);
    vq.avail_addr = le16(data + 3);
    vq.used_addr = le16(data + 5);
    struct vq_chain chain;
    if (vq_activate(&vq) < 0) {
        /* A refused queue must stay idle. */
        if (vq_pop(&vq, &chain) != 0)
            abort();
    } else {
        vq.last_avail = vq.next_used = le16(data + 7);
        int rc;
        while ((rc = vq_pop(&vq, &chain)) != 0) {
            if (rc > 0) {
                check_chain(&vq, &chain);
                vq_push(&vq, chain.head, complete(&chain, data[11]));
            }
        }
    }
    free(low);
    free(high);
    return 0;
}
