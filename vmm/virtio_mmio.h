/* SPDX-License-Identifier: MIT */
/* The virtio-mmio transport (version 2): one 4 KiB register window and one interrupt line per
 * device, announced to Linux as virtio_mmio.device=4K@BASE:IRQ on the command line. */
#ifndef ROVE_VMM_VIRTIO_MMIO_H
#define ROVE_VMM_VIRTIO_MMIO_H

#include "device.h"
#include "virtio.h"

#define VIRTIO_MMIO_MAGIC  0x74726976 /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x45564f52 /* "ROVE" */

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED      0x80

#define VIRTIO_INT_USED_BUFFER 1
#define VIRTIO_INT_CONFIG      2

struct virtio_transport {
    struct virtio_device *device;
    struct virtqueue queues[VIRTIO_MAX_QUEUES];
    struct irq_line irq;
    uint32_t status;
    uint32_t interrupt_status;
    uint32_t device_features_sel;
    uint32_t driver_features_sel;
    uint64_t driver_features;
    uint32_t queue_sel;
    uint32_t config_generation;
};

extern const struct device_ops virtio_mmio_ops;

void virtio_mmio_init(struct virtio_transport *t, struct virtio_device *device,
                      const struct guest_mem *mem, struct irq_line irq);
/* Appends " virtio_mmio.device=4K@0x...:IRQ" to buf. */
void virtio_mmio_cmdline(char *buf, size_t size, uint64_t base, uint32_t irq);

#endif
