/* SPDX-License-Identifier: MIT */
/* The machine record: everything needed to launch the machine's rove-vmm, chosen at create and
 * kept in the machine's state folder (vmm.json), so start, state and ssh_endpoint need neither the
 * box nor the machinefile. */
#ifndef ROVE_PROVIDERS_VMM_VMM_RECORD_H
#define ROVE_PROVIDERS_VMM_VMM_RECORD_H

#include "providers/provider.h"

#include <stddef.h>
#include <stdint.h>

struct vmm_record {
    char *kernel;
    char *initrd;  /* or NULL */
    char *cmdline; /* or NULL */
    char *disk;    /* the machine's raw disk */
    char *seed;    /* the cloud-init seed, attached read-only, or NULL */
    uint64_t memory_mib;
    int cpus;
    int ssh_port; /* on 127.0.0.1, forwarded to the guest's port 22 */
    struct rove_forward *forwards;
    size_t nforwards;
};

/* Writes the record as JSON through a temporary file. Returns 0 or -1 (errno set). */
int vmm_record_write(const char *path, const struct vmm_record *r);
/* Reads a record; -1 with the reason in err (a missing file: errno ENOENT). */
int vmm_record_read(const char *path, struct vmm_record *r, char *err, size_t err_len);
/* Parses a record from JSON text. Returns 0 or -1 with the reason in err. */
int vmm_record_parse(const char *text, struct vmm_record *r, char *err, size_t err_len);
void vmm_record_release(struct vmm_record *r);

#endif
