/* SPDX-License-Identifier: MIT */
/* Snapshots: internal qcow2 snapshots of the machine's disk (with the memory state when the
 * machine runs), kept inside its overlay, so destroy removes them with it (and their metadata
 * with the domain: VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA). The read-only seed is left out: a
 * raw image has no internal snapshots, and it never changes. */
#include "providers/libvirt/connection.h"
#include "providers/libvirt/domain_xml.h"
#include "providers/libvirt/naming.h"
#include "providers/libvirt/ops.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdint.h>
#include <stdio.h>
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

/* The text of <tag>...</tag> in libvirt's snapshot XML, or NULL; newly allocated. */
static char *element_text(const char *xml, const char *tag)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *start = xml ? strstr(xml, open) : NULL;
    const char *end = start ? strstr(start, close) : NULL;
    if (!end)
        return NULL;
    start += strlen(open);
    return xstrndup(start, (size_t)(end - start));
}

/* A snapshot's creation time and whether it holds the machine's memory (it was taken running or
 * paused: libvirt restores it in that state). */
static void describe(virDomainSnapshotPtr snap, struct rove_snapshot *out)
{
    char *xml = virDomainSnapshotGetXMLDesc(snap, 0);
    char *created = element_text(xml, "creationTime");
    char *state = element_text(xml, "state");
    char *end = NULL;
    long long seconds = created ? strtoll(created, &end, 10) : 0;
    out->created = end && *end == '\0' && seconds > 0 ? (int64_t)seconds : 0;
    out->memory = state && (strcmp(state, "running") == 0 || strcmp(state, "paused") == 0);
    free(state);
    free(created);
    free(xml);
}

struct list_call {
    rove_snapshot_fn each;
    void *arg;
};

static int list(struct lv_machine *m, virDomainPtr dom, void *arg)
{
    const struct list_call *call = arg;
    virDomainSnapshotPtr *snaps = NULL;
    int n = virDomainListAllSnapshots(dom, &snaps, 0);
    if (n < 0)
        return error("machine %s: cannot list its snapshots: %s", m->name, lv_last_error());
    for (int i = 0; i < n; i++) {
        struct rove_snapshot s = {.name = virDomainSnapshotGetName(snaps[i])};
        describe(snaps[i], &s);
        s.current = virDomainSnapshotIsCurrent(snaps[i], 0) == 1;
        if (s.name)
            call->each(call->arg, &s);
        virDomainSnapshotFree(snaps[i]);
    }
    free(snaps);
    return 0;
}

int lv_snapshot_list(const struct rove_machine_ctx *ctx, rove_snapshot_fn each, void *arg)
{
    struct list_call call = {each, arg};
    return lv_with_domain(ctx, false, list, &call);
}
