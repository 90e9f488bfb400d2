/* SPDX-License-Identifier: MIT */
/* The processor state of Linux's 64-bit boot protocol: a flat GDT, identity-mapped page tables
 * for the first 4 GiB, and long mode switched on. */
#ifndef ROVE_VMM_LONG_MODE_H
#define ROVE_VMM_LONG_MODE_H

#include "guest_mem.h"

#include <linux/kvm.h>

/* Writes the GDT, an empty IDT and the page tables into guest memory. Returns 0 or -1 when
 * guest memory is too small to hold them. */
int long_mode_write_tables(const struct guest_mem *mem);
/* Fills segment, control and descriptor-table registers for 64-bit entry (the rest of sregs is
 * kept as KVM reported it). */
void long_mode_set_sregs(struct kvm_sregs *sregs);

#endif
