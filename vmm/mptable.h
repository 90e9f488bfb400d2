/* SPDX-License-Identifier: MIT */
/* An Intel MultiProcessor table: without ACPI it is how Linux finds the other vCPUs and the
 * IOAPIC, and which ISA interrupt goes to which IOAPIC pin. */
#ifndef ROVE_VMM_MPTABLE_H
#define ROVE_VMM_MPTABLE_H

#include "guest_mem.h"

/* Writes the floating pointer and configuration table at addr. Returns the bytes used, or -1
 * when they do not fit in guest memory. */
int mptable_write(const struct guest_mem *mem, uint64_t addr, unsigned cpu_count);

#endif
