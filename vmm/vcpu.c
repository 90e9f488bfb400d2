/* SPDX-License-Identifier: MIT */
#include "vcpu.h"
#include "boot_layout.h"
#include "long_mode.h"
#include "vmm_log.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define KICK_SIGNAL     SIGUSR1
#define RFLAGS_RESERVED 0x2ULL
#define RFLAGS_IF       0x200ULL

#define MSR_IA32_SYSENTER_CS             0x174
#define MSR_IA32_SYSENTER_ESP            0x175
#define MSR_IA32_SYSENTER_EIP            0x176
#define MSR_IA32_MISC_ENABLE             0x1a0
#define MSR_IA32_MISC_ENABLE_FAST_STRING 0x1ULL
#define MSR_IA32_TSC                     0x10
#define MSR_STAR                         0xc0000081
#define MSR_LSTAR                        0xc0000082
#define MSR_CSTAR                        0xc0000083
#define MSR_SYSCALL_MASK                 0xc0000084
#define MSR_KERNEL_GS_BASE               0xc0000102

#define APIC_LVT_LINT0   0x350
#define APIC_LVT_LINT1   0x360
#define APIC_MODE_NMI    0x4
#define APIC_MODE_EXTINT 0x7

int vcpu_supported_cpuid(int kvm_fd, struct cpuid_table *table)
{
    memset(table, 0, sizeof *table);
    table->cpuid.nent = CPUID_MAX_ENTRIES;
    if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, table) < 0) {
        vmm_error("KVM: cannot read the supported CPUID: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int set_cpuid(struct vcpu *vcpu, const struct cpuid_table *supported)
{
    struct cpuid_table table = *supported;
    cpuid_adjust(table.cpuid.entries, table.cpuid.nent, (unsigned)vcpu->index,
                 (unsigned)vcpu->vm->vcpu_count);
    return ioctl(vcpu->fd, KVM_SET_CPUID2, &table);
}

static int set_msrs(struct vcpu *vcpu)
{
    static const uint32_t zeroed[] = {MSR_IA32_SYSENTER_CS,
                                      MSR_IA32_SYSENTER_ESP,
                                      MSR_IA32_SYSENTER_EIP,
                                      MSR_STAR,
                                      MSR_CSTAR,
                                      MSR_KERNEL_GS_BASE,
                                      MSR_SYSCALL_MASK,
                                      MSR_LSTAR,
                                      MSR_IA32_TSC};
    enum { COUNT = sizeof zeroed / sizeof zeroed[0] + 1 };
    union {
        struct kvm_msrs msrs; /* ends in a flexible array */
        uint8_t storage[sizeof(struct kvm_msrs) + COUNT * sizeof(struct kvm_msr_entry)];
    } msrs;
    memset(&msrs, 0, sizeof msrs);
    for (size_t i = 0; i < COUNT - 1; i++)
        msrs.msrs.entries[i].index = zeroed[i];
    msrs.msrs.entries[COUNT - 1].index = MSR_IA32_MISC_ENABLE;
    msrs.msrs.entries[COUNT - 1].data = MSR_IA32_MISC_ENABLE_FAST_STRING;
    msrs.msrs.nmsrs = COUNT;
    /* KVM_SET_MSRS returns how many it set; fewer means one was refused. */
    return ioctl(vcpu->fd, KVM_SET_MSRS, &msrs) == COUNT ? 0 : -1;
}

static int set_fpu(struct vcpu *vcpu)
{
    struct kvm_fpu fpu;
    memset(&fpu, 0, sizeof fpu);
    fpu.fcw = 0x37f;    /* all exceptions masked, as after FNINIT */
    fpu.mxcsr = 0x1f80; /* likewise for SSE */
    return ioctl(vcpu->fd, KVM_SET_FPU, &fpu);
}

static void set_lvt_mode(struct kvm_lapic_state *lapic, int reg, uint32_t mode)
{
    uint32_t value;
    memcpy(&value, &lapic->regs[reg], sizeof value);
    value = (value & ~0x700u) | (mode << 8);
    memcpy(&lapic->regs[reg], &value, sizeof value);
}

/* Virtual-wire mode, as firmware leaves it: the PIC reaches the CPU through LINT0, NMIs through
 * LINT1. */
static int set_lapic(struct vcpu *vcpu)
{
    struct kvm_lapic_state lapic;
    if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic) < 0)
        return -1;
    set_lvt_mode(&lapic, APIC_LVT_LINT0, APIC_MODE_EXTINT);
    set_lvt_mode(&lapic, APIC_LVT_LINT1, APIC_MODE_NMI);
    return ioctl(vcpu->fd, KVM_SET_LAPIC, &lapic);
}

static int set_boot_registers(struct vcpu *vcpu, uint64_t entry, uint64_t boot_params)
{
    struct kvm_sregs sregs;
    if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
        return -1;
    long_mode_set_sregs(&sregs);
    if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
        return -1;
    struct kvm_regs regs;
    memset(&regs, 0, sizeof regs);
    regs.rflags = RFLAGS_RESERVED;
    regs.rip = entry;
    regs.rsi = boot_params;
    regs.rsp = regs.rbp = BOOT_STACK_TOP;
    return ioctl(vcpu->fd, KVM_SET_REGS, &regs);
}

int vcpu_create(struct vcpu *vcpu, struct vm *vm, int index, const struct cpuid_table *supported,
                uint64_t entry, uint64_t boot_params)
{
    memset(vcpu, 0, sizeof *vcpu);
    vcpu->vm = vm;
    vcpu->index = index;
    vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, index);
    if (vcpu->fd < 0) {
        vmm_error("KVM: cannot create vCPU %d: %s", index, strerror(errno));
        return -1;
    }
    vcpu->run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
    if (vcpu->run == MAP_FAILED) {
        vcpu->run = NULL;
        vmm_error("KVM: cannot map vCPU %d: %s", index, strerror(errno));
        return -1;
    }
    const char *step = "CPUID";
    int rc = set_cpuid(vcpu, supported);
    if (rc >= 0 && (step = "MSRs", rc = set_msrs(vcpu)) >= 0 &&
        (step = "FPU", rc = set_fpu(vcpu)) >= 0)
        step = "LAPIC", rc = set_lapic(vcpu);
    /* Application processors wait in the in-kernel LAPIC for the guest's INIT-SIPI. */
    if (rc >= 0 && index == 0)
        step = "boot registers", rc = set_boot_registers(vcpu, entry, boot_params);
    if (rc < 0) {
        vmm_error("KVM: cannot set vCPU %d %s: %s", index, step, strerror(errno));
        return -1;
    }
    return 0;
}

static void kick_handler(int sig)
{
    (void)sig; /* only interrupts KVM_RUN */
}

int vcpu_install_kick_signal(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = kick_handler;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: KVM_RUN must return EINTR. */
    return sigaction(KICK_SIGNAL, &sa, NULL);
}

static const char *exit_reason_name(uint32_t reason)
{
    static const char *const names[] = {
        [KVM_EXIT_UNKNOWN] = "UNKNOWN",
        [KVM_EXIT_EXCEPTION] = "EXCEPTION",
        [KVM_EXIT_IO] = "IO",
        [KVM_EXIT_HYPERCALL] = "HYPERCALL",
        [KVM_EXIT_DEBUG] = "DEBUG",
        [KVM_EXIT_HLT] = "HLT",
        [KVM_EXIT_MMIO] = "MMIO",
        [KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
        [KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
        [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
        [KVM_EXIT_INTR] = "INTR",
        [KVM_EXIT_SET_TPR] = "SET_TPR",
        [KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
        [KVM_EXIT_NMI] = "NMI",
        [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
        [KVM_EXIT_OSI] = "OSI",
        [KVM_EXIT_WATCHDOG] = "WATCHDOG",
        [KVM_EXIT_EPR] = "EPR",
        [KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
        [KVM_EXIT_IOAPIC_EOI] = "IOAPIC_EOI",
        [KVM_EXIT_HYPERV] = "HYPERV",
    };
    if (reason < sizeof names / sizeof names[0] && names[reason])
        return names[reason];
    return "unnamed";
}

static uint64_t guest_rip(struct vcpu *vcpu)
{
    struct kvm_regs regs;
    return ioctl(vcpu->fd, KVM_GET_REGS, &regs) == 0 ? regs.rip : 0;
}

static void handle_io(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    struct vm *vm = vcpu->vm;
    pthread_mutex_lock(&vm->lock);
    for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
        bool handled = run->io.direction == KVM_EXIT_IO_OUT
                           ? bus_write(&vm->pio, run->io.port, data, run->io.size)
                           : bus_read(&vm->pio, run->io.port, data, run->io.size);
        if (!handled)
            vmm_debug("vCPU %d: %s of port 0x%x ignored (no device)", vcpu->index,
                      run->io.direction == KVM_EXIT_IO_OUT ? "write" : "read", run->io.port);
    }
    pthread_mutex_unlock(&vm->lock);
}

static void handle_mmio(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    struct vm *vm = vcpu->vm;
    uint32_t len = run->mmio.len <= 8 ? run->mmio.len : 8;
    pthread_mutex_lock(&vm->lock);
    bool handled = run->mmio.is_write
                       ? bus_write(&vm->mmio, run->mmio.phys_addr, run->mmio.data, len)
                       : bus_read(&vm->mmio, run->mmio.phys_addr, run->mmio.data, len);
    pthread_mutex_unlock(&vm->lock);
    if (!handled)
        vmm_debug("vCPU %d: MMIO %s at 0x%llx ignored (no device)", vcpu->index,
                  run->mmio.is_write ? "write" : "read", (unsigned long long)run->mmio.phys_addr);
}

static void handle_system_event(struct vcpu *vcpu)
{
    switch (vcpu->run->system_event.type) {
    case KVM_SYSTEM_EVENT_RESET:
        vm_request_stop(vcpu->vm, STOP_GUEST_RESET);
        break;
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        vm_request_stop(vcpu->vm, STOP_GUEST_HALT);
        break;
    default:
        vmm_error("vCPU %d: guest crashed (system event %u)", vcpu->index,
                  vcpu->run->system_event.type);
        vm_request_stop(vcpu->vm, STOP_FAILURE);
        break;
    }
}

static void fail(struct vcpu *vcpu, const char *what)
{
    vmm_error("vCPU %d: %s at rip 0x%llx; stopping the VM", vcpu->index, what,
              (unsigned long long)guest_rip(vcpu));
    vm_request_stop(vcpu->vm, STOP_FAILURE);
}

/* Every exit reason is handled: known ones by the devices, anything else stops the VM with its
 * name rather than spinning or hanging. */
static void handle_exit(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    char what[128];
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        handle_io(vcpu);
        break;
    case KVM_EXIT_MMIO:
        handle_mmio(vcpu);
        break;
    case KVM_EXIT_INTR:
        break;
    case KVM_EXIT_HLT:
        /* Only without an in-kernel LAPIC; a halted lone CPU cannot be woken. */
        vm_request_stop(vcpu->vm, STOP_GUEST_HALT);
        break;
    case KVM_EXIT_SHUTDOWN:
        vmm_debug("vCPU %d: triple fault; treating it as a guest reset", vcpu->index);
        vm_request_stop(vcpu->vm, STOP_GUEST_RESET);
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        handle_system_event(vcpu);
        break;
    case KVM_EXIT_FAIL_ENTRY:
        snprintf(what, sizeof what, "KVM could not enter the guest (hardware reason 0x%llx)",
                 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        fail(vcpu, what);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        snprintf(what, sizeof what, "KVM internal error, suberror %u%s", run->internal.suberror,
                 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
                     ? " (instruction emulation failed)"
                     : "");
        fail(vcpu, what);
        break;
    default:
        snprintf(what, sizeof what, "unexpected VM exit %u (KVM_EXIT_%s)", run->exit_reason,
                 exit_reason_name(run->exit_reason));
        fail(vcpu, what);
        break;
    }
}

/* Halted with interrupts disabled (Linux's halt, or a guest's cli; hlt) means stopped for good. */
static void answer_halt_check(struct vcpu *vcpu)
{
    struct kvm_mp_state state;
    struct kvm_regs regs;
    bool dead = false;
    if (ioctl(vcpu->fd, KVM_GET_MP_STATE, &state) == 0) {
        if (state.mp_state == KVM_MP_STATE_UNINITIALIZED && vcpu->index != 0)
            dead = true;
        else if (state.mp_state == KVM_MP_STATE_HALTED && ioctl(vcpu->fd, KVM_GET_REGS, &regs) == 0)
            dead = !(regs.rflags & RFLAGS_IF);
    }
    atomic_store(&vcpu->halted_for_good, dead);
    atomic_store(&vcpu->check_halt, false);
    vm_wake(vcpu->vm);
}

static void *vcpu_thread(void *arg)
{
    struct vcpu *vcpu = arg;
    char name[16];
    snprintf(name, sizeof name, "vcpu%d", vcpu->index);
    pthread_setname_np(pthread_self(), name);
    sigset_t kick;
    sigemptyset(&kick);
    sigaddset(&kick, KICK_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
    vm_wait_for_release(vcpu->vm);

    while (vm_stop_reason(vcpu->vm) == STOP_NONE) {
        if (atomic_load(&vcpu->check_halt))
            answer_halt_check(vcpu);
        int rc = ioctl(vcpu->fd, KVM_RUN, 0);
        if (rc < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                vcpu->run->immediate_exit = 0;
                continue;
            }
            vmm_error("vCPU %d: KVM_RUN failed: %s", vcpu->index, strerror(errno));
            vm_request_stop(vcpu->vm, STOP_FAILURE);
            break;
        }
        handle_exit(vcpu);
    }
    return NULL;
}

int vcpu_start(struct vcpu *vcpu)
{
    int rc = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
    if (rc != 0) {
        vmm_error("cannot start the thread of vCPU %d: %s", vcpu->index, strerror(rc));
        return -1;
    }
    vcpu->thread_started = true;
    return 0;
}

void vcpu_kick(struct vcpu *vcpu, bool stop)
{
    if (!vcpu->thread_started)
        return;
    if (stop)
        vcpu->run->immediate_exit = 1; /* also catches a vCPU about to enter KVM_RUN */
    else
        atomic_store(&vcpu->check_halt, true);
    pthread_kill(vcpu->thread, KICK_SIGNAL);
}

void vcpu_join(struct vcpu *vcpu)
{
    if (vcpu->thread_started)
        pthread_join(vcpu->thread, NULL);
    vcpu->thread_started = false;
}

void vcpu_destroy(struct vcpu *vcpu)
{
    if (vcpu->run)
        munmap(vcpu->run, (size_t)vcpu->vm->run_size);
    if (vcpu->fd >= 0)
        close(vcpu->fd);
}
