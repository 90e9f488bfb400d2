/* SPDX-License-Identifier: MIT */
#include "providers/libvirt/domain_edit.h"
#include "providers/libvirt/domain_xml.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* The first element <tag ...>...</tag> (or <tag .../>) in text: *start at its '<', *end just past
 * it. Returns false when there is none. */
static bool find_element(const char *text, const char *tag, const char **start, const char **end)
{
    size_t n = strlen(tag);
    for (const char *p = strchr(text, '<'); p; p = strchr(p + 1, '<')) {
        if (strncmp(p + 1, tag, n) != 0 || (p[1 + n] != ' ' && p[1 + n] != '>' && p[1 + n] != '/'))
            continue;
        const char *close = strchr(p, '>');
        if (!close)
            return false;
        if (close[-1] == '/') {
            *start = p;
            *end = close + 1;
            return true;
        }
        char *closing = xasprintf("</%s>", tag);
        const char *e = strstr(close, closing);
        free(closing);
        if (!e)
            return false;
        *start = p;
        *end = e + n + 3;
        return true;
    }
    return false;
}

/* Replaces [start, end) of *text by with. */
static void splice(char **text, const char *start, const char *end, const char *with)
{
    struct strbuf sb = STRBUF_INIT;
    sb_addn(&sb, *text, (size_t)(start - *text));
    sb_add(&sb, with);
    sb_add(&sb, end);
    free(*text);
    *text = sb_detach(&sb);
}

static bool replace_element(char **text, const char *tag, const char *with)
{
    const char *start, *end;
    if (!find_element(*text, tag, &start, &end))
        return false;
    splice(text, start, end, with);
    return true;
}

/* The -netdev value of rove's NIC, in value='...' (libvirt writes attributes in single quotes;
 * the value holds no quote). */
static bool replace_netdev(char **text, const struct domain_edit *e)
{
    const char *at = strstr(*text, "value='" DOMAIN_NETDEV_PREFIX);
    const char *value = at ? at + strlen("value='") : NULL;
    const char *end = value ? strchr(value, '\'') : NULL;
    if (!end)
        return false;
    struct strbuf sb = STRBUF_INIT;
    domain_netdev_value(&sb, e->restrict_network, e->ssh_port, e->forwards, e->nforwards);
    splice(text, value, end, sb_str(&sb));
    sb_release(&sb);
    return true;
}

char *domain_edit_apply(const char *machine, const char *xml, const struct domain_edit *e)
{
    char *text = xstrdup(xml);
    char *memory = xasprintf("<memory unit='KiB'>%llu</memory>", (unsigned long long)e->memory_kib);
    char *current = xasprintf("<currentMemory unit='KiB'>%llu</currentMemory>",
                              (unsigned long long)e->memory_kib);
    char *vcpu = xasprintf("<vcpu placement='static'>%d</vcpu>", e->cpus);
    const char *missing = NULL;
    if (!replace_element(&text, "memory", memory))
        missing = "<memory>";
    else if (!replace_element(&text, "vcpu", vcpu))
        missing = "<vcpu>";
    else if (!replace_netdev(&text, e))
        missing = "rove's network arguments";
    /* libvirt adds <currentMemory> itself; where it is missing it follows <memory> */
    else
        replace_element(&text, "currentMemory", current);
    free(memory);
    free(current);
    free(vcpu);
    if (!missing)
        return text;
    log_error("machine %s: its domain's XML has no %s; was it defined by rove?", machine, missing);
    free(text);
    return NULL;
}
