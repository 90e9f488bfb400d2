/* SPDX-License-Identifier: MIT */
/* The box store's layout, listing, locking and removal (see boxes/box.h for the layout). */
#ifndef ROVE_BOXES_STORE_H
#define ROVE_BOXES_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct box_entry {
    char *name;
    char *version;
    char *provider;
    char *dir;
    uint64_t size;  /* bytes on disk (allocated blocks: sparse images count what they hold) */
    char *source;   /* from the record: the URL or absolute path asked for; NULL when unknown */
    char *catalog;  /* the catalog it was chosen from, or NULL */
    char *checksum; /* "TYPE:HEX" verified when it was added, or NULL */
    char *sha256;   /* "sha256:HEX" of the .box, or NULL (added by an older rove) */
    struct box_origin_file {
        uint64_t size;      /* bytes of the .box; 0 when unknown */
        long long mtime_ns; /* of a local .box when it was added; 0 for URLs */
        uint64_t inode;
        uint64_t device;
    } file;
    long long added; /* seconds since the epoch, 0 when unknown */
};

/* True for a usable box name: components of [A-Za-z0-9._-] joined by '/', none "." or "..". */
bool box_name_is_valid(const char *name);
/* NAME with every byte outside [A-Za-z0-9._-] as %XX; newly allocated. */
char *box_name_escape(const char *name);
/* The reverse; NULL for a malformed escape. */
char *box_name_unescape(const char *escaped);
/* STORE/ESCAPED-NAME[/VERSION[/PROVIDER]]; newly allocated. */
char *box_store_path(const char *name, const char *version, const char *provider);

/* Serialises adding and removing one box name across processes: returns a descriptor to pass to
 * box_store_unlock(), or -1 after printing why. Waits (saying so) while another rove holds it. */
int box_store_lock(const char *name);
void box_store_unlock(int fd);

/* Every stored box, sorted by name, then version (oldest first), then provider. */
int box_store_list(struct box_entry **out, size_t *count);
/* Loads one stored box's entry; -1 when it is not there. */
int box_store_get(const char *name, const char *version, const char *provider,
                  struct box_entry *out);
void box_entry_free(struct box_entry *e);
void box_entries_free(struct box_entry *entries, size_t count);
/* Removes one box: it vanishes from the store in one rename, then its files go. Returns 0, or
 * -1 after printing why. */
int box_store_remove(const struct box_entry *e);
/* A new empty folder under STORE/.tmp for building a box of this name; removes the leftovers of
 * killed runs first (the caller holds the name's lock). Newly allocated path, or NULL. */
char *box_store_make_temp(const char *name);
/* Moves a finished temporary folder into place as NAME/VERSION/PROVIDER, replacing what is there
 * atomically. Returns 0, or -1 after printing why. */
int box_store_commit(const char *temp, const char *name, const char *version, const char *provider);
/* Bytes allocated on disk below path. */
uint64_t box_disk_usage(const char *path);

#endif
