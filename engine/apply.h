/* SPDX-License-Identifier: MIT */
/* Applying a changed machinefile to an existing machine: what changed since the machine was built
 * (engine/spec_record.h), whether it can be applied, and applying it to the stopped machine
 * through its provider. `reload` and `up` of a stopped machine do it; `status` shows it. */
#ifndef ROVE_ENGINE_APPLY_H
#define ROVE_ENGINE_APPLY_H

#include "engine/machine_runtime.h"
#include "engine/spec_record.h"

#include <stdint.h>

/* Records what rt's machine is built from now (spec.json), box_size being its box's disk size.
 * Returns 0, or -1 after naming the file. */
int apply_record_spec(struct machine_runtime *rt, uint64_t box_size);

/* The differences between what rt's created machine was built from and its machinefile, its
 * provider's settings included when its provider is loaded. Returns false (out empty) when the
 * machine has no record of what it was built from. Reads nothing but the state folder. */
bool apply_diff(struct machine_runtime *rt, struct spec_diff *out);

/* Before anything is stopped: computes out and checks that it can be applied (nothing refused,
 * the provider able to, the new host ports free). Returns 0, or -1 after naming the machine,
 * what changed and, for what cannot be applied, to destroy it first. */
int apply_check(struct machine_runtime *rt, struct spec_diff *out);

/* Applies d (from apply_check) to the stopped machine and records it; says what it applies, and
 * nothing when nothing changed. On failure the machine keeps its earlier settings. */
int apply_changes(struct machine_runtime *rt, const struct spec_diff *d);

#endif
