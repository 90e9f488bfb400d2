/* SPDX-License-Identifier: MIT */
#include "providers/libvirt/storage.h"
#include "providers/libvirt/box_copies.h"
#include "providers/libvirt/connection.h"
#include "providers/libvirt/domain_xml.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where a new pool keeps its files: beside libvirt's own default pool. */
static char *pool_target_path(const char *uri)
{
    if (strstr(uri, "/session")) {
        const char *xdg = getenv("XDG_DATA_HOME");
        if (xdg && *xdg)
            return xasprintf("%s/libvirt/images/rove", xdg);
        const char *home = getenv("HOME");
        return xasprintf("%s/.local/share/libvirt/images/rove", home ? home : "");
    }
    return xstrdup("/var/lib/libvirt/images/rove");
}

static virStoragePoolPtr pool_define(virConnectPtr conn, const char *pool_name, const char *uri,
                                     const char *machine)
{
    char *target = pool_target_path(uri);
    struct strbuf xml = STRBUF_INIT;
    sb_add(&xml, "<pool type='dir'><name>");
    xml_escape(&xml, pool_name);
    sb_add(&xml, "</name><target><path>");
    xml_escape(&xml, target);
    sb_add(&xml, "</path></target></pool>");
    virStoragePoolPtr pool = virStoragePoolDefineXML(conn, sb_str(&xml), 0);
    if (pool)
        log_info("created libvirt storage pool '%s' in %s", pool_name, target);
    else /* another rove may have defined it meanwhile */
        pool = virStoragePoolLookupByName(conn, pool_name);
    if (!pool)
        log_error("machine %s: cannot define storage pool '%s' at %s: %s", machine, pool_name,
                  target, lv_last_error());
    sb_release(&xml);
    free(target);
    return pool;
}

virStoragePoolPtr lv_pool_ensure(virConnectPtr conn, const char *pool_name, const char *uri,
                                 const char *machine)
{
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, pool_name);
    if (!pool)
        pool = pool_define(conn, pool_name, uri, machine);
    if (!pool)
        return NULL;
    int active = virStoragePoolIsActive(pool);
    if (active == 0) {
        /* Build makes the folder (a no-op when it exists); autostart brings the pool back after
         * the host restarts. */
        virStoragePoolBuild(pool, 0);
        if (virStoragePoolCreate(pool, 0) < 0 && virStoragePoolIsActive(pool) != 1) {
            log_error("machine %s: cannot start storage pool '%s': %s", machine, pool_name,
                      lv_last_error());
            virStoragePoolFree(pool);
            return NULL;
        }
        virStoragePoolSetAutostart(pool, 1);
    } else if (active < 0) {
        log_error("machine %s: storage pool '%s': %s", machine, pool_name, lv_last_error());
        virStoragePoolFree(pool);
        return NULL;
    }
    return pool;
}

struct upload_source {
    int fd;
    uint64_t sent;
};

static int read_chunk(virStreamPtr st, char *data, size_t nbytes, void *opaque)
{
    (void)st;
    struct upload_source *src = opaque;
    ssize_t n = -1;
    while (!interrupt_requested() && (n = read(src->fd, data, nbytes)) < 0 && errno == EINTR)
        ;
    if (n > 0)
        src->sent += (uint64_t)n;
    return (int)n;
}

static int upload_into(virConnectPtr conn, virStorageVolPtr vol, int fd, uint64_t size,
                       const char *local_path, const char *machine)
{
    virStreamPtr st = virStreamNew(conn, 0);
    if (!st || virStorageVolUpload(vol, st, 0, size, 0) < 0) {
        log_error("machine %s: cannot upload %s: %s", machine, local_path, lv_last_error());
        if (st)
            virStreamFree(st);
        return -1;
    }
    struct upload_source src = {.fd = fd};
    if (virStreamSendAll(st, read_chunk, &src) < 0) {
        if (interrupt_requested())
            log_error("machine %s: interrupted while uploading %s", machine, local_path);
        else
            log_error("machine %s: uploading %s failed: %s", machine, local_path, lv_last_error());
        virStreamAbort(st);
        virStreamFree(st);
        return -1;
    }
    int rc = virStreamFinish(st);
    if (rc < 0)
        log_error("machine %s: finishing the upload of %s failed: %s", machine, local_path,
                  lv_last_error());
    else if (src.sent != size)
        log_error("machine %s: uploaded %llu bytes of %s, which has %llu", machine,
                  (unsigned long long)src.sent, local_path, (unsigned long long)size);
    virStreamFree(st);
    return rc < 0 || src.sent != size ? -1 : 0;
}

static virStorageVolPtr volume_create(virStoragePoolPtr pool, const char *volume, uint64_t size,
                                      const char *machine)
{
    struct strbuf xml = STRBUF_INIT;
    sb_add(&xml, "<volume><name>");
    xml_escape(&xml, volume);
    sb_addf(&xml,
            "</name><capacity unit='bytes'>%llu</capacity><allocation unit='bytes'>0</allocation>"
            "<target><format type='raw'/></target></volume>",
            (unsigned long long)size);
    virStorageVolPtr vol = virStorageVolCreateXML(pool, sb_str(&xml), 0);
    if (!vol)
        log_error("machine %s: cannot create volume %s: %s", machine, volume, lv_last_error());
    sb_release(&xml);
    return vol;
}

static char *volume_path(virStorageVolPtr vol, const char *machine)
{
    char *libvirt_path = virStorageVolGetPath(vol);
    if (!libvirt_path) {
        log_error("machine %s: volume %s has no path: %s", machine, virStorageVolGetName(vol),
                  lv_last_error());
        return NULL;
    }
    char *path = xstrdup(libvirt_path);
    free(libvirt_path);
    return path;
}

static int open_sized(const char *local_path, uint64_t *size, const char *machine)
{
    int fd = open(local_path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        log_error("machine %s: cannot read %s: %s", machine, local_path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *size = (uint64_t)st.st_size;
    return fd;
}

char *lv_volume_upload_new(virConnectPtr conn, virStoragePoolPtr pool, const char *volume,
                           const char *local_path, const char *machine)
{
    uint64_t size;
    int fd = open_sized(local_path, &size, machine);
    if (fd < 0)
        return NULL;
    virStorageVolPtr vol = volume_create(pool, volume, size, machine);
    char *path = NULL;
    if (vol && upload_into(conn, vol, fd, size, local_path, machine) == 0)
        path = volume_path(vol, machine);
    if (vol && !path)
        virStorageVolDelete(vol, 0);
    if (vol)
        virStorageVolFree(vol);
    close(fd);
    return path;
}

/* A box volume counts as complete only once a marker volume VOLUME.complete exists beside it:
 * rove makes the marker after the upload's stream finished with every byte of the local file.
 * libvirt sizes a volume in full when it creates it, so the length of an upload killed midway
 * proves nothing; without its marker the volume is uploaded again. */
static char *marker_name(const char *volume)
{
    return xasprintf("%s" LV_COMPLETE_SUFFIX, volume);
}

static bool marker_exists(virStoragePoolPtr pool, const char *volume)
{
    char *name = marker_name(volume);
    virStorageVolPtr vol = virStorageVolLookupByName(pool, name);
    free(name);
    if (vol)
        virStorageVolFree(vol);
    return vol != NULL;
}

static int marker_create(virStoragePoolPtr pool, const char *volume, const char *machine)
{
    char *name = marker_name(volume);
    virStorageVolPtr vol = volume_create(pool, name, 0, machine);
    free(name);
    if (vol)
        virStorageVolFree(vol);
    return vol ? 0 : -1;
}

void lv_box_volume_marker_delete(virStoragePoolPtr pool, const char *volume)
{
    char *name = marker_name(volume);
    virStorageVolPtr vol = virStorageVolLookupByName(pool, name);
    if (vol) {
        virStorageVolDelete(vol, 0);
        virStorageVolFree(vol);
    }
    free(name);
}

/* The volume is there and complete; one without a marker that a disk already uses as its
 * backing file (uploaded by an older rove) is adopted: it was complete when that disk was made. */
static bool volume_is_complete(virConnectPtr conn, virStoragePoolPtr pool, virStorageVolPtr vol,
                               const char *volume, const char *machine)
{
    if (marker_exists(pool, volume))
        return true;
    char *path = virStorageVolGetPath(vol);
    bool used = path && lv_volume_is_used(conn, pool, path);
    free(path);
    return used && marker_create(pool, volume, machine) == 0;
}

/* Uploads into a new volume and marks it complete; nothing is left when either fails. */
static char *upload_complete(virConnectPtr conn, virStoragePoolPtr pool, const char *volume,
                             const char *local_path, const char *machine)
{
    lv_box_volume_marker_delete(pool, volume); /* of a volume deleted behind rove's back */
    char *path = lv_volume_upload_new(conn, pool, volume, local_path, machine);
    if (path && marker_create(pool, volume, machine) < 0) {
        lv_volume_delete(conn, virStoragePoolGetName(pool), volume, machine);
        free(path);
        path = NULL;
    }
    return path;
}

char *lv_box_file_ensure(virConnectPtr conn, virStoragePoolPtr pool, const char *volume,
                         const char *local_path, const char *machine)
{
    uint64_t size;
    int fd = open_sized(local_path, &size, machine);
    if (fd < 0)
        return NULL;
    /* Two rove processes starting machines of the same box upload it once: the lock on the local
     * file serialises the check and the upload. */
    flock(fd, LOCK_EX);
    virStoragePoolRefresh(pool, 0);
    virStorageVolPtr vol = virStorageVolLookupByName(pool, volume);
    if (vol && !volume_is_complete(conn, pool, vol, volume, machine)) {
        log_warn("volume %s was never completed (an interrupted upload): uploading it again",
                 volume);
        virStorageVolDelete(vol, 0);
        virStorageVolFree(vol);
        vol = NULL;
    }
    char *path = NULL;
    if (vol) {
        path = volume_path(vol, machine);
        virStorageVolFree(vol);
    } else {
        log_info("uploading %s into libvirt volume %s", local_path, volume);
        path = upload_complete(conn, pool, volume, local_path, machine);
    }
    flock(fd, LOCK_UN);
    close(fd);
    return path;
}

char *lv_overlay_create(virStoragePoolPtr pool, const char *volume, const char *base_path,
                        const char *base_format, uint64_t capacity, const char *machine)
{
    struct strbuf xml = STRBUF_INIT;
    sb_add(&xml, "<volume><name>");
    xml_escape(&xml, volume);
    sb_addf(&xml,
            "</name><capacity unit='bytes'>%llu</capacity><target><format type='qcow2'/>"
            "</target><backingStore><path>",
            (unsigned long long)capacity);
    xml_escape(&xml, base_path);
    sb_addf(&xml, "</path><format type='%s'/></backingStore></volume>",
            strcmp(base_format, "raw") == 0 ? "raw" : "qcow2");
    virStorageVolPtr vol = virStorageVolCreateXML(pool, sb_str(&xml), 0);
    sb_release(&xml);
    if (!vol) {
        log_error("machine %s: cannot create disk %s on %s: %s", machine, volume, base_path,
                  lv_last_error());
        return NULL;
    }
    char *path = volume_path(vol, machine);
    virStorageVolFree(vol);
    return path;
}

int lv_volume_delete(virConnectPtr conn, const char *pool_name, const char *volume,
                     const char *machine)
{
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, pool_name);
    if (!pool)
        return 0;
    virStoragePoolRefresh(pool, 0);
    int rc = 0;
    virStorageVolPtr vol = virStorageVolLookupByName(pool, volume);
    if (vol) {
        if (virStorageVolDelete(vol, 0) < 0 && !lv_last_error_is_missing()) {
            log_error("machine %s: cannot delete volume %s: %s", machine, volume, lv_last_error());
            rc = -1;
        }
        virStorageVolFree(vol);
    }
    virStoragePoolFree(pool);
    return rc;
}
