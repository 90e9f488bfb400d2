/* SPDX-License-Identifier: MIT */
/* The keys of a machine (and of `defaults`, which takes the same keys). */
#include "machine/mf_parse.h"
#include "machine/names.h"
#include "util/fs.h"
#include "util/version.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define TIB (1ULL << 40)

#define STRING_FIELD(fn, member, what)                                                             \
    static void fn(struct yaml_walk *w, yaml_node_t *v, void *target)                              \
    {                                                                                              \
        yw_string(w, v, what, &((struct machine *)target)->member);                                \
    }

/* A box is a catalog name, a URL or a path; a path (starting with '/' or '.', or naming a file
 * beside the machinefile) is made absolute, relative to the machinefile's folder. */
static void read_box(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct machine *m = target;
    if (!yw_string(w, v, "a box name, URL or path", &m->box) || strstr(m->box, "://"))
        return;
    char *path = fs_join(w->dir, m->box);
    if (m->box[0] == '/' || m->box[0] == '.' || fs_exists(path)) {
        free(m->box);
        m->box = fs_absolute(path);
    }
    free(path);
}

STRING_FIELD(read_box_url, box_url, "a box or catalog URL")

static void read_box_version(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct machine *m = target;
    if (yw_string(w, v, "a version constraint such as '>= 12.0, < 13'", &m->box_version) &&
        !box_constraint_is_valid(m->box_version))
        yw_error(w, v,
                 "invalid version constraint '%s': expected comma-separated terms such as "
                 "'>= 1.0', '< 2', '= 1.2.3' or '~> 1.2'",
                 m->box_version);
}

static void read_box_checksum(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct machine *m = target;
    const char *why;
    if (yw_string(w, v, "a checksum such as sha256:HEX", &m->box_checksum) &&
        !checksum_is_valid(m->box_checksum, &why))
        yw_error(w, v, "invalid box_checksum '%s': %s", m->box_checksum, why);
}

static void read_provider(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct machine *m = target;
    const char *why;
    if (yw_string(w, v, "a provider name (libvirt, vmm)", &m->provider) &&
        !name_is_valid_machine(m->provider, &why))
        yw_error(w, v, "invalid provider name '%s': it %s", m->provider, why);
}

static void read_hostname(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct machine *m = target;
    if (yw_string(w, v, "a host name", &m->hostname) && !name_is_valid_hostname(m->hostname))
        yw_error(w, v,
                 "invalid hostname '%s': expected letters, digits and '-' in dot-separated labels "
                 "of at most 63 characters, no label starting or ending with '-'",
                 m->hostname);
}

static void read_cpus(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_int(w, v, "cpus (a count of virtual CPUs)", 1, 256, &((struct machine *)target)->cpus);
}

static void read_memory(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_size(w, v, "memory", 64 * MIB, 4 * TIB, &((struct machine *)target)->memory);
}

static void read_boot_timeout(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_int(w, v, "boot_timeout (seconds to wait for SSH)", 5, 86400,
           &((struct machine *)target)->boot_timeout);
}

static void read_disk(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_size(w, v, "disk", 1 * GIB, 64 * TIB, &((struct machine *)target)->disk);
}

/* Lists items: calls read_item for each element of a list. */
static void read_list(struct yaml_walk *w, yaml_node_t *v, const char *what,
                      void (*read_item)(struct yaml_walk *, yaml_node_t *, struct machine *),
                      struct machine *m)
{
    if (v->type != YAML_SEQUENCE_NODE) {
        yw_error(w, v, "expected %s to be a list (lines starting with '- '), got %s", what,
                 yw_kind(v));
        return;
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
        read_item(w, yw_node(w, *it), m);
}

static void read_forward_host(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_int(w, v, "a host port", 1, 65535, &((struct forward *)target)->host);
}

static void read_forward_guest(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_int(w, v, "a guest port", 1, 65535, &((struct forward *)target)->guest);
}

static void read_forward_proto(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    static const char *const protos[] = {"tcp", "udp", NULL};
    yw_choice(w, v, "proto", protos, &((struct forward *)target)->proto);
}

static void read_forward_item(struct yaml_walk *w, yaml_node_t *item, struct machine *m)
{
    static const struct yw_field fields[] = {
        {"host", read_forward_host},
        {"guest", read_forward_guest},
        {"proto", read_forward_proto},
        {NULL, NULL},
    };
    struct forward f = {.pos = yw_pos(item)};
    size_t before = w->errs->count;
    yw_mapping(w, item, "a forward entry", fields, &f);
    if (item->type == YAML_MAPPING_NODE && (!f.host || !f.guest) && before == w->errs->count)
        yw_error(w, item, "a forward entry needs both 'host' and 'guest' ports");
    if (w->errs->count != before) {
        free(f.proto);
        return;
    }
    if (!f.proto)
        f.proto = xstrdup("tcp");
    m->forwards = xrealloc(m->forwards, (m->nforwards + 1) * sizeof *m->forwards);
    m->forwards[m->nforwards++] = f;
}

static void read_forward(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    read_list(w, v, "forward", read_forward_item, target);
}

static void read_sync_src(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_path(w, v, "sync source", true, &((struct sync_folder *)target)->src);
}

static void read_sync_dest(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct sync_folder *s = target;
    if (yw_string(w, v, "a guest path", &s->dest) && s->dest[0] != '/')
        yw_error(w, v, "sync destination '%s' must be an absolute path in the guest", s->dest);
}

static void read_sync_type(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    static const char *const types[] = {"copy", "mount", NULL};
    struct sync_folder *s = target;
    char *type = NULL;
    if (yw_choice(w, v, "type", types, &type))
        s->type = strcmp(type, "mount") == 0 ? SYNC_MOUNT : SYNC_COPY;
    s->type_pos = yw_pos(v);
    free(type);
}

static void read_sync_readonly(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_bool(w, v, "readonly (true or false)", &((struct sync_folder *)target)->readonly);
}

/* A mount shares a folder of the host, so src must be one; readonly says how it is mounted. */
static void check_sync_type(struct yaml_walk *w, yaml_node_t *item, const struct sync_folder *s)
{
    if (s->type == SYNC_MOUNT && !fs_is_dir(s->src))
        yw_error(w, item, "sync source %s is not a folder: type: mount shares a folder of the host",
                 s->src);
    if (s->type == SYNC_COPY && s->readonly)
        yw_error(w, item, "readonly applies to type: mount only (a copy is the guest's own)");
}

static void read_sync_item(struct yaml_walk *w, yaml_node_t *item, struct machine *m)
{
    static const struct yw_field fields[] = {
        {"src", read_sync_src},
        {"dest", read_sync_dest},
        {"type", read_sync_type},
        {"readonly", read_sync_readonly},
        {NULL, NULL},
    };
    struct sync_folder s = {0};
    size_t before = w->errs->count;
    yw_mapping(w, item, "a sync entry", fields, &s);
    if (item->type == YAML_MAPPING_NODE && (!s.src || !s.dest) && before == w->errs->count)
        yw_error(w, item, "a sync entry needs both 'src' and 'dest'");
    if (w->errs->count == before)
        check_sync_type(w, item, &s);
    if (w->errs->count != before) {
        free(s.src);
        free(s.dest);
        return;
    }
    m->syncs = xrealloc(m->syncs, (m->nsyncs + 1) * sizeof *m->syncs);
    m->syncs[m->nsyncs++] = s;
}

static void read_sync(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    read_list(w, v, "sync", read_sync_item, target);
}

static void read_provision_item(struct yaml_walk *w, yaml_node_t *item, struct machine *m)
{
    struct provisioner p;
    if (!provisioner_read(w, item, &p))
        return;
    m->provisioners = xrealloc(m->provisioners, (m->nprovisioners + 1) * sizeof *m->provisioners);
    m->provisioners[m->nprovisioners++] = p;
}

static void read_provision(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    read_list(w, v, "provision", read_provision_item, target);
}

const struct yw_field machine_fields[] = {
    {"box", read_box},
    {"box_version", read_box_version},
    {"box_checksum", read_box_checksum},
    {"box_url", read_box_url},
    {"provider", read_provider},
    {"hostname", read_hostname},
    {"cpus", read_cpus},
    {"memory", read_memory},
    {"disk", read_disk},
    {"boot_timeout", read_boot_timeout},
    {"forward", read_forward},
    {"sync", read_sync},
    {"provision", read_provision},
    {NULL, NULL},
};
