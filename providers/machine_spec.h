/* SPDX-License-Identifier: MIT */
/* The bridge from rove's machinefile model to the provider ABI: flattens a struct machine into
 * the plain, versioned struct rove_machine_spec a module receives. */
#ifndef ROVE_PROVIDERS_MACHINE_SPEC_H
#define ROVE_PROVIDERS_MACHINE_SPEC_H

#include "machine/machinefile.h"
#include "providers/provider.h"

/* Room for a 9p mount tag: "rove" and the mount's index. */
#define ROVE_MOUNT_TAG_MAX 16

struct provider_spec {
    struct rove_machine_spec spec; /* points into m and into the arrays below */
    struct rove_forward *forwards;
    struct rove_mount *mounts;
    char (*mount_tags)[ROVE_MOUNT_TAG_MAX];
    struct rove_option *options; /* of the provider's section: provider_spec_add_options() */
    char **paths;                /* the absolute paths options point at */
    size_t npaths;
};

/* Fills out from m, without the provider's section. The strings stay owned by m, which must
 * outlive out. */
void provider_spec_from_machine(const struct machine *m, struct provider_spec *out);
void provider_spec_release(struct provider_spec *s);

#endif
