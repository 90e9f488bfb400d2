/* SPDX-License-Identifier: MIT */
/* A box's metadata.json: Vagrant's fields (provider; for libvirt also format and virtual_size in
 * GB, the image being box.img) and rove's additions: for direct kernel boot (kernel, initrd,
 * cmdline: paths inside the box and the kernel command line) and cloud_init (true when the guest
 * takes a cloud-init NoCloud seed). Other keys are ignored, as Vagrant
 * ignores them. */
#ifndef ROVE_BOXES_METADATA_H
#define ROVE_BOXES_METADATA_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#define BOX_METADATA_MAX_SIZE  (1024 * 1024)
#define BOX_METADATA_MAX_DISKS 26 /* vda to vdz */

struct box_metadata {
    char *provider;        /* required: [a-z0-9_-]+ */
    char *format;          /* image format ("qcow2", "raw"), or NULL */
    uint64_t virtual_size; /* bytes (metadata.json gives GB), 0 when absent */
    char *kernel;          /* relative path inside the box, or NULL */
    char *initrd;          /* relative path inside the box, or NULL */
    char *cmdline;         /* or NULL */
    /* The guest runs cloud-init (NoCloud): rove gives it its keys and host key through a seed.
     * Without it rove logs in with Vagrant's insecure key and replaces it. */
    bool cloud_init;
    /* vagrant-libvirt's "disks": [{"path": ...}, ...], in order; the first is the boot disk in
     * place of box.img. ndisks 0: the box has box.img alone. */
    char **disks;
    size_t ndisks;
    char *firmware; /* "bios" or "efi" (metadata.json's "firmware"), or NULL: BIOS */
};

/* True when a machine of provider `wanted` can run a box made for `box_provider`: the same
 * provider, or rove's own monitor (vmm) on a libvirt box, whose qcow2 disk it converts and whose
 * kernel it boots. */
bool box_provider_accepts(const char *wanted, const char *box_provider);

/* Parses and validates metadata.json's text. Returns 0, or -1 with *err (newly allocated) saying
 * what is wrong. */
int box_metadata_parse(const char *text, size_t len, struct box_metadata *out, char **err);
void box_metadata_free(struct box_metadata *meta);
/* True for a relative path without "..", "." or empty components: one that stays in the box. */
int box_path_is_inside(const char *path);

#endif
