/* SPDX-License-Identifier: MIT */
/* The host index: every machine rove knows on this host, in DATA/index.json (boxes/paths.h).
 * `rove up` writes it (machine/); the box layer reads it to refuse removing a box in use.
 *
 * Format (a JSON object; unknown keys are ignored, so it may grow):
 *   {"machines": [{"project": "/abs/dir",            folder of the machinefile
 *                  "name": "web",                    machine name
 *                  "box": "debian/bookworm64",       box name as stored
 *                  "box_version": "12.1",            stored version it runs on (or null: any)
 *                  "provider": "libvirt",
 *                  "state_dir": "/abs/dir/.rove/machines/web"}]}
 * An entry whose state_dir no longer exists is stale (the project was deleted) and is skipped. */
#ifndef ROVE_BOXES_HOST_INDEX_H
#define ROVE_BOXES_HOST_INDEX_H

#include <stddef.h>

struct host_machine {
    char *project;
    char *name;
    char *box;
    char *box_version; /* NULL: any version */
    char *provider;    /* NULL: any provider */
    char *state_dir;
};

struct host_index {
    struct host_machine *machines;
    size_t count;
};

/* Reads the index at path (NULL: the default place). A missing file is an empty index. Returns 0,
 * or -1 with *err (newly allocated) for an unreadable or malformed file. */
int host_index_load(const char *path, struct host_index *out, char **err);
/* Parses the index's text; the same rules. */
int host_index_parse(const char *text, size_t len, struct host_index *out, char **err);
void host_index_free(struct host_index *idx);
/* The first live machine using box name at version, stored for provider, or NULL: a machine
 * whose provider accepts that box (box_provider_accepts(): vmm machines run libvirt boxes). */
const struct host_machine *host_index_find_user(const struct host_index *idx, const char *box,
                                                const char *version, const char *provider);

#endif
