/* SPDX-License-Identifier: MIT */
/* The vmm provider's operations (see providers/provider.h for their contracts). */
#ifndef ROVE_PROVIDERS_VMM_OPS_H
#define ROVE_PROVIDERS_VMM_OPS_H

#include "providers/provider.h"
#include "providers/vmm/vmm_machine.h"

int vmm_probe(const struct rove_machine_ctx *ctx, char *why, size_t why_len);
int vmm_create(const struct rove_machine_ctx *ctx);
int vmm_start(const struct rove_machine_ctx *ctx);
int vmm_stop(const struct rove_machine_ctx *ctx, int timeout_seconds, bool force);
int vmm_destroy(const struct rove_machine_ctx *ctx, const struct rove_journal_record *records,
                size_t nrecords);
int vmm_state(const struct rove_machine_ctx *ctx, struct rove_state_report *out);
int vmm_ssh_endpoint(const struct rove_machine_ctx *ctx, struct rove_endpoint *out);
int vmm_reconfigure_check(const struct rove_machine_ctx *ctx, const struct rove_machine_spec *old,
                          char *why, size_t why_len);
int vmm_reconfigure(const struct rove_machine_ctx *ctx, const struct rove_machine_spec *old);

/* Stops the rove-vmm behind pid_path/control_path: asks for a graceful shutdown unless force,
 * then kills it. Removes the pid file and socket it leaves behind. Returns 0 or -1. */
int vmm_stop_process(const char *machine, const char *pid_path, const char *control_path,
                     int timeout_seconds, bool force);

/* A TCP port on 127.0.0.1 that nothing listens on right now, or -1. */
int vmm_free_local_port(void);
/* True when port on 127.0.0.1 can be bound now. */
bool vmm_port_is_free(int port);

#endif
