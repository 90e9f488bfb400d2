/* SPDX-License-Identifier: MIT */
/* Where the monitor places boot structures in guest physical memory (all below 1 MiB except the
 * kernel and initrd). The values follow the conventions Linux's 64-bit boot protocol expects. */
#ifndef ROVE_VMM_BOOT_LAYOUT_H
#define ROVE_VMM_BOOT_LAYOUT_H

#define BOOT_GDT_ADDR     0x500ULL
#define BOOT_IDT_ADDR     0x520ULL
#define BOOT_PARAMS_ADDR  0x7000ULL
#define BOOT_STACK_TOP    0x8ff0ULL
#define BOOT_PML4_ADDR    0x9000ULL
#define BOOT_PDPT_ADDR    0xa000ULL
#define BOOT_PD_ADDR      0xb000ULL /* four page directories: 0xb000-0xefff map 4 GiB */
#define BOOT_CMDLINE_ADDR 0x20000ULL
#define BOOT_CMDLINE_MAX  2048       /* Linux's COMMAND_LINE_SIZE on x86 */
#define BOOT_MPTABLE_ADDR 0x9fc00ULL /* last KiB of conventional memory */
#define BOOT_EBDA_START   0x9fc00ULL
#define BOOT_HIGH_MEMORY  0x100000ULL

/* Segment selectors the kernel expects in the boot GDT (__BOOT_CS, __BOOT_DS). */
#define BOOT_CODE_SELECTOR 0x10
#define BOOT_DATA_SELECTOR 0x18
#define BOOT_TSS_SELECTOR  0x20

/* Device windows above RAM (RAM below 4 GiB stops at 3 GiB). */
#define VIRTIO_MMIO_BASE 0xd0000000ULL
#define VIRTIO_MMIO_SIZE 0x1000ULL
#define IOAPIC_ADDR      0xfec00000ULL
#define LAPIC_ADDR       0xfee00000ULL

/* Legacy interrupt lines: serial COM1 and the keyboard controller, then virtio devices. */
#define IRQ_KEYBOARD     1
#define IRQ_SERIAL       4
#define IRQ_VIRTIO_FIRST 5

#endif
