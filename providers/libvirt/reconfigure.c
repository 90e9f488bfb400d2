/* SPDX-License-Identifier: MIT */
/* reconfigure: a stopped machine's domain redefined with the machinefile's cpus, memory, forwards
 * and restrict setting (same name, UUID and devices), and its overlay disk grown. Either all of
 * it is applied or the old definition is put back. */
#include "providers/libvirt/connection.h"
#include "providers/libvirt/domain_edit.h"
#include "providers/libvirt/domain_xml.h"
#include "providers/libvirt/naming.h"
#include "providers/libvirt/ops.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const accel_words[] = {"auto", "kvm", "tcg"};

/* The settings that place the machine (its connection, its pool) or choose its hardware at
 * create (accelerator, firmware) stay as they were: say the first that changed into why. */
static bool settings_fixed(const struct lv_options *a, const struct lv_options *b, char *why,
                           size_t why_len)
{
    if (strcmp(a->uri, b->uri) != 0)
        snprintf(why, why_len, "libvirt.uri %s -> %s", a->uri, b->uri);
    else if (strcmp(a->pool, b->pool) != 0)
        snprintf(why, why_len, "libvirt.pool %s -> %s", a->pool, b->pool);
    else if (a->accel != b->accel)
        snprintf(why, why_len, "libvirt.accel %s -> %s", accel_words[a->accel],
                 accel_words[b->accel]);
    else if (a->efi != b->efi)
        snprintf(why, why_len, "libvirt.firmware %s -> %s", a->efi ? "efi" : "bios",
                 b->efi ? "efi" : "bios");
    else
        return true;
    return false;
}

int lv_reconfigure_check(const struct rove_machine_ctx *ctx, const struct rove_machine_spec *old,
                         char *why, size_t why_len)
{
    struct lv_machine m;
    struct lv_options was = {0};
    int rc = -1;
    if (why_len)
        why[0] = '\0';
    if (lv_machine_open(ctx, &m) != 0 || lv_options_parse(old, &was) != 0)
        snprintf(why, why_len, "invalid libvirt settings");
    else if (domain_check_forwards(m.name, ctx->machine->forwards, ctx->machine->nforwards) != 0)
        snprintf(why, why_len, "invalid forwards");
    else if (settings_fixed(&was, &m.opts, why, why_len))
        rc = 0;
    lv_options_release(&was);
    lv_machine_close(&m);
    return rc;
}

/* The machine's overlay on its box disk, grown to the machinefile's disk when that is larger.
 * The guest grows its file system into it (cloud-init's growpart at boot). */
static int grow_disk(struct lv_machine *m)
{
    uint64_t want = m->ctx->machine->disk;
    if (!want)
        return 0;
    char *name = lv_disk_volume_name(m->ctx->project_id, m->name);
    virStoragePoolPtr pool = virStoragePoolLookupByName(m->conn, m->opts.pool);
    virStorageVolPtr vol = pool ? virStorageVolLookupByName(pool, name) : NULL;
    virStorageVolInfo info;
    int rc = -1;
    if (!vol || virStorageVolGetInfo(vol, &info) < 0)
        log_error("machine %s: cannot find its disk %s in pool %s: %s", m->name, name, m->opts.pool,
                  lv_last_error());
    else if (info.capacity >= want)
        rc = 0;
    else if (virStorageVolResize(vol, want, 0) < 0)
        log_error("machine %s: cannot grow its disk %s to %llu bytes: %s", m->name, name,
                  (unsigned long long)want, lv_last_error());
    else
        rc = 0;
    if (rc == 0 && vol && info.capacity < want)
        log_info("machine %s: disk %s grown to %llu MiB", m->name, name,
                 (unsigned long long)(want >> 20));
    if (vol)
        virStorageVolFree(vol);
    if (pool)
        virStoragePoolFree(pool);
    free(name);
    return rc;
}

static char *edited_xml(struct lv_machine *m, virDomainPtr dom, const char *xml)
{
    const struct rove_machine_spec *spec = m->ctx->machine;
    struct domain_edit e = {
        .cpus = spec->cpus > 0 ? spec->cpus : 1,
        .memory_kib = spec->memory / 1024,
        .restrict_network = m->opts.restrict_network,
        .ssh_port = lv_domain_ssh_port(dom),
        .forwards = spec->forwards,
        .nforwards = spec->nforwards,
    };
    if (e.ssh_port < 0) {
        log_error("machine %s: domain %s has no rove SSH port in its metadata", m->name,
                  m->domain_name);
        return NULL;
    }
    return domain_edit_apply(m->name, xml, &e);
}

static bool define(struct lv_machine *m, const char *xml)
{
    virDomainPtr dom = virDomainDefineXML(m->conn, xml);
    if (!dom)
        return false;
    virDomainFree(dom);
    return true;
}

static int reconfigure_domain(struct lv_machine *m, virDomainPtr dom, void *arg)
{
    (void)arg;
    if (virDomainIsActive(dom) != 0)
        return error("machine %s: domain %s is running; its settings change only while it is "
                     "stopped",
                     m->name, m->domain_name);
    char *old_xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    char *xml = old_xml ? edited_xml(m, dom, old_xml) : NULL;
    int rc = -1;
    if (!old_xml) {
        log_error("machine %s: cannot read the definition of %s: %s", m->name, m->domain_name,
                  lv_last_error());
    } else if (xml && !define(m, xml)) {
        log_error("machine %s: libvirt refused the new definition of %s: %s", m->name,
                  m->domain_name, lv_last_error());
    } else if (xml) {
        log_debug("domain XML of %s:\n%s", m->domain_name, xml);
        rc = grow_disk(m);
        if (rc != 0 && !define(m, old_xml))
            log_error("machine %s: cannot put the earlier definition of %s back: %s", m->name,
                      m->domain_name, lv_last_error());
    }
    free(xml);
    free(old_xml);
    return rc;
}

int lv_reconfigure(const struct rove_machine_ctx *ctx, const struct rove_machine_spec *old)
{
    (void)old; /* the domain itself holds what the machine was built with */
    return lv_with_domain(ctx, false, reconfigure_domain, NULL);
}
