/* SPDX-License-Identifier: MIT */
/* How much a YAML document holds once its aliases are expanded. An alias names a node written
 * elsewhere, so a small file of nested aliases ("billion laughs") names far more nodes than it
 * holds; the machinefile reader copies what it reads, so it measures before it reads. */
#ifndef ROVE_MACHINE_YAML_EXPANSION_H
#define ROVE_MACHINE_YAML_EXPANSION_H

#include "machine/yaml_walk.h"

#include <stdbool.h>
#include <stdint.h>

struct yaml_expansion {
    uint64_t nodes; /* the node itself and every node under it */
    uint64_t bytes; /* text of the scalars among them */
};

/* Measures every node of w->doc as the reader would see it: nodes and scalar bytes under it, each
 * alias counted as a copy of what it names (counts saturate at UINT64_MAX). Reports as errors a
 * scalar holding a NUL byte (C strings would cut it there), an alias inside the node it names,
 * and the innermost node that expands past max. Returns false after an error; on success
 * *sizes, indexed by node number - 1, is newly allocated. */
bool yaml_expansion_measure(struct yaml_walk *w, struct yaml_expansion max,
                            struct yaml_expansion **sizes);

/* The measure of node (from w->sizes). */
struct yaml_expansion yaml_expansion_of(const struct yaml_walk *w, const yaml_node_t *node);
/* a + b, or UINT64_MAX when that overflows. */
uint64_t yaml_expansion_add(uint64_t a, uint64_t b);

#endif
