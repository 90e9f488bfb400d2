/* SPDX-License-Identifier: MIT */
#include "vm.h"
#include "vmm_exit.h"
#include "vmm_log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define KVM_DEVICE "/dev/kvm"
/* Three pages below 4 GiB that KVM needs for its own use on Intel hosts. */
#define KVM_TSS_ADDR          0xfffbd000ULL
#define KVM_IDENTITY_MAP_ADDR 0xfffbc000ULL

static int open_kvm(void)
{
    int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
        vmm_error("%s: no such device: KVM is not available on this host (enable virtualisation "
                  "and load kvm_intel or kvm_amd)",
                  KVM_DEVICE);
    else if (errno == EACCES || errno == EPERM)
        vmm_error("%s: permission denied (add the user to the 'kvm' group)", KVM_DEVICE);
    else
        vmm_error("%s: %s", KVM_DEVICE, strerror(errno));
    return -1;
}

static int check_capabilities(int kvm_fd, int cpus)
{
    static const struct {
        int cap;
        const char *name;
    } needed[] = {
        {KVM_CAP_IRQCHIP, "in-kernel irqchip"}, {KVM_CAP_USER_MEMORY, "user memory"},
        {KVM_CAP_EXT_CPUID, "extended CPUID"},  {KVM_CAP_PIT2, "in-kernel PIT"},
        {KVM_CAP_SET_TSS_ADDR, "TSS address"},  {KVM_CAP_IMMEDIATE_EXIT, "immediate exit"},
    };
    int version = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        vmm_error("%s: KVM API version %d, expected %d", KVM_DEVICE, version, KVM_API_VERSION);
        return -1;
    }
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
        if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, needed[i].cap) <= 0) {
            vmm_error("%s: KVM lacks %s support", KVM_DEVICE, needed[i].name);
            return -1;
        }
    int max = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    if (max <= 0)
        max = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
    if (max > 0 && cpus > max) {
        vmm_error("--cpus %d: this host's KVM allows at most %d vCPUs", cpus, max);
        return -1;
    }
    return 0;
}

static int set_up_chipset(int vm_fd)
{
    uint64_t identity_map = KVM_IDENTITY_MAP_ADDR;
    struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
    if (ioctl(vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0 ||
        ioctl(vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity_map) < 0) {
        vmm_error("KVM: cannot reserve the TSS pages: %s", strerror(errno));
        return -1;
    }
    if (ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
        vmm_error("KVM: cannot create the in-kernel irqchip: %s", strerror(errno));
        return -1;
    }
    if (ioctl(vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
        vmm_error("KVM: cannot create the in-kernel PIT: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int register_memory(struct vm *vm)
{
    for (int i = 0; i < vm->mem.count; i++) {
        struct guest_mem_region *r = &vm->mem.regions[i];
        struct kvm_userspace_memory_region region = {
            .slot = (uint32_t)i,
            .guest_phys_addr = r->gpa,
            .memory_size = r->size,
            .userspace_addr = (uint64_t)(uintptr_t)r->host,
        };
        if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
            vmm_error("KVM: cannot register %llu MiB of guest memory: %s",
                      (unsigned long long)(r->size >> 20), strerror(errno));
            return -1;
        }
    }
    return 0;
}

int vm_create(struct vm *vm, uint64_t memory, int cpus)
{
    memset(vm, 0, sizeof *vm);
    vm->kvm_fd = vm->vm_fd = vm->wake_fd = -1;
    pthread_mutex_init(&vm->lock, NULL);
    pthread_cond_init(&vm->guest_released, NULL);
    vm->pio.name = "port I/O";
    vm->mmio.name = "MMIO";
    atomic_init(&vm->stop_reason, STOP_NONE);
    vm->kvm_fd = open_kvm();
    if (vm->kvm_fd < 0 || check_capabilities(vm->kvm_fd, cpus) < 0)
        return -1;
    vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0 || vm->run_size <= 0) {
        vmm_error("KVM: cannot create a VM: %s", strerror(errno));
        return -1;
    }
    if (set_up_chipset(vm->vm_fd) < 0)
        return -1;
    if (guest_mem_map(&vm->mem, memory) < 0) {
        vmm_error("cannot map %llu MiB of guest memory: %s", (unsigned long long)(memory >> 20),
                  strerror(errno));
        return -1;
    }
    if (register_memory(vm) < 0)
        return -1;
    vm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (vm->wake_fd < 0) {
        vmm_error("eventfd: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void vm_destroy(struct vm *vm)
{
    guest_mem_unmap(&vm->mem);
    if (vm->wake_fd >= 0)
        close(vm->wake_fd);
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
}

void vm_set_irq(void *ctx, uint32_t irq, int level)
{
    struct vm *vm = ctx;
    struct kvm_irq_level line = {.irq = irq, .level = (uint32_t)level};
    if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &line) < 0)
        vmm_warn("KVM: cannot drive interrupt line %u: %s", irq, strerror(errno));
}

void vm_wake(struct vm *vm)
{
    uint64_t one = 1;
    ssize_t rc = write(vm->wake_fd, &one, sizeof one);
    (void)rc; /* a full counter already means "wake up" */
}

void vm_wait_for_release(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    while (!vm->guest_may_run)
        pthread_cond_wait(&vm->guest_released, &vm->lock);
    pthread_mutex_unlock(&vm->lock);
}

void vm_release_guest(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    vm->guest_may_run = true;
    pthread_cond_broadcast(&vm->guest_released);
    pthread_mutex_unlock(&vm->lock);
}

void vm_request_stop(struct vm *vm, enum stop_reason reason)
{
    int expected = STOP_NONE;
    atomic_compare_exchange_strong(&vm->stop_reason, &expected, (int)reason);
    vm_wake(vm);
}

enum stop_reason vm_stop_reason(struct vm *vm)
{
    return (enum stop_reason)atomic_load(&vm->stop_reason);
}

const char *stop_reason_name(enum stop_reason reason)
{
    switch (reason) {
    case STOP_NONE:
        return "running";
    case STOP_GUEST_RESET:
        return "guest reset";
    case STOP_GUEST_HALT:
        return "guest halted";
    case STOP_FAILURE:
        return "failure";
    case STOP_KILLED:
        return "killed";
    case STOP_SHUTDOWN_TIMEOUT:
        return "shutdown timed out";
    case STOP_INTERRUPTED:
        return "interrupted";
    }
    return "unknown";
}

int stop_reason_exit_code(enum stop_reason reason)
{
    switch (reason) {
    case STOP_GUEST_RESET:
    case STOP_GUEST_HALT:
        return VMM_EXIT_GUEST_STOPPED;
    case STOP_KILLED:
    case STOP_SHUTDOWN_TIMEOUT:
    case STOP_INTERRUPTED:
        return VMM_EXIT_STOPPED;
    default:
        return VMM_EXIT_FAILURE;
    }
}
