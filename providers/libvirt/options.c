/* SPDX-License-Identifier: MIT */
#include "providers/libvirt/options.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const accel_choices[] = {"auto", "kvm", "tcg", NULL};
static const char *const firmware_choices[] = {"bios", "efi", NULL};

const struct rove_option_spec lv_option_specs[] = {
    {"uri", ROVE_OPTION_STRING, NULL,
     "libvirt connection URI (default: qemu:///system as root, qemu:///session otherwise)"},
    {"accel", ROVE_OPTION_CHOICE, accel_choices,
     "auto (KVM where hardware virtualisation backs /dev/kvm, else TCG), kvm or tcg"},
    {"pool", ROVE_OPTION_STRING, NULL, "storage pool for box images and disks (default: rove)"},
    {"restrict", ROVE_OPTION_BOOL, NULL,
     "the guest reaches only its forwards, nothing off the host (default: false)"},
    {"firmware", ROVE_OPTION_CHOICE, firmware_choices,
     "bios (default) or efi (UEFI through OVMF; refused until rove sets it up)"},
    {NULL, 0, NULL, NULL},
};

const char *lv_default_uri(void)
{
    return geteuid() == 0 ? "qemu:///system" : "qemu:///session";
}

static bool valid_pool_name(const char *name)
{
    if (!*name || strlen(name) > 64)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

static int apply_option(const char *machine, const struct rove_option *opt, struct lv_options *o)
{
    if (!strcmp(opt->key, "uri")) {
        if (!strstr(opt->value, "://"))
            return error("machine %s: libvirt.uri '%s' is not a libvirt URI (expected e.g. "
                         "qemu:///system)",
                         machine, opt->value);
        free(o->uri);
        o->uri = xstrdup(opt->value);
    } else if (!strcmp(opt->key, "accel")) {
        if (accel_parse_request(opt->value, &o->accel) != 0)
            return error("machine %s: libvirt.accel is '%s'; use auto, kvm or tcg", machine,
                         opt->value);
    } else if (!strcmp(opt->key, "pool")) {
        if (!valid_pool_name(opt->value))
            return error("machine %s: libvirt.pool '%s' is not a valid pool name (letters, digits, "
                         "'-', '_', '.')",
                         machine, opt->value);
        free(o->pool);
        o->pool = xstrdup(opt->value);
    } else if (!strcmp(opt->key, "firmware")) {
        o->efi = !strcmp(opt->value, "efi");
    } else if (!strcmp(opt->key, "restrict") && opt->type == ROVE_OPTION_BOOL) {
        o->restrict_network = opt->flag;
    } else {
        return error("machine %s: unknown libvirt option '%s' (known: uri, accel, pool, restrict, "
                     "firmware)",
                     machine, opt->key);
    }
    return 0;
}

int lv_options_parse(const struct rove_machine_spec *spec, struct lv_options *out)
{
    memset(out, 0, sizeof *out);
    out->accel = ACCEL_REQUEST_AUTO;
    for (size_t i = 0; i < spec->noptions; i++) {
        if (apply_option(spec->name, &spec->options[i], out) != 0) {
            lv_options_release(out);
            return -1;
        }
    }
    if (!out->uri)
        out->uri = xstrdup(lv_default_uri());
    if (!out->pool)
        out->pool = xstrdup(LV_DEFAULT_POOL);
    return 0;
}

void lv_options_release(struct lv_options *o)
{
    free(o->uri);
    free(o->pool);
    memset(o, 0, sizeof *o);
}
