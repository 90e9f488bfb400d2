/* SPDX-License-Identifier: MIT */
/* Snapshots: internal qcow2 snapshots of the machine's disk (with the memory state when the
 * machine runs), kept inside its overlay, so destroy removes them with it. The read-only seed
 * is left out: a raw image has no internal snapshots, and it never changes. */
#include "providers/libvirt/connection.h"
#include "providers/libvirt/domain_xml.h"
#include "providers/libvirt/naming.h"
#include "providers/libvirt/ops.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* The seed, when there is one, is vdb (domain_xml.c); without one vdb may be a box's second
 * disk, which is snapshotted like the first. */
static bool has_seed_disk(virDomainPtr dom)
{
    char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    bool seed = xml && strstr(xml, LV_SEED_VOLUME_SUFFIX "'") != NULL;
    free(xml);
    return seed;
}

static int save(struct lv_machine *m, virDomainPtr dom, void *arg)
{
    const char *name = arg;
    struct strbuf xml = STRBUF_INIT;
    sb_add(&xml, "<domainsnapshot><name>");
    if (!*name || !xml_escape(&xml, name)) {
        log_error("machine %s: '%s' is not a valid snapshot name", m->name, name);
        sb_release(&xml);
        return -1;
    }
    sb_add(&xml, "</name><disks><disk name='vda' snapshot='internal'/>");
    if (has_seed_disk(dom))
        sb_add(&xml, "<disk name='vdb' snapshot='no'/>");
    sb_add(&xml, "</disks></domainsnapshot>");
    virDomainSnapshotPtr snap = virDomainSnapshotCreateXML(dom, sb_str(&xml), 0);
    sb_release(&xml);
    if (!snap)
        return error("machine %s: cannot take snapshot '%s': %s", m->name, name, lv_last_error());
    virDomainSnapshotFree(snap);
    return 0;
}

static virDomainSnapshotPtr find(struct lv_machine *m, virDomainPtr dom, const char *name)
{
    virDomainSnapshotPtr snap = virDomainSnapshotLookupByName(dom, name, 0);
    if (!snap)
        log_error("machine %s has no snapshot '%s': %s", m->name, name, lv_last_error());
    return snap;
}

static int restore(struct lv_machine *m, virDomainPtr dom, void *arg)
{
    const char *name = arg;
    virDomainSnapshotPtr snap = find(m, dom, name);
    if (!snap)
        return -1;
    int rc = virDomainRevertToSnapshot(snap, 0);
    if (rc < 0)
        log_error("machine %s: cannot restore snapshot '%s': %s", m->name, name, lv_last_error());
    virDomainSnapshotFree(snap);
    return rc < 0 ? -1 : 0;
}

static int delete (struct lv_machine *m, virDomainPtr dom, void *arg)
{
    const char *name = arg;
    virDomainSnapshotPtr snap = find(m, dom, name);
    if (!snap)
        return -1;
    int rc = virDomainSnapshotDelete(snap, 0);
    if (rc < 0)
        log_error("machine %s: cannot delete snapshot '%s': %s", m->name, name, lv_last_error());
    virDomainSnapshotFree(snap);
    return rc < 0 ? -1 : 0;
}

int lv_snapshot_save(const struct rove_machine_ctx *ctx, const char *name)
{
    return lv_with_domain(ctx, false, save, (void *)name);
}

int lv_snapshot_restore(const struct rove_machine_ctx *ctx, const char *name)
{
    return lv_with_domain(ctx, false, restore, (void *)name);
}

int lv_snapshot_delete(const struct rove_machine_ctx *ctx, const char *name)
{
    return lv_with_domain(ctx, false, delete, (void *)name);
}
