/* SPDX-License-Identifier: MIT */
/* Box catalogs in Vagrant's format:
 *   {"name": "debian/bookworm64", "versions": [{"version": "12.1", "providers": [
 *       {"name": "libvirt", "url": "https://.../x.box", "checksum_type": "sha256",
 *        "checksum": "9f2c..."}]}]}
 * A catalog file may also hold a JSON array of such objects (several boxes in one file).
 * Registries add "architecture" and "default_architecture" to each provider: the host's
 * architecture is chosen (box_host_architecture()). */
#ifndef ROVE_BOXES_CATALOG_H
#define ROVE_BOXES_CATALOG_H

#include "boxes/checksum.h"

#include <stdbool.h>
#include <stddef.h>

struct catalog_provider {
    char *name;
    char *url;          /* as written: absolute, or relative to the catalog's own location */
    char *architecture; /* "amd64", "arm64", ...; NULL or "unknown": any */
    bool default_architecture;
    bool has_checksum;
    struct box_checksum checksum;
};

struct catalog_version {
    char *version;
    struct catalog_provider *providers;
    size_t nproviders;
};

struct box_catalog {
    char *name;
    struct catalog_version *versions;
    size_t nversions;
};

/* Parses a catalog document. want_name selects the box in an array (and must match a single
 * catalog's own name); NULL takes a single catalog as it is. Returns 0, or -1 with *err (newly
 * allocated). */
int box_catalog_parse(const char *text, size_t len, const char *want_name, struct box_catalog *out,
                      char **err);
void box_catalog_free(struct box_catalog *cat);

/* The host's architecture as registries name it: "amd64", "arm64", "386", else uname's machine. */
const char *box_host_architecture(void);

/* The highest version satisfying constraint (NULL: any) that offers provider for the host's
 * architecture (a provider of the host's architecture first, then one for any architecture,
 * the default_architecture one first). With provider NULL: the highest offering "libvirt"
 * when any does, else the highest with its first provider. Returns the version and sets
 * *provider_out, or returns NULL. */
const struct catalog_version *box_catalog_select(const struct box_catalog *cat,
                                                 const char *constraint, const char *provider,
                                                 const struct catalog_provider **provider_out);

#endif
