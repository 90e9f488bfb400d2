#include "providers/libvirt/options.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *lv_default_uri(void)
{
    return geteuid() == 0 ? "qemu:///system" : "qemu:///session";
}

static int parse_bool(const char *text, bool *out)
{
    if (!strcmp(text, "true") || !strcmp(text, "on") || !strcmp(text, "yes"))
        *out = true;
    else if (!strcmp(text, "false") || !strcmp(text, "off") || !strcmp(text, "no"))
        *out = false;
    else
        return -1;
    return 0;
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
        if (!*opt->value) {
            log_error("machine %s: libvirt.uri is empty", machine);
            return -1;
        }
        free(o->uri);
        o->uri = xstrdup(opt->value);
    } else if (!strcmp(opt->key, "accel")) {
        if (accel_parse_request(opt->value, &o->accel) != 0) {
            log_error("machine %s: libvirt.accel is '%s'; use auto, kvm or tcg", machine,
                      opt->value);
            return -1;
        }
    } else if (!strcmp(opt->key, "pool")) {
        if (!valid_pool_name(opt->value)) {
            log_error("machine %s: libvirt.pool '%s' is not a valid pool name (letters, digits, "
                      "'-', '_', '.')",
                      machine, opt->value);
            return -1;
        }
        free(o->pool);
        o->pool = xstrdup(opt->value);
    } else if (!strcmp(opt->key, "firmware")) {
        if (strcmp(opt->value, "bios") && strcmp(opt->value, "efi")) {
            log_error("machine %s: libvirt.firmware is '%s'; use bios or efi", machine, opt->value);
            return -1;
        }
        o->efi = !strcmp(opt->value, "efi");
    } else if (!strcmp(opt->key, "restrict")) {
        if (parse_bool(opt->value, &o->restrict_network) != 0) {
            log_error("machine %s: libvirt.restrict is '%s'; use true or false", machine,
                      opt->value);
            return -1;
        }
    } else {
        log_error("machine %s: unknown libvirt option '%s' (known: uri, accel, pool, restrict, "
                  "firmware)",
                  machine, opt->key);
        return -1;
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
