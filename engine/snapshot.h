/* SPDX-License-Identifier: MIT */
/* Snapshots of one machine, through its provider's snapshot operations (providers/provider.h):
 * save, restore, delete, list, and push/pop as Vagrant has them (push saves under a generated
 * name, pop restores the newest pushed snapshot and deletes it). Each returns 0, or -1 after
 * printing why, naming the machine and the snapshot. */
#ifndef ROVE_ENGINE_SNAPSHOT_H
#define ROVE_ENGINE_SNAPSHOT_H

#include "engine/engine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Snapshot names: letters, digits, '.', '_' and '-', starting with a letter or a digit. */
#define SNAPSHOT_NAME_MAX 64
/* The names push gives, and pop looks for: "push_SECONDS_NUMBER", as Vagrant's. */
#define SNAPSHOT_PUSH_PREFIX "push_"

struct snapshot_entry {
    char *name;
    int64_t created; /* seconds since the epoch; 0 when the provider cannot tell */
    bool memory;     /* taken running: restoring it resumes the machine */
    bool current;
};

/* A machine's snapshots, oldest first. */
struct snapshot_list {
    struct snapshot_entry *items;
    size_t count;
};

void snapshot_list_clear(struct snapshot_list *l);
const struct snapshot_entry *snapshot_list_find(const struct snapshot_list *l, const char *name);

/* True when name is a valid snapshot name; else prints why, naming the machine, and is false. */
bool snapshot_name_valid(const char *machine, const char *name);
/* A new push name that l does not hold yet (newly allocated). */
char *snapshot_generated_name(const struct snapshot_list *l);

/* True when the machine's provider has snapshots; else says so. Loads the provider. */
bool engine_snapshots_supported(struct machine_runtime *rt);

/* The machine's snapshots. A machine that is not created has none (not an error). */
int engine_snapshot_list(struct machine_runtime *rt, struct snapshot_list *out);

/* Saves the machine (disks and memory when running, disks when stopped) as name, or under a
 * generated name when name is NULL (*saved_as, when non-NULL, gets it, newly allocated). A name
 * that exists is refused unless replace, which deletes the old snapshot first. */
int engine_snapshot_save(struct machine_runtime *rt, const char *name, bool replace,
                         char **saved_as);

struct snapshot_restore_options {
    /* PROVISION_DEFAULT and PROVISION_NONE: none; PROVISION_FORCE: every provisioner */
    enum provision_mode provision;
    bool no_start;  /* leave a machine restored from a snapshot without memory stopped */
    bool no_delete; /* pop: keep the snapshot */
};

/* Restores the snapshot. One with memory resumes the machine: rove waits for SSH and steps the
 * guest's clock; one without is restored stopped, then started and waited for as `up` does,
 * unless o->no_start. Then the machine's sync folders are copied and, with PROVISION_FORCE, its
 * provisioners run. */
int engine_snapshot_restore(struct machine_runtime *rt, const char *name,
                            const struct snapshot_restore_options *o);
int engine_snapshot_delete(struct machine_runtime *rt, const char *name);
/* Restores the newest snapshot push made, then deletes it unless o->no_delete. */
int engine_snapshot_pop(struct machine_runtime *rt, const struct snapshot_restore_options *o);

#endif
