/* SPDX-License-Identifier: MIT */
/* The libvirt provider's operations (see providers/provider.h for their contracts). */
#ifndef ROVE_PROVIDERS_LIBVIRT_OPS_H
#define ROVE_PROVIDERS_LIBVIRT_OPS_H

#include "providers/common/accel.h"
#include "providers/libvirt/lv_machine.h"
#include "providers/provider.h"

int lv_probe(const struct rove_machine_ctx *ctx, char *why, size_t why_len);
int lv_create(const struct rove_machine_ctx *ctx);
int lv_start(const struct rove_machine_ctx *ctx);
int lv_stop(const struct rove_machine_ctx *ctx, int timeout_seconds, bool force);
int lv_destroy(const struct rove_machine_ctx *ctx, const struct rove_journal_record *records,
               size_t nrecords);
int lv_state(const struct rove_machine_ctx *ctx, struct rove_state_report *out);
int lv_ssh_endpoint(const struct rove_machine_ctx *ctx, struct rove_endpoint *out);
int lv_reconfigure_check(const struct rove_machine_ctx *ctx, const struct rove_machine_spec *old,
                         char *why, size_t why_len);
int lv_reconfigure(const struct rove_machine_ctx *ctx, const struct rove_machine_spec *old);
int lv_snapshot_save(const struct rove_machine_ctx *ctx, const char *name);
int lv_snapshot_restore(const struct rove_machine_ctx *ctx, const char *name);
int lv_snapshot_delete(const struct rove_machine_ctx *ctx, const char *name);
int lv_snapshot_list(const struct rove_machine_ctx *ctx, rove_snapshot_fn each, void *arg);

/* The SSH port recorded in the domain's rove metadata, or -1. */
int lv_domain_ssh_port(virDomainPtr dom);

/* The accelerator for m's (connected) host and its options, with the reason in why. */
int lv_choose_accel(struct lv_machine *m, enum accel_kind *accel, char *why, size_t why_len);

#endif
