/* SPDX-License-Identifier: MIT */
/* The host side of a machine's port forwards, checked before anything is created or started. */
#ifndef ROVE_ENGINE_FORWARD_PORTS_H
#define ROVE_ENGINE_FORWARD_PORTS_H

struct machine_runtime;

/* Returns 0 when every forwarded host port of rt's machine is free on 127.0.0.1, or -1 after
 * naming the port, the machine and the machinefile. */
int forward_ports_check(struct machine_runtime *rt);
/* The same for the forwards whose host ports the machine did not hold as it was built (its
 * spec record): those a changed machinefile adds, checked while the machine may still run. */
int forward_ports_check_new(struct machine_runtime *rt);

#endif
