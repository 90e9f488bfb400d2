/* SPDX-License-Identifier: MIT */
/* A domain's state read straight from the local libvirt daemon over its Unix socket, in libvirt's
 * own remote protocol (XDR over the socket, as every libvirt client speaks it), without loading
 * libvirt's client library: that library alone takes about 9 ms to load, longer than a whole
 * `rove status` may take.
 *
 * Only the plain local URIs (qemu:///system, qemu:///session) whose daemon is already listening
 * and asks for no authentication are answered here; for anything else the caller uses the
 * library, which knows every transport, starts a session daemon and authenticates. */
#ifndef ROVE_PROVIDERS_LIBVIRT_WIRE_H
#define ROVE_PROVIDERS_LIBVIRT_WIRE_H

#include "providers/provider.h"

/* Fills out for domain on uri. Returns 0 when it answered (out may say "unknown" with a reason,
 * as for a daemon that stopped answering), or -1 when the library must be asked instead. */
int lv_wire_state(const char *uri, const char *domain, struct rove_state_report *out);
/* The same through the daemon socket at socket_path. */
int lv_wire_state_at(const char *socket_path, const char *uri, const char *domain,
                     struct rove_state_report *out);

#endif
