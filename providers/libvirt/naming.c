/* SPDX-License-Identifier: MIT */
#include "providers/libvirt/naming.h"
#include "util/strbuf.h"

#include <stdint.h>
#include <string.h>

char *lv_domain_name(const char *project_id, const char *machine)
{
    return xasprintf("rove-%s-%s", project_id, machine);
}

char *lv_disk_volume_name(const char *project_id, const char *machine)
{
    return xasprintf("rove-%s-%s.qcow2", project_id, machine);
}

char *lv_extra_disk_volume_name(const char *project_id, const char *machine, size_t index)
{
    return xasprintf("rove-%s-%s-disk%zu.qcow2", project_id, machine, index);
}

char *lv_seed_volume_name(const char *project_id, const char *machine)
{
    return xasprintf("rove-%s-%s" LV_SEED_VOLUME_SUFFIX, project_id, machine);
}

static void add_sanitised(struct strbuf *sb, const char *s)
{
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
        sb_addc(sb, safe ? c : '_');
    }
}

/* FNV-1a: a stable short tag, not a security measure. */
static uint32_t fnv1a(const char *a, const char *b)
{
    uint32_t h = 2166136261u;
    for (const char *p = a; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ 0xff) * 16777619u;
    for (const char *p = b; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

char *lv_box_volume_name(const struct rove_box *box, const char *part)
{
    const char *name = box->name ? box->name : "box";
    const char *version = box->version ? box->version : "0";
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, "rove-box-");
    add_sanitised(&sb, name);
    sb_addc(&sb, '-');
    add_sanitised(&sb, version);
    sb_addf(&sb, "-%08x", (unsigned)fnv1a(name, version));
    if (!strcmp(part, "disk"))
        sb_addf(&sb, ".%s", box->format && !strcmp(box->format, "raw") ? "img" : "qcow2");
    else
        sb_addf(&sb, ".%s", part);
    return sb_detach(&sb);
}
