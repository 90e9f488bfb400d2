/* SPDX-License-Identifier: MIT */
#include "virtio_mmio.h"
#include "vmm_log.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum {
    REG_MAGIC = 0x000,
    REG_VERSION = 0x004,
    REG_DEVICE_ID = 0x008,
    REG_VENDOR_ID = 0x00c,
    REG_DEVICE_FEATURES = 0x010,
    REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020,
    REG_DRIVER_FEATURES_SEL = 0x024,
    REG_QUEUE_SEL = 0x030,
    REG_QUEUE_NUM_MAX = 0x034,
    REG_QUEUE_NUM = 0x038,
    REG_QUEUE_READY = 0x044,
    REG_QUEUE_NOTIFY = 0x050,
    REG_INTERRUPT_STATUS = 0x060,
    REG_INTERRUPT_ACK = 0x064,
    REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080,
    REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090,
    REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0,
    REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_CONFIG_GENERATION = 0x0fc,
    REG_CONFIG = 0x100,
};

static void signal_used(struct virtio_transport *t)
{
    t->interrupt_status |= VIRTIO_INT_USED_BUFFER;
    /* One edge per notification; the driver reads and acknowledges the status. */
    irq_line_pulse(&t->irq);
}

void virtio_mmio_init(struct virtio_transport *t, struct virtio_device *device,
                      const struct guest_mem *mem, struct irq_line irq)
{
    memset(t, 0, sizeof *t);
    t->device = device;
    t->irq = irq;
    for (int i = 0; i < VIRTIO_MAX_QUEUES; i++)
        t->queues[i].mem = mem;
    device->queues = t->queues;
    device->signal_used = signal_used;
    device->transport = t;
}

void virtio_mmio_cmdline(char *buf, size_t size, uint64_t base, uint32_t irq)
{
    size_t used = strlen(buf);
    if (used < size)
        snprintf(buf + used, size - used, " virtio_mmio.device=4K@0x%" PRIx64 ":%u", base, irq);
}

static uint64_t offered_features(const struct virtio_transport *t)
{
    return t->device->features | VIRTIO_F_VERSION_1;
}

static struct virtqueue *selected_queue(struct virtio_transport *t)
{
    return t->queue_sel < t->device->queue_count ? &t->queues[t->queue_sel] : NULL;
}

static void reset(struct virtio_transport *t)
{
    for (int i = 0; i < VIRTIO_MAX_QUEUES; i++)
        vq_reset(&t->queues[i]);
    t->status = 0;
    t->interrupt_status = 0;
    t->driver_features = 0;
    t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
    if (t->device->ops->reset)
        t->device->ops->reset(t->device->impl);
}

static void write_status(struct virtio_transport *t, uint32_t value)
{
    if (value == 0) {
        reset(t);
        return;
    }
    /* FEATURES_OK sticks only if the driver asked for nothing we do not offer. */
    if ((value & VIRTIO_STATUS_FEATURES_OK) && !(t->status & VIRTIO_STATUS_FEATURES_OK)) {
        uint64_t offered = offered_features(t);
        if ((t->driver_features & ~offered) || !(t->driver_features & VIRTIO_F_VERSION_1))
            value &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
    }
    t->status = value;
}

static uint32_t read_register(struct virtio_transport *t, uint64_t offset)
{
    struct virtqueue *vq = selected_queue(t);
    switch (offset) {
    case REG_MAGIC:
        return VIRTIO_MMIO_MAGIC;
    case REG_VERSION:
        return 2;
    case REG_DEVICE_ID:
        return t->device->device_id;
    case REG_VENDOR_ID:
        return VIRTIO_MMIO_VENDOR;
    case REG_DEVICE_FEATURES:
        return t->device_features_sel > 1
                   ? 0
                   : (uint32_t)(offered_features(t) >> (32 * t->device_features_sel));
    case REG_QUEUE_NUM_MAX:
        return vq ? VQ_MAX_SIZE : 0;
    case REG_QUEUE_READY:
        return vq ? vq->ready : 0;
    case REG_INTERRUPT_STATUS:
        return t->interrupt_status;
    case REG_STATUS:
        return t->status;
    case REG_CONFIG_GENERATION:
        return t->config_generation;
    default:
        return 0;
    }
}

static void set_low(uint64_t *addr, uint32_t value)
{
    *addr = (*addr & 0xffffffff00000000ULL) | value;
}

static void set_high(uint64_t *addr, uint32_t value)
{
    *addr = (*addr & 0xffffffffULL) | (uint64_t)value << 32;
}

static void write_queue_register(struct virtio_transport *t, uint64_t offset, uint32_t value)
{
    struct virtqueue *vq = selected_queue(t);
    /* Queue layout is frozen once the queue is ready. */
    if (!vq || (vq->ready && offset != REG_QUEUE_READY))
        return;
    switch (offset) {
    case REG_QUEUE_NUM:
        vq->size = (uint16_t)(value <= VQ_MAX_SIZE ? value : 0);
        break;
    case REG_QUEUE_DESC_LOW:
        set_low(&vq->desc_addr, value);
        break;
    case REG_QUEUE_DESC_HIGH:
        set_high(&vq->desc_addr, value);
        break;
    case REG_QUEUE_DRIVER_LOW:
        set_low(&vq->avail_addr, value);
        break;
    case REG_QUEUE_DRIVER_HIGH:
        set_high(&vq->avail_addr, value);
        break;
    case REG_QUEUE_DEVICE_LOW:
        set_low(&vq->used_addr, value);
        break;
    case REG_QUEUE_DEVICE_HIGH:
        set_high(&vq->used_addr, value);
        break;
    case REG_QUEUE_READY:
        if (!value) {
            vq->ready = false;
        } else if (vq_activate(vq) < 0) {
            vmm_warn("%s: queue %u rings are not in guest memory; device needs reset",
                     t->device->name, t->queue_sel);
            t->status |= VIRTIO_STATUS_NEEDS_RESET;
        }
        break;
    }
}

static void write_register(struct virtio_transport *t, uint64_t offset, uint32_t value)
{
    switch (offset) {
    case REG_DEVICE_FEATURES_SEL:
        t->device_features_sel = value;
        break;
    case REG_DRIVER_FEATURES_SEL:
        t->driver_features_sel = value;
        break;
    case REG_DRIVER_FEATURES:
        if (t->driver_features_sel == 0)
            set_low(&t->driver_features, value);
        else if (t->driver_features_sel == 1)
            set_high(&t->driver_features, value);
        break;
    case REG_QUEUE_SEL:
        t->queue_sel = value;
        break;
    case REG_QUEUE_NOTIFY:
        if (value < t->device->queue_count && t->queues[value].ready &&
            (t->status & VIRTIO_STATUS_DRIVER_OK))
            t->device->ops->queue_notify(t->device->impl, value);
        break;
    case REG_INTERRUPT_ACK:
        t->interrupt_status &= ~value;
        break;
    case REG_STATUS:
        write_status(t, value);
        break;
    default:
        write_queue_register(t, offset, value);
        break;
    }
}

static void mmio_read(void *dev, uint64_t offset, uint8_t *data, uint32_t len)
{
    struct virtio_transport *t = dev;
    memset(data, 0, len);
    if (offset >= REG_CONFIG) {
        t->device->ops->config_read(t->device->impl, offset - REG_CONFIG, data, len);
        return;
    }
    uint32_t value = (len == 4 && offset % 4 == 0) ? read_register(t, offset) : 0;
    memcpy(data, &value, len < 4 ? len : 4);
}

static void mmio_write(void *dev, uint64_t offset, const uint8_t *data, uint32_t len)
{
    struct virtio_transport *t = dev;
    /* Registers are 32-bit; the configuration space is read-only for every device here. */
    if (offset >= REG_CONFIG || len != 4 || offset % 4 != 0)
        return;
    uint32_t value;
    memcpy(&value, data, 4);
    write_register(t, offset, value);
}

const struct device_ops virtio_mmio_ops = {.read = mmio_read, .write = mmio_write};
