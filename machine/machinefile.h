/* SPDX-License-Identifier: MIT */
/* The machinefile model: machinefile.yaml (schema version 1) parsed, validated and with defaults
 * merged into every machine. Paths inside are already resolved against the machinefile's folder. */
#ifndef ROVE_MACHINE_MACHINEFILE_H
#define ROVE_MACHINE_MACHINEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MACHINEFILE_NAME           "machinefile.yaml"
#define MACHINEFILE_SCHEMA_VERSION 1

struct mf_pos {
    int line; /* 1-based; 0 when unknown */
    int column;
};

struct forward {
    int host;    /* port on 127.0.0.1 */
    int guest;   /* port in the guest */
    char *proto; /* "tcp" or "udp" */
    struct mf_pos pos;
};

/* How a sync entry reaches the guest: copied over SFTP at up, reload and provision, or mounted
 * live (virtio-9p) at every boot. */
enum sync_type { SYNC_COPY, SYNC_MOUNT };

struct sync_folder {
    char *src;  /* absolute path on the host */
    char *dest; /* absolute path in the guest */
    enum sync_type type;
    bool readonly;          /* mount: the guest cannot write it */
    struct mf_pos type_pos; /* of the type's value; line 0 when not written */
};

enum provision_kind { PROVISION_SHELL, PROVISION_SCRIPT, PROVISION_FILE };
enum provision_run { PROVISION_RUN_ONCE, PROVISION_RUN_ALWAYS };

struct env_var {
    char *name;
    char *value;
};

struct provisioner {
    enum provision_kind kind;
    char *inline_script; /* shell: the script text */
    char *script;        /* script: absolute path on the host */
    char **args;         /* script: arguments */
    size_t nargs;
    struct env_var *env; /* shell and script: environment */
    size_t nenv;
    bool privileged; /* run with sudo (default true) */
    enum provision_run run;
    char *src;  /* file: absolute path on the host (file or folder) */
    char *dest; /* file: path in the guest */
    struct mf_pos pos;
};

/* A provider's section of a machine (`libvirt: {uri: ...}`): its settings as written. Which keys
 * a provider takes, and of which type, is the provider's own schema (rove_provider.options);
 * engine/provider_sections.c checks the sections against it and hands them over typed. */
struct provider_setting {
    char *key;
    char *value;           /* the scalar as written */
    struct mf_pos pos;     /* of the value */
    struct mf_pos key_pos; /* of the key */
    bool quoted;           /* written in quotes: text, never a number or a boolean */
};

struct provider_section {
    char *provider; /* the section's key: a provider's name */
    struct provider_setting *settings;
    size_t count;
    struct mf_pos pos; /* of the key */
};

struct machine {
    char *name; /* [a-z0-9-], 1-63 characters, not starting with '-' */
    char *box;  /* catalog name, URL, or absolute path of a .box (resolved against the folder) */
    char *box_version;  /* version constraint, or NULL */
    char *box_checksum; /* "TYPE:HEX", or NULL */
    char *box_url;      /* catalog or box URL, or NULL */
    char *provider;     /* "libvirt" by default */
    char *hostname;     /* the machine's name by default */
    int cpus;           /* 1 by default */
    uint64_t memory;    /* bytes; 1 GiB by default */
    uint64_t disk;      /* bytes; 0: the box's own size */
    int boot_timeout;   /* seconds to wait for SSH after start; 0: rove's default */
    struct forward *forwards;
    size_t nforwards;
    struct sync_folder *syncs;
    size_t nsyncs;
    struct provisioner *provisioners;
    size_t nprovisioners;
    struct provider_section *sections; /* in the order written; at most one per provider */
    size_t nsections;
    struct mf_pos pos; /* where the machine's key is */
};

struct machinefile {
    char *path; /* absolute */
    char *dir;  /* absolute folder holding it: the project folder */
    int version;
    struct machine *machines; /* in machinefile order */
    size_t nmachines;
};

struct mf_error {
    char *file;
    int line;
    int column;
    char *message;
};

struct mf_errors {
    struct mf_error *items;
    size_t count;
};

/* Parses and validates data (the contents of path). Collects every error it finds into errs.
 * Returns the machinefile, or NULL when there was any error. */
struct machinefile *machinefile_parse(const char *path, const char *data, size_t len,
                                      struct mf_errors *errs);
/* Reads path and parses it; an unreadable file is an error in errs. */
struct machinefile *machinefile_load(const char *path, struct mf_errors *errs);
void machinefile_free(struct machinefile *mf);
struct machine *machinefile_find(const struct machinefile *mf, const char *name);

/* The nearest machinefile.yaml at or above start_dir (newly allocated), or NULL. */
char *machinefile_discover(const char *start_dir);
/* Whether the machinefile at path, found by machinefile_discover, may be used by uid: it and its
 * folder belong to uid, or the folder is listed in safe_dirs (as ROVE_SAFE_DIRECTORIES: absolute
 * folders separated by ':', "*" for all). Otherwise false, with *why (newly allocated) naming the
 * path, its owner and the way out. */
bool machinefile_is_trusted(const char *path, uid_t uid, const char *safe_dirs, char **why);

/* The section of provider in m, or NULL. */
const struct provider_section *machine_section(const struct machine *m, const char *provider);
/* The value of key in m's section of provider, or NULL. */
const char *machine_setting(const struct machine *m, const char *provider, const char *key);
/* Appends an error at file:line:column. */
void mf_errors_add(struct mf_errors *errs, const char *file, struct mf_pos pos, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

/* Prints every error as "file:line:column: error: message" to stderr. */
void mf_errors_print(const struct mf_errors *errs);
void mf_errors_free(struct mf_errors *errs);

#endif
