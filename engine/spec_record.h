/* SPDX-License-Identifier: MIT */
/* The settings a machine was built from, kept in its state folder (spec.json) at create and after
 * each change applied, and how they differ from what the machinefile asks for now. reload and up
 * apply the difference; status shows it.
 *
 * spec_fields[] in spec_record.c is the one place that walks struct rove_machine_spec for the
 * record and the difference: a new field of the spec is one line there. */
#ifndef ROVE_ENGINE_SPEC_RECORD_H
#define ROVE_ENGINE_SPEC_RECORD_H

#include "machine/machinefile.h"
#include "providers/provider.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPEC_RECORD_FILE "spec.json"

/* What a machine was built from. Read back by spec_record_read(), every string and array is
 * owned by the record; for spec_record_write() they may be borrowed. */
struct spec_record {
    struct rove_machine_spec spec;
    char *provider;
    char *box;         /* the machinefile's box: as it was written (resolved) */
    char *box_url;     /* the machinefile's box_url, or NULL */
    char *box_version; /* the version of the box the machine was built from */
    uint64_t box_size; /* the box's disk size, what a disk of 0 means; 0: unknown */
};

/* Writes r to path through a temporary file. Returns 0, or -1 with errno set. */
int spec_record_write(const char *path, const struct spec_record *r);
/* Reads path into r. Returns 0; -1 with errno ENOENT when there is none (a machine created by an
 * older rove), EINVAL when it is not a record rove wrote. */
int spec_record_read(const char *path, struct spec_record *r);
void spec_record_clear(struct spec_record *r);

struct spec_change {
    char *field;  /* "memory", "forward", "libvirt.restrict" */
    char *words;  /* "memory 512 MiB -> 768 MiB" */
    bool refused; /* cannot be applied to the existing machine: destroy it first */
};

struct spec_diff {
    struct spec_change *items;
    size_t count;
    size_t refused; /* how many of them */
};

/* The differences between what the machine was built from and what the machinefile's machine m
 * asks for (wanted: its spec, with its provider's settings when they are known). A different
 * provider, box, box_url or a box version outside m's constraint, and a smaller disk, are
 * refused. */
void spec_diff_compute(const struct spec_record *built, const struct rove_machine_spec *wanted,
                       const struct machine *m, struct spec_diff *out);
/* "memory 512 MiB -> 768 MiB, cpus 1 -> 2" of the changes that are refused (or not), newly
 * allocated; "" when there is none. */
char *spec_diff_words(const struct spec_diff *d, bool refused);
/* "memory, cpus" likewise. */
char *spec_diff_fields(const struct spec_diff *d, bool refused);
void spec_diff_clear(struct spec_diff *d);

/* True when the forward f takes a host port that the machine built from built does not hold. */
bool spec_forward_is_new(const struct spec_record *built, const struct rove_forward *f);

#endif
