/* SPDX-License-Identifier: MIT */
/* The provider plugin ABI.
 *
 * A provider is a shared module, rove-provider-NAME.so, that exports one function,
 * ROVE_PROVIDER_ENTRY, returning its table of operations. rove loads a module only when a machine
 * uses it. Everything crosses this boundary as plain C structs defined here: a module needs no
 * symbol from rove itself (it links what it needs, such as util/, statically).
 *
 * Compatibility: a module is usable when its table's abi_version equals the host's
 * ROVE_PROVIDER_ABI_VERSION. Any change to a struct or a signature in this file bumps the version.
 *
 * Conventions for every operation: 0 means success; -1 means failure, after the module has told
 * the user why through ctx->log (naming the machine and the resource). Strings are UTF-8,
 * NUL-terminated, owned by the caller and valid for the duration of the call. */
#ifndef ROVE_PROVIDERS_PROVIDER_H
#define ROVE_PROVIDERS_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROVE_PROVIDER_ABI_VERSION 5
/* The one symbol a module exports: const struct rove_provider *rove_provider_entry(void). */
#define ROVE_PROVIDER_ENTRY "rove_provider_entry"
/* Module file name for provider NAME: ROVE_PROVIDER_PREFIX NAME ROVE_PROVIDER_SUFFIX. */
#define ROVE_PROVIDER_PREFIX "rove-provider-"
#define ROVE_PROVIDER_SUFFIX ".so"

/* ---- The resource journal, owned by rove core ---- */

/* One resource a provider created: kind (namespaced by the provider, e.g. "libvirt.domain"),
 * id (the resource's name) and data (a JSON object with whatever is needed to remove it). */
struct rove_journal_record {
    const char *kind;
    const char *id;
    const char *json_data;
};

/* Providers call add() BEFORE creating a resource; core appends and fsyncs the record, so that
 * destroy can undo a half-finished create. add() returns 0, or -1 when the record could not be
 * made durable, in which case the provider must not create the resource. */
struct rove_journal {
    void *ctx;
    int (*add)(void *ctx, const char *kind, const char *id, const char *json_data);
};

/* ---- What a provider is told about the machine ---- */

struct rove_forward {
    int host;          /* port on 127.0.0.1 */
    int guest;         /* port in the guest */
    const char *proto; /* "tcp" or "udp" */
};

/* A host folder shared live with the guest (a `sync:` entry of `type: mount`): the provider
 * exports it as a virtio-9p device named tag, which rove mounts in the guest at every boot. Only
 * providers with ROVE_PROVIDER_CAN_MOUNT are handed any. */
struct rove_mount {
    const char *host_path; /* absolute path of an existing folder on the host */
    const char *tag;       /* the 9p mount tag: [a-z0-9], at most 31 characters */
    bool readonly;         /* the guest may not write */
};

/* ---- The provider's own settings: a schema it publishes, values rove checked against it ---- */

enum rove_option_type {
    ROVE_OPTION_STRING, /* non-empty text */
    ROVE_OPTION_BOOL,   /* true or false */
    ROVE_OPTION_CHOICE, /* one of choices */
    ROVE_OPTION_PATH,   /* a file on the host, relative to the machinefile; handed over absolute */
};

/* One key the provider's machinefile section (`libvirt: {uri: ...}`) may hold. rove checks every
 * section against it (unknown keys, types, choices: errors at file:line:column), merges `defaults`
 * key by key, and hands the machine's own provider its section typed. */
struct rove_option_spec {
    const char *key;
    enum rove_option_type type;
    const char *const *choices; /* ROVE_OPTION_CHOICE: NULL-terminated */
    const char *help;           /* one line: what it does, and its default */
};

/* A setting of the machine's section, checked: value for STRING, CHOICE and PATH (absolute),
 * flag for BOOL. */
struct rove_option {
    const char *key;
    enum rove_option_type type;
    const char *value;
    bool flag;
};

struct rove_machine_spec {
    const char *name;     /* [a-z0-9-], 1-63 characters */
    const char *hostname; /* the guest's host name */
    int cpus;
    uint64_t memory; /* bytes */
    uint64_t disk;   /* bytes; 0: the box's own size */
    const struct rove_forward *forwards;
    size_t nforwards;
    const struct rove_option *options;
    size_t noptions;
    const struct rove_mount *mounts; /* in machinefile order */
    size_t nmounts;
};

/* An unpacked box and its parsed metadata.json. */
struct rove_box {
    const char *name;      /* catalog name, e.g. "debian/bookworm64" (for naming the base image) */
    const char *version;   /* e.g. "12.0.1" */
    const char *dir;       /* the unpacked box folder */
    const char *image;     /* absolute path of box.img */
    const char *format;    /* "qcow2" or "raw" */
    uint64_t virtual_size; /* bytes */
    const char *kernel;    /* absolute paths, or NULL: boot from the disk */
    const char *initrd;    /* may be NULL even with a kernel */
    const char *cmdline;   /* may be NULL */
    /* The disks the box's metadata.json lists ("disks"): ndisks absolute paths, disks[0] being
     * image; a box of box.img alone has that one. A provider that attaches only image refuses
     * more, naming what is missing. */
    const char *const *disks;
    size_t ndisks;
    const char *firmware; /* "efi" (metadata.json's "firmware"), or NULL: BIOS */
};

/* Everything an operation works on. Fields marked "create" are NULL in other operations. */
struct rove_machine_ctx {
    const char *project_id; /* short hash of the project folder: [0-9a-f]{8,16} */
    const char *state_dir;  /* .rove/machines/NAME/: exists, mode 0700, the provider may write */
    const struct rove_machine_spec *machine;
    const struct rove_box *box; /* create */
    const char *seed_iso;       /* create: cloud-init NoCloud seed to attach read-only, or NULL */
    struct rove_journal journal;
    int log_level; /* enum log_level of util/log.h, so the module prints what rove would */
    /* True once the user interrupted rove (SIGINT, SIGTERM, SIGHUP) and clean-up has not begun:
     * a long wait (an upload, a graceful shutdown) gives up within a second, says so and fails.
     * Modules follow it through util/interrupt.h's interrupt_follow(). */
    bool (*interrupted)(void);
    /* Every message of the module goes here (level: enum log_level of util/log.h; the message
     * without "error: " or a newline), so that rove decides how and where messages appear. Modules
     * route util/log.h to it with log_set_sink(). */
    void (*log)(int level, const char *message);
};

enum rove_machine_state {
    ROVE_STATE_NOT_CREATED = 0,
    ROVE_STATE_RUNNING,
    ROVE_STATE_STOPPED,
    ROVE_STATE_UNKNOWN, /* see the reason */
};

#define ROVE_REASON_MAX 512

struct rove_state_report {
    enum rove_machine_state state;
    char reason[ROVE_REASON_MAX]; /* why, in words, e.g. "shut off (shutdown)"; may be empty */
};

#define ROVE_HOST_MAX 256

struct rove_endpoint {
    char host[ROVE_HOST_MAX]; /* e.g. "127.0.0.1" */
    int port;
};

/* ---- Snapshots ---- */

/* One snapshot of a machine, as snapshot_list reports it (strings borrowed for the call). */
struct rove_snapshot {
    const char *name;
    int64_t created; /* seconds since the epoch */
    bool memory;     /* the running machine's memory was saved with its disks: restoring it
                      * resumes the machine; without, it is restored stopped */
    bool current;    /* the snapshot the machine was last saved as or restored to */
};

/* snapshot_list calls it once per snapshot, in no particular order. */
typedef void (*rove_snapshot_fn)(void *arg, const struct rove_snapshot *snapshot);

/* ---- The table of operations ---- */

/* features: the provider shares host folders with the guest (rove_machine_spec.mounts). */
#define ROVE_PROVIDER_CAN_MOUNT (1u << 0)

struct rove_provider {
    uint32_t abi_version; /* ROVE_PROVIDER_ABI_VERSION the module was built against */
    const char *name;     /* must equal the NAME in the module's file name */
    const char *description;
    /* The keys of the provider's machinefile section, terminated by an entry with a NULL key; a
     * module without settings points at such an entry alone. */
    const struct rove_option_spec *options;
    /* What the provider can do beyond the required operations: ROVE_PROVIDER_* flags. */
    uint32_t features;

    /* Can this provider run ctx's machine here? Returns 0 when it can; fills why (always, when
     * non-NULL: what it would use and why, or what is missing). ctx->box may be NULL. */
    int (*probe)(const struct rove_machine_ctx *ctx, char *why, size_t why_len);
    /* Creates the machine (disk, definition) without starting it. Journals every resource first.
     * Creating a machine that already exists is an error. */
    int (*create)(const struct rove_machine_ctx *ctx);
    int (*start)(const struct rove_machine_ctx *ctx);
    /* Asks the guest to shut down; after timeout_seconds (or at once when force) powers it off.
     * Stopping a stopped machine succeeds. */
    int (*stop)(const struct rove_machine_ctx *ctx, int timeout_seconds, bool force);
    /* Removes what the records (the machine's journal, oldest first) describe, newest first, and
     * anything the provider can find by the machine's name. Idempotent: missing resources are not
     * errors. Records of kinds the provider does not own are ignored. */
    int (*destroy)(const struct rove_machine_ctx *ctx, const struct rove_journal_record *records,
                   size_t nrecords);
    int (*state)(const struct rove_machine_ctx *ctx, struct rove_state_report *out);
    /* Where SSH for the guest listens on the host. */
    int (*ssh_endpoint)(const struct rove_machine_ctx *ctx, struct rove_endpoint *out);

    /* Optional (NULL when the provider keeps no copy of a box outside the box's folder). Called
     * as a box leaves the store (`rove box remove`, `box prune`), box->dir still present: removes
     * the provider's copies of the box (libvirt: its base volumes), keeping, and naming, any a
     * machine still uses. log_level as in rove_machine_ctx. */
    int (*remove_box_copies)(const struct rove_box *box, int log_level);

    /* Optional, both or neither (NULL: the provider cannot change a created machine, and rove
     * refuses every change). ctx->machine is the machinefile's spec now; old the one the machine
     * was built from, as rove recorded it.
     * reconfigure_check: whether the provider can turn the machine into ctx->machine. Touches
     * nothing (the machine may be running). Returns 0 when it can, or -1 with why naming what it
     * cannot change (e.g. "libvirt.uri qemu:///system -> qemu:///session").
     * reconfigure: applies ctx->machine to the stopped machine (cpus, memory, a larger disk, the
     * forwards, its settings). All or nothing: on failure the machine keeps its old, working
     * definition. Growing the guest's file system into a larger disk is the guest's job. */
    int (*reconfigure_check)(const struct rove_machine_ctx *ctx,
                             const struct rove_machine_spec *old, char *why, size_t why_len);
    int (*reconfigure)(const struct rove_machine_ctx *ctx, const struct rove_machine_spec *old);

    /* Optional, all four or none (NULL when the provider has no snapshots). Names are checked by
     * rove core ([A-Za-z0-9._-], 1 to 64 characters) before they get here.
     * save: of a running machine, its disks and memory; of a stopped one, its disks. Saving a
     * name that exists is an error; a failed save leaves no snapshot behind.
     * restore: a snapshot with memory leaves the machine running as it was saved; one without
     * leaves it stopped. delete: removes the one snapshot, keeping the others.
     * list: calls each(arg, snapshot) for every snapshot of the machine. */
    int (*snapshot_save)(const struct rove_machine_ctx *ctx, const char *name);
    int (*snapshot_restore)(const struct rove_machine_ctx *ctx, const char *name);
    int (*snapshot_delete)(const struct rove_machine_ctx *ctx, const char *name);
    int (*snapshot_list)(const struct rove_machine_ctx *ctx, rove_snapshot_fn each, void *arg);
};

typedef const struct rove_provider *(*rove_provider_entry_fn)(void);

#endif
