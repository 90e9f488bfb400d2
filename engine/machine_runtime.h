/* SPDX-License-Identifier: MIT */
/* One machine at run time: its state folder, its provider (loaded only when needed), and the
 * provider's view of it. Every engine operation (engine.h) works on one. */
#ifndef ROVE_ENGINE_MACHINE_RUNTIME_H
#define ROVE_ENGINE_MACHINE_RUNTIME_H

#include "engine/spec_record.h"
#include "machine/machinefile.h"
#include "machine/state.h"
#include "providers/machine_spec.h"
#include "providers/provider.h"

#include <stdbool.h>

struct guest_conn;
struct guest_target;

/* Files in a machine's state folder that rove core owns. */
#define RUNTIME_RECORD      "machine.json" /* written once create succeeded */
#define RUNTIME_JOURNAL     "journal"
#define RUNTIME_CONSOLE_LOG "console.log" /* where providers copy the serial console */
#define RUNTIME_SSH_CONFIG  "ssh_config"
#define RUNTIME_GUEST_HOST  "127.0.0.1"
#define RUNTIME_GUEST_USER  "vagrant"

/* What rove recorded when it created the machine (machine.json). */
struct machine_record {
    char *provider;
    char *box_name;
    char *box_version;
    bool cloud_init; /* the guest got its keys from the cloud-init seed */
};

void machine_record_clear(struct machine_record *rec);

struct machine_runtime {
    const struct machinefile *mf;
    struct machine *m;
    char project_id[PROJECT_ID_LEN + 1];
    char *state_dir;
    char *journal_path;
    struct machine_record record; /* valid when created */
    bool created;                 /* machine.json exists */
    struct spec_record built;     /* what it was built from (spec.json), when built_errno is 0 */
    int built_errno;              /* ENOENT: no record (an older rove created it) */
    bool hostname_changed;        /* applied since it last booted: set it again */
    const struct rove_provider *provider;
    struct provider_spec spec;
    struct rove_machine_ctx pctx;
    /* Seconds each phase of the last up took; 0 for a phase it did not reach or need. */
    struct phase_times {
        double box;       /* finding or fetching the box */
        double create;    /* creating and starting the machine */
        double boot;      /* from started to SSH ready */
        double provision; /* hostname, sync, provisioners */
    } times;
};

void runtime_init(struct machine_runtime *rt, const struct machinefile *mf, struct machine *m);
void runtime_release(struct machine_runtime *rt);
/* Loads the provider that created the machine (or the machinefile's, before creation). Returns 0,
 * or -1 after printing why. */
int runtime_load_provider(struct machine_runtime *rt);
const char *runtime_state_name(enum rove_machine_state state);
/* True when the journal holds resources that no complete create accounts for (an up that was
 * interrupted, or failed without being undone). */
bool runtime_has_leftovers(struct machine_runtime *rt);
int runtime_write_record(struct machine_runtime *rt);

/* Where and how to reach the guest over SSH (strings borrowed from rt and ep, and the caller's
 * storage for the paths). */
struct runtime_ssh {
    struct rove_endpoint endpoint;
    char *key_path;
    char *known_hosts;
};
int runtime_ssh_info(struct machine_runtime *rt, struct runtime_ssh *out);
void runtime_ssh_release(struct runtime_ssh *s);
void runtime_guest_target(struct machine_runtime *rt, const struct runtime_ssh *s,
                          struct guest_target *t);
/* Connects to a running machine (one attempt, no waiting). Returns 0, or -1 after printing why. */
int runtime_connect(struct machine_runtime *rt, struct guest_conn **out);

/* Prefix for messages about a machine: "web: ". */
#define RT_FMT "%s: "

#endif
