/* SPDX-License-Identifier: MIT */
#include "virtqueue.h"

#include <string.h>

#define AVAIL_RING_OFFSET 4
#define USED_RING_OFFSET  4
#define USED_ELEM_SIZE    8

void vq_reset(struct virtqueue *vq)
{
    const struct guest_mem *mem = vq->mem;
    memset(vq, 0, sizeof *vq);
    vq->mem = mem;
}

static bool valid_size(uint16_t size)
{
    return size > 0 && size <= VQ_MAX_SIZE && (size & (size - 1)) == 0;
}

int vq_activate(struct virtqueue *vq)
{
    if (!valid_size(vq->size) ||
        !guest_mem_ptr(vq->mem, vq->desc_addr, (uint64_t)vq->size * sizeof(struct vring_desc)) ||
        !guest_mem_ptr(vq->mem, vq->avail_addr, AVAIL_RING_OFFSET + 2ULL * vq->size + 2) ||
        !guest_mem_ptr(vq->mem, vq->used_addr, USED_RING_OFFSET + 8ULL * vq->size + 2))
        return -1;
    vq->last_avail = 0;
    vq->next_used = 0;
    vq->ready = true;
    return 0;
}

static uint16_t *avail_idx(const struct virtqueue *vq)
{
    return guest_mem_ptr(vq->mem, vq->avail_addr + 2, 2);
}

static uint16_t avail_ring_entry(const struct virtqueue *vq, uint16_t slot)
{
    uint16_t value;
    guest_mem_read(vq->mem, vq->avail_addr + AVAIL_RING_OFFSET + 2ULL * (slot % vq->size), &value,
                   2);
    return value;
}

struct walk {
    const struct vring_desc *table;
    uint32_t table_size;
    bool indirect;
};

static bool add_segment(struct vq_chain *chain, const struct guest_mem *mem,
                        const struct vring_desc *d)
{
    if (chain->count == VQ_MAX_SEGMENTS)
        return false;
    uint8_t *host = guest_mem_ptr(mem, d->addr, d->len);
    if (!host)
        return false;
    bool writable = d->flags & VRING_DESC_F_WRITE;
    /* Readable buffers must all come before writable ones, empty writable ones included:
     * vq_chain_read stops at the first writable segment. */
    if (!writable && chain->count > 0 && chain->segments[chain->count - 1].writable)
        return false;
    chain->segments[chain->count++] = (struct vq_segment){host, d->len, writable};
    if (writable)
        chain->writable_len += d->len;
    else
        chain->readable_len += d->len;
    return true;
}

static bool enter_indirect(struct walk *w, const struct guest_mem *mem, const struct vring_desc *d)
{
    if (w->indirect || (d->flags & VRING_DESC_F_NEXT) || d->len == 0 ||
        d->len % sizeof(struct vring_desc) != 0)
        return false;
    w->table = guest_mem_ptr(mem, d->addr, d->len);
    w->table_size = d->len / sizeof(struct vring_desc);
    w->indirect = true;
    return w->table != NULL;
}

static bool walk_chain(struct virtqueue *vq, uint16_t head, struct vq_chain *chain)
{
    struct walk w = {
        .table =
            guest_mem_ptr(vq->mem, vq->desc_addr, (uint64_t)vq->size * sizeof(struct vring_desc)),
        .table_size = vq->size,
    };
    uint32_t index = head;
    /* A chain longer than its table must loop. */
    uint32_t steps = 0;
    for (;;) {
        if (!w.table || index >= w.table_size || ++steps > w.table_size)
            return false;
        struct vring_desc d;
        memcpy(&d, &w.table[index], sizeof d);
        if (d.flags & VRING_DESC_F_INDIRECT) {
            if (!enter_indirect(&w, vq->mem, &d))
                return false;
            index = 0;
            steps = 0;
            continue;
        }
        if (!add_segment(chain, vq->mem, &d))
            return false;
        if (!(d.flags & VRING_DESC_F_NEXT))
            return true;
        index = d.next;
    }
}

int vq_pop(struct virtqueue *vq, struct vq_chain *chain)
{
    if (!vq->ready)
        return 0;
    uint16_t available = __atomic_load_n(avail_idx(vq), __ATOMIC_ACQUIRE);
    if (available == vq->last_avail)
        return 0;
    /* A driver has at most size chains outstanding. A larger gap means a corrupt index (or one
     * the device's own used-ring writes overwrite, when the rings overlap): following it could
     * go on forever, so the queue stops until the driver resets it. */
    if ((uint16_t)(available - vq->last_avail) > vq->size) {
        vq->malformed++;
        vq->ready = false;
        return 0;
    }
    uint16_t head = avail_ring_entry(vq, vq->last_avail++);
    /* The segment array is left as is: only count entries of it are meaningful. */
    chain->head = head;
    chain->count = 0;
    chain->readable_len = chain->writable_len = 0;
    if (head < vq->size && walk_chain(vq, head, chain))
        return 1;
    vq->malformed++;
    if (head < vq->size)
        vq_push(vq, head, 0);
    return -1;
}

void vq_push(struct virtqueue *vq, uint16_t head, uint32_t len)
{
    uint32_t elem[2] = {head, len};
    uint64_t slot = vq->used_addr + USED_RING_OFFSET + USED_ELEM_SIZE * (vq->next_used % vq->size);
    guest_mem_write(vq->mem, slot, elem, sizeof elem);
    vq->next_used++;
    uint16_t *used_idx = guest_mem_ptr(vq->mem, vq->used_addr + 2, 2);
    /* The element must be visible before the index that publishes it. */
    __atomic_store_n(used_idx, vq->next_used, __ATOMIC_RELEASE);
}

size_t vq_chain_read(const struct vq_chain *chain, size_t offset, void *dst, size_t len)
{
    size_t done = 0;
    for (unsigned i = 0; i < chain->count && done < len; i++) {
        const struct vq_segment *s = &chain->segments[i];
        if (s->writable)
            break;
        if (offset >= s->len) {
            offset -= s->len;
            continue;
        }
        size_t n = s->len - offset < len - done ? s->len - offset : len - done;
        memcpy((uint8_t *)dst + done, s->host + offset, n);
        done += n;
        offset = 0;
    }
    return done;
}

size_t vq_chain_write(const struct vq_chain *chain, size_t offset, const void *src, size_t len)
{
    size_t done = 0;
    for (unsigned i = 0; i < chain->count && done < len; i++) {
        const struct vq_segment *s = &chain->segments[i];
        if (!s->writable)
            continue;
        if (offset >= s->len) {
            offset -= s->len;
            continue;
        }
        size_t n = s->len - offset < len - done ? s->len - offset : len - done;
        memcpy(s->host + offset, (const uint8_t *)src + done, n);
        done += n;
        offset = 0;
    }
    return done;
}
