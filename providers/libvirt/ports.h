/* SPDX-License-Identifier: MIT */
/* Host ports for forwards. */
#ifndef ROVE_PROVIDERS_LIBVIRT_PORTS_H
#define ROVE_PROVIDERS_LIBVIRT_PORTS_H

/* A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it), or -1. */
int lv_free_local_port(void);

#endif
