/* SPDX-License-Identifier: MIT */
#include "engine/box_instance.h"
#include "engine/machine_runtime.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOX_IMAGE "box.img"

/* Providers keep one copy of a box's image per (name, version) (libvirt: a base volume). A box
 * given by file has no real version and may be rebuilt and added again under the same one, so
 * the version they see carries a fingerprint of the image, kernel and initrd: their sizes and first
 * and last MiB (qcow2 keeps its header and tables there). The same box, unpacked again, reuses its
 * copy; a rebuilt one gets a new copy, and machines on the old one keep theirs. */
#define FINGERPRINT_SPAN (1 << 20)

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* Folds path's size and first and last MiB into h; a missing file (no initrd) adds nothing. */
static uint64_t fingerprint_file(uint64_t h, const char *path)
{
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        return h;
    }
    h = fnv1a(h, (const unsigned char *)&st.st_size, sizeof st.st_size);
    unsigned char *buf = xmalloc(FINGERPRINT_SPAN);
    off_t offsets[] = {0, st.st_size > FINGERPRINT_SPAN ? st.st_size - FINGERPRINT_SPAN : 0};
    for (size_t i = 0; i < 2; i++) {
        ssize_t n = pread(fd, buf, FINGERPRINT_SPAN, offsets[i]);
        if (n > 0)
            h = fnv1a(h, buf, (size_t)n);
    }
    free(buf);
    close(fd);
    return h;
}

static char *instance_version(const char *version, const struct box_instance *bi)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < bi->ndisks; i++)
        h = fingerprint_file(h, bi->disks[i]);
    h = fingerprint_file(h, bi->kernel);
    h = fingerprint_file(h, bi->initrd);
    return xasprintf("%s-%08x", version, (unsigned)(h >> 32));
}

static char *inside(const char *dir, const char *rel)
{
    return rel ? fs_join(dir, rel) : NULL;
}
int box_instance_fetch(struct machine_runtime *rt, struct box_instance *bi, bool require_checksum)
{
    const struct machine *m = rt->m;
    struct box_request req = {
        .source = m->box,
        .catalog = m->box_url,
        .version = m->box_version,
        .provider = m->provider,
        .checksum = m->box_checksum,
        .require_checksum = require_checksum,
    };
    if (box_ensure(&req, &bi->handle) != BOX_OK)
        return -1; /* the box layer said why, naming the box */
    struct box_handle *h = &bi->handle;
    log_info(RT_FMT "box %s %s (%s)", m->name, h->name, h->version,
             h->added ? "downloaded" : "cached");
    /* vagrant-libvirt's "disks" list names the boot disk first, in place of box.img. */
    bi->ndisks = h->meta.ndisks ? h->meta.ndisks : 1;
    bi->disks = xcalloc(bi->ndisks, sizeof *bi->disks);
    for (size_t i = 0; i < bi->ndisks; i++)
        bi->disks[i] = fs_join(h->dir, h->meta.ndisks ? h->meta.disks[i] : BOX_IMAGE);
    bi->image = xstrdup(bi->disks[0]);
    bi->kernel = inside(h->dir, h->meta.kernel);
    bi->initrd = inside(h->dir, h->meta.initrd);
    bi->instance = instance_version(h->version, bi);
    bi->box = (struct rove_box){
        .name = h->name,
        .version = bi->instance,
        .dir = h->dir,
        .image = bi->image,
        .format = h->meta.format ? h->meta.format : "qcow2",
        .virtual_size = h->meta.virtual_size,
        .kernel = bi->kernel,
        .initrd = bi->initrd,
        .cmdline = h->meta.cmdline,
        .disks = (const char *const *)bi->disks,
        .ndisks = bi->ndisks,
        .firmware = h->meta.firmware && !strcmp(h->meta.firmware, "efi") ? "efi" : NULL,
    };
    return 0;
}

void box_instance_release(struct box_instance *bi)
{
    box_handle_free(&bi->handle);
    for (size_t i = 0; i < bi->ndisks; i++)
        free(bi->disks[i]);
    free(bi->disks);
    free(bi->image);
    free(bi->kernel);
    free(bi->initrd);
    free(bi->instance);
}
