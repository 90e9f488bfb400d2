/* The provider sections of a machine: `libvirt:` and `vmm:`. */
#include "machine/mf_parse.h"

#include <string.h>

static void read_libvirt_uri(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct libvirt_options *o = target;
    if (yw_string(w, v, "a libvirt connection URI", &o->uri) && !strstr(o->uri, ":///") &&
        !strstr(o->uri, "://"))
        yw_error(w, v, "'%s' is not a libvirt URI (expected e.g. qemu:///system)", o->uri);
}

static void read_libvirt_accel(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    static const char *const accels[] = {"auto", "kvm", "tcg", NULL};
    yw_choice(w, v, "accel", accels, &((struct libvirt_options *)target)->accel);
}

static void read_libvirt_pool(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_string(w, v, "a storage pool name", &((struct libvirt_options *)target)->pool);
}

static void read_libvirt_firmware(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    static const char *const firmwares[] = {"bios", "efi", NULL};
    yw_choice(w, v, "firmware", firmwares, &((struct libvirt_options *)target)->firmware);
}

static void read_libvirt_restrict(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    struct libvirt_options *o = target;
    o->restrict_set = yw_bool(w, v, "restrict", &o->restrict_network);
}

void provider_options_read_libvirt(struct yaml_walk *w, yaml_node_t *v, struct libvirt_options *o)
{
    static const struct yw_field fields[] = {
        {"uri", read_libvirt_uri},           {"accel", read_libvirt_accel},
        {"pool", read_libvirt_pool},         {"restrict", read_libvirt_restrict},
        {"firmware", read_libvirt_firmware}, {NULL, NULL},
    };
    yw_mapping(w, v, "the libvirt section", fields, o);
}

static void read_vmm_kernel(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_path(w, v, "kernel", true, &((struct vmm_options *)target)->kernel);
}

static void read_vmm_initrd(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_path(w, v, "initrd", true, &((struct vmm_options *)target)->initrd);
}

static void read_vmm_cmdline(struct yaml_walk *w, yaml_node_t *v, void *target)
{
    yw_string(w, v, "a kernel command line", &((struct vmm_options *)target)->cmdline);
}

void provider_options_read_vmm(struct yaml_walk *w, yaml_node_t *v, struct vmm_options *o)
{
    static const struct yw_field fields[] = {
        {"kernel", read_vmm_kernel},
        {"initrd", read_vmm_initrd},
        {"cmdline", read_vmm_cmdline},
        {NULL, NULL},
    };
    yw_mapping(w, v, "the vmm section", fields, o);
}
