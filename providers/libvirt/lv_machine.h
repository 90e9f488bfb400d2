/* SPDX-License-Identifier: MIT */
/* What every libvirt operation starts from: the machine's options, names and connection. */
#ifndef ROVE_PROVIDERS_LIBVIRT_LV_MACHINE_H
#define ROVE_PROVIDERS_LIBVIRT_LV_MACHINE_H

#include "providers/libvirt/options.h"
#include "providers/provider.h"

#include <libvirt/libvirt.h>

/* Journal record kinds this provider writes (and destroy undoes). */
#define LV_KIND_DOMAIN "libvirt.domain"
#define LV_KIND_VOLUME "libvirt.volume"

/* Provider-owned file in the machine's state folder: what was created, for people and tools. */
#define LV_STATE_FILE "libvirt.json"
/* The serial console's log in the machine's state folder. */
#define LV_CONSOLE_LOG "console.log"

struct lv_machine {
    const struct rove_machine_ctx *ctx;
    const char *name; /* the machine's name */
    struct lv_options opts;
    char *domain_name;
    virConnectPtr conn; /* NULL until lv_machine_connect() */
};

/* Checks ctx and the options. Returns 0, or -1 after saying why. */
int lv_machine_open(const struct rove_machine_ctx *ctx, struct lv_machine *m);
/* Connects to the machine's URI. Returns 0, or -1 after saying why. */
int lv_machine_connect(struct lv_machine *m);
void lv_machine_close(struct lv_machine *m);

/* The machine's domain, or NULL when it does not exist (or on an error, which *failed tells). */
virDomainPtr lv_machine_domain(struct lv_machine *m, bool *failed);

/* Opens and connects ctx's machine and runs fn on its domain, passing arg along. A missing domain
 * is an error naming the machine, or, with missing_ok, success without calling fn. Returns fn's
 * result, or -1 after saying why. */
typedef int (*lv_domain_fn)(struct lv_machine *m, virDomainPtr dom, void *arg);
int lv_with_domain(const struct rove_machine_ctx *ctx, bool missing_ok, lv_domain_fn fn, void *arg);
/* Appends {kind, id, {"uri":..., "pool":...}} to the core's journal. Returns 0 or -1. */
int lv_journal(struct lv_machine *m, const char *kind, const char *id);

#endif
