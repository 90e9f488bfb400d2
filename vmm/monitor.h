/* SPDX-License-Identifier: MIT */
/* The whole monitor: builds the machine from the options, runs the event loop until the VM
 * stops, and tears it down. */
#ifndef ROVE_VMM_MONITOR_H
#define ROVE_VMM_MONITOR_H

#include "cleanup_helper.h"
#include "control.h"
#include "i8042.h"
#include "net_slirp.h"
#include "options.h"
#include "serial.h"
#include "vcpu.h"
#include "virtio_blk.h"
#include "virtio_mmio.h"
#include "virtio_net.h"
#include "virtio_rng.h"
#include "vm.h"

#define MONITOR_MAX_VIRTIO                  (VMM_MAX_DISKS + 2)
#define MONITOR_DEFAULT_SHUTDOWN_TIMEOUT_MS 10000

struct monitor {
    const struct vmm_options *opts;
    struct vm vm;
    struct vcpu vcpus[VMM_MAX_CPUS];
    struct serial serial;
    struct i8042 i8042;
    struct virtio_blk disks[VMM_MAX_DISKS];
    struct virtio_net net;
    struct virtio_rng rng;
    struct virtio_transport transports[MONITOR_MAX_VIRTIO];
    int transport_count;
    struct net_slirp slirp;
    struct control control;
    struct cleanup_helper cleanup; /* removes the control socket and pid file at the end */
    struct console_log serial_log;
    int signal_fd;
    bool interactive;             /* stdin feeds the serial console */
    int64_t shutdown_deadline_ms; /* 0: no graceful shutdown under way */
    int64_t next_halt_check_ms;
    char cmdline[4096];
};

/* Sets everything up; every failure has been printed. Returns 0 or -1. */
int monitor_setup(struct monitor *m, const struct vmm_options *opts);
/* Starts the vCPUs and runs until the VM stops; returns the exit code. */
int monitor_run(struct monitor *m);
void monitor_teardown(struct monitor *m);
/* Answers a control request (also used by the tests). */
struct json_object *monitor_handle_request(void *monitor, const struct control_request *request);

#endif
