/* SPDX-License-Identifier: MIT */
/* The libvirt provider comes as two modules. rove-provider-libvirt.so, the one rove loads, links
 * no libvirt: it answers `state` itself where it can (wire.h), so that `rove status` stays fast,
 * and hands every other operation to rove-libvirt-driver.so, beside it, which does everything
 * through libvirt's client library. */
#ifndef ROVE_PROVIDERS_LIBVIRT_DRIVER_H
#define ROVE_PROVIDERS_LIBVIRT_DRIVER_H

#define LV_DRIVER_FILE     "rove-libvirt-driver.so"
#define LV_DRIVER_ENTRY_FN rove_libvirt_driver_entry
#define LV_DRIVER_ENTRY    "rove_libvirt_driver_entry"

#endif
