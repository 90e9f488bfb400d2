/* SPDX-License-Identifier: MIT */
/* The running machine: the KVM VM, its memory, buses, vCPUs, and how it is asked to stop. */
#ifndef ROVE_VMM_VM_H
#define ROVE_VMM_VM_H

#include "bus.h"
#include "guest_mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum stop_reason {
    STOP_NONE = 0,
    STOP_GUEST_RESET,      /* i8042 reset, triple fault or reset system event */
    STOP_GUEST_HALT,       /* every vCPU halted with interrupts off, or power-off event */
    STOP_FAILURE,          /* unexpected exit, emulation error, device failure */
    STOP_KILLED,           /* control socket "kill" */
    STOP_SHUTDOWN_TIMEOUT, /* the guest ignored Ctrl-Alt-Del */
    STOP_INTERRUPTED,      /* SIGINT or SIGHUP */
};

struct vcpu;

struct vm {
    int kvm_fd;
    int vm_fd;
    int run_size; /* size of each vCPU's kvm_run mapping */
    struct guest_mem mem;
    pthread_mutex_t lock;          /* serialises all device emulation */
    pthread_cond_t guest_released; /* signalled under lock when guest_may_run turns true */
    bool guest_may_run;
    struct bus pio;
    struct bus mmio;
    struct vcpu *vcpus;
    int vcpu_count;
    atomic_int stop_reason;
    int wake_fd; /* eventfd: the main loop has something to look at */
    struct timespec started;
};

/* Opens /dev/kvm and creates the VM with in-kernel irqchip and PIT, and its memory. Prints one
 * clear line and returns -1 when KVM is missing, forbidden or lacks what the monitor needs. */
int vm_create(struct vm *vm, uint64_t memory, int cpus);
void vm_destroy(struct vm *vm);
/* The irq_line callback for devices: drives an in-kernel irqchip input. */
void vm_set_irq(void *vm, uint32_t irq, int level);
/* Records why the VM stops (the first reason wins) and wakes the main loop. */
void vm_request_stop(struct vm *vm, enum stop_reason reason);
enum stop_reason vm_stop_reason(struct vm *vm);
void vm_wake(struct vm *vm);
/* vCPU threads wait here before they first enter the guest, until the monitor releases them
 * (once its seccomp filter is in place, so that no guest code runs without it). */
void vm_wait_for_release(struct vm *vm);
void vm_release_guest(struct vm *vm);
const char *stop_reason_name(enum stop_reason reason);
int stop_reason_exit_code(enum stop_reason reason);

#endif
