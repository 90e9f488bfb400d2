/* SPDX-License-Identifier: MIT */
/* Opening a libvirt connection, and libvirt's errors as text for rove's own messages (libvirt's
 * default handler would print them a second time, unprefixed). */
#ifndef ROVE_PROVIDERS_LIBVIRT_CONNECTION_H
#define ROVE_PROVIDERS_LIBVIRT_CONNECTION_H

#include <libvirt/libvirt.h>
#include <stdbool.h>

/* Stops libvirt from printing its errors itself: rove reports them, with context. */
void lv_quiet_errors(void);
/* Opens uri read-write. On failure prints why, with a hint when the daemon is not running. */
virConnectPtr lv_connect(const char *uri, const char *machine);
/* The message of the last libvirt error in this thread ("unknown error" when there is none). */
const char *lv_last_error(void);
/* True when the last libvirt error says the object does not exist. */
bool lv_last_error_is_missing(void);
/* A URI naming no host: the daemon runs on this machine. */
bool lv_uri_is_local(const char *uri);

#endif
