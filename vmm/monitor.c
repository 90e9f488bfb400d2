/* SPDX-License-Identifier: MIT */
#include "monitor.h"
#include "boot.h"
#include "boot_layout.h"
#include "read_sandbox.h"
#include "seccomp_filter.h"
#include "terminal.h"
#include "vmm_log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define DEFAULT_CMDLINE                                                                            \
    "console=ttyS0 reboot=k panic=1 pci=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd"
#define HALT_CHECK_INTERVAL_MS 500
#define MAX_POLLFDS            512

/* ISA interrupt lines free for virtio devices (8 is the RTC's, 12 the PS/2 mouse's). */
static const uint32_t virtio_irqs[MONITOR_MAX_VIRTIO] = {5, 6, 7, 9, 10, 11, 13, 14, 15, 3};
static const uint8_t guest_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void guest_reset(void *ctx)
{
    vm_request_stop(ctx, STOP_GUEST_RESET);
}

static void net_transmit(void *ctx, const uint8_t *frame, size_t len)
{
    struct monitor *m = ctx;
    net_slirp_input(&m->slirp, frame, len);
}

static void net_deliver(void *ctx, const uint8_t *frame, size_t len)
{
    struct monitor *m = ctx;
    virtio_net_receive(&m->net, frame, len);
}

static void wake_main_loop(void *ctx)
{
    vm_wake(ctx);
}

static int add_device(struct bus *bus, const char *name, uint64_t base, uint64_t size,
                      const struct device_ops *ops, void *dev)
{
    struct device d = {.name = name, .base = base, .size = size, .ops = ops, .dev = dev};
    if (bus_add(bus, &d) < 0) {
        vmm_error("cannot place device %s at 0x%llx", name, (unsigned long long)base);
        return -1;
    }
    return 0;
}

static int add_virtio(struct monitor *m, struct virtio_device *dev)
{
    int i = m->transport_count++;
    uint64_t base = VIRTIO_MMIO_BASE + (uint64_t)i * VIRTIO_MMIO_SIZE;
    struct irq_line irq = {.set = vm_set_irq, .ctx = &m->vm, .irq = virtio_irqs[i]};
    virtio_mmio_init(&m->transports[i], dev, &m->vm.mem, irq);
    virtio_mmio_cmdline(m->cmdline, sizeof m->cmdline, base, irq.irq);
    return add_device(&m->vm.mmio, dev->name, base, VIRTIO_MMIO_SIZE, &virtio_mmio_ops,
                      &m->transports[i]);
}

static int set_up_legacy_devices(struct monitor *m)
{
    struct irq_line serial_irq = {.set = vm_set_irq, .ctx = &m->vm, .irq = IRQ_SERIAL};
    struct irq_line kbd_irq = {.set = vm_set_irq, .ctx = &m->vm, .irq = IRQ_KEYBOARD};
    serial_init(&m->serial, serial_irq);
    i8042_init(&m->i8042, kbd_irq, guest_reset, &m->vm);
    if (add_device(&m->vm.pio, "serial", SERIAL_PORT_BASE, SERIAL_PORT_COUNT, &serial_ops,
                   &m->serial) < 0 ||
        add_device(&m->vm.pio, "i8042 data", I8042_DATA_PORT, 1, &i8042_data_ops, &m->i8042) < 0 ||
        add_device(&m->vm.pio, "i8042 command", I8042_COMMAND_PORT, 1, &i8042_command_ops,
                   &m->i8042) < 0)
        return -1;
    return 0;
}

static int set_up_virtio_devices(struct monitor *m)
{
    const struct vmm_options *o = m->opts;
    for (int i = 0; i < o->disk_count; i++)
        if (virtio_blk_open(&m->disks[i], o->disks[i].path, o->disks[i].read_only) < 0 ||
            add_virtio(m, &m->disks[i].virtio) < 0)
            return -1;
    virtio_net_init(&m->net, guest_mac, net_transmit, m);
    if (net_slirp_create(&m->slirp, o->forwards, o->forward_count, net_deliver, m, wake_main_loop,
                         &m->vm) < 0 ||
        add_virtio(m, &m->net.virtio) < 0)
        return -1;
    virtio_rng_init(&m->rng);
    return add_virtio(m, &m->rng.virtio);
}

static int open_serial_log(struct monitor *m)
{
    m->serial_log.fd = -1;
    if (!m->opts->serial)
        return 0;
    if (console_log_open(&m->serial_log, m->opts->serial, m->opts->serial_limit) < 0) {
        vmm_error("--serial %s: %s", m->opts->serial, strerror(errno));
        return -1;
    }
    return 0;
}

/* SIGINT, SIGTERM and SIGHUP arrive through a signalfd in the event loop; the vCPU threads
 * inherit the blocked mask and never see them. */
static int set_up_signals(struct monitor *m)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1); /* only vCPU threads take their kick signal */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    sigdelset(&set, SIGUSR1);
    signal(SIGPIPE, SIG_IGN);
    m->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (m->signal_fd < 0 || vcpu_install_kick_signal() < 0) {
        vmm_error("signals: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int create_vcpus(struct monitor *m, const struct boot_result *boot)
{
    struct cpuid_table cpuid;
    if (vcpu_supported_cpuid(m->vm.kvm_fd, &cpuid) < 0)
        return -1;
    m->vm.vcpus = m->vcpus;
    m->vm.vcpu_count = m->opts->cpus;
    for (int i = 0; i < m->opts->cpus; i++)
        if (vcpu_create(&m->vcpus[i], &m->vm, i, &cpuid, boot->entry, boot->boot_params) < 0)
            return -1;
    return 0;
}

/* The box's and the machine's parameters come after the monitor's own (console, devices): a
 * "--" among them ends what the kernel reads, and the rest goes to init. */
static void append_given_cmdline(struct monitor *m)
{
    size_t used = strlen(m->cmdline);
    if (m->opts->cmdline && used < sizeof m->cmdline)
        snprintf(m->cmdline + used, sizeof m->cmdline - used, " %s", m->opts->cmdline);
}

int monitor_setup(struct monitor *m, const struct vmm_options *opts)
{
    memset(m, 0, sizeof *m);
    m->opts = opts;
    m->signal_fd = -1;
    m->control.listen_fd = -1;
    m->vm.kvm_fd = m->vm.vm_fd = m->vm.wake_fd = -1;
    for (int i = 0; i < VMM_MAX_CPUS; i++)
        m->vcpus[i].fd = -1;
    for (int i = 0; i < VMM_MAX_DISKS; i++)
        m->disks[i].fd = -1;
    snprintf(m->cmdline, sizeof m->cmdline, "%s", DEFAULT_CMDLINE);
    const char *leftovers[CLEANUP_ITEMS] = {
        [CLEANUP_CONTROL_SOCKET] = opts->control, [CLEANUP_PID_FILE] = opts->pidfile};
    if (cleanup_helper_start(&m->cleanup, leftovers) < 0 || open_serial_log(m) < 0 ||
        vm_create(&m->vm, opts->memory, opts->cpus) < 0 || set_up_legacy_devices(m) < 0 ||
        set_up_virtio_devices(m) < 0)
        return -1;
    append_given_cmdline(m);
    struct boot_config boot_cfg = {.kernel = opts->kernel,
                                   .initrd = opts->initrd,
                                   .cmdline = m->cmdline,
                                   .cpus = (unsigned)opts->cpus};
    struct boot_result boot;
    if (boot_prepare(&m->vm.mem, &boot_cfg, &boot) < 0)
        return -1;
    if (opts->control) {
        if (control_open(&m->control, opts->control, monitor_handle_request, m) < 0)
            return -1;
        cleanup_helper_claim(&m->cleanup, CLEANUP_CONTROL_SOCKET);
    }
    if (set_up_signals(m) < 0 || create_vcpus(m, &boot) < 0)
        return -1;
    vmm_debug("kernel command line: %s", m->cmdline);
    return 0;
}

static void begin_shutdown(struct monitor *m, int64_t timeout_ms)
{
    pthread_mutex_lock(&m->vm.lock);
    i8042_press_ctrl_alt_del(&m->i8042);
    pthread_mutex_unlock(&m->vm.lock);
    int64_t deadline = now_ms() + timeout_ms;
    if (!m->shutdown_deadline_ms || deadline < m->shutdown_deadline_ms)
        m->shutdown_deadline_ms = deadline;
}

static struct json_object *forwards_json(const struct vmm_options *o)
{
    struct json_object *list = json_object_new_array();
    for (int i = 0; i < o->forward_count; i++) {
        const struct forward_option *f = &o->forwards[i];
        struct json_object *entry = json_object_new_object();
        json_object_object_add(entry, "proto", json_object_new_string(f->udp ? "udp" : "tcp"));
        json_object_object_add(entry, "host", json_object_new_string(f->host_addr));
        json_object_object_add(entry, "host_port", json_object_new_int(f->host_port));
        json_object_object_add(entry, "guest", json_object_new_string("10.0.2.15"));
        json_object_object_add(entry, "guest_port", json_object_new_int(f->guest_port));
        json_object_array_add(list, entry);
    }
    return list;
}

static struct json_object *status_json(struct monitor *m, struct json_object *reply)
{
    const struct vmm_options *o = m->opts;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t uptime =
        (ts.tv_sec - m->vm.started.tv_sec) * 1000 + (ts.tv_nsec - m->vm.started.tv_nsec) / 1000000;
    json_object_object_add(
        reply, "state",
        json_object_new_string(m->shutdown_deadline_ms ? "shutting-down" : "running"));
    json_object_object_add(reply, "pid", json_object_new_int(getpid()));
    json_object_object_add(reply, "uptime_ms", json_object_new_int64(uptime));
    json_object_object_add(reply, "cpus", json_object_new_int(o->cpus));
    json_object_object_add(reply, "memory_mib", json_object_new_int64((int64_t)(o->memory >> 20)));
    json_object_object_add(reply, "kernel", json_object_new_string(o->kernel));
    json_object_object_add(reply, "serial", o->serial ? json_object_new_string(o->serial) : NULL);
    struct json_object *disks = json_object_new_array();
    for (int i = 0; i < o->disk_count; i++) {
        struct json_object *d = json_object_new_object();
        json_object_object_add(d, "path", json_object_new_string(o->disks[i].path));
        json_object_object_add(d, "read_only", json_object_new_boolean(o->disks[i].read_only));
        json_object_array_add(disks, d);
    }
    json_object_object_add(reply, "disks", disks);
    json_object_object_add(reply, "forwards", forwards_json(o));
    return reply;
}

struct json_object *monitor_handle_request(void *monitor, const struct control_request *request)
{
    struct monitor *m = monitor;
    struct json_object *reply = json_object_new_object();
    json_object_object_add(reply, "ok", json_object_new_boolean(1));
    switch (request->command) {
    case CONTROL_STATUS:
        status_json(m, reply);
        break;
    case CONTROL_FORWARDS:
        json_object_object_add(reply, "forwards", forwards_json(m->opts));
        break;
    case CONTROL_SHUTDOWN:
        begin_shutdown(m, request->timeout_ms < 0 ? MONITOR_DEFAULT_SHUTDOWN_TIMEOUT_MS
                                                  : request->timeout_ms);
        json_object_object_add(reply, "state", json_object_new_string("shutting-down"));
        break;
    case CONTROL_KILL:
        vm_request_stop(&m->vm, STOP_KILLED);
        json_object_object_add(reply, "state", json_object_new_string("stopping"));
        break;
    }
    return reply;
}

static void handle_signals(struct monitor *m)
{
    struct signalfd_siginfo info;
    while (read(m->signal_fd, &info, sizeof info) == (ssize_t)sizeof info) {
        if (info.ssi_signo == SIGTERM)
            begin_shutdown(m, MONITOR_DEFAULT_SHUTDOWN_TIMEOUT_MS);
        else
            vm_request_stop(&m->vm, STOP_INTERRUPTED);
    }
}

static void handle_stdin(struct monitor *m)
{
    uint8_t buf[SERIAL_FIFO_SIZE];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) {
        m->interactive = false; /* end of input: the console stays output-only */
        return;
    }
    pthread_mutex_lock(&m->vm.lock);
    serial_receive(&m->serial, buf, (size_t)n);
    pthread_mutex_unlock(&m->vm.lock);
}

/* Every HALT_CHECK_INTERVAL_MS the vCPUs report whether they are halted with interrupts off;
 * when all are, the guest has halted for good (Linux's halt without ACPI ends that way). */
static void check_halted(struct monitor *m, int64_t now)
{
    if (now < m->next_halt_check_ms)
        return;
    m->next_halt_check_ms = now + HALT_CHECK_INTERVAL_MS;
    bool all_dead = true;
    for (int i = 0; i < m->vm.vcpu_count; i++)
        if (atomic_load(&m->vcpus[i].check_halt) || !atomic_load(&m->vcpus[i].halted_for_good))
            all_dead = false;
    if (all_dead) {
        vm_request_stop(&m->vm, STOP_GUEST_HALT);
        return;
    }
    for (int i = 0; i < m->vm.vcpu_count; i++)
        vcpu_kick(&m->vcpus[i], false);
}

static int poll_timeout(const struct monitor *m, int64_t now)
{
    int64_t until = m->next_halt_check_ms;
    if (m->shutdown_deadline_ms && m->shutdown_deadline_ms < until)
        until = m->shutdown_deadline_ms;
    return until > now ? (int)(until - now) : 0;
}

static void run_event_loop(struct monitor *m)
{
    static struct pollfd fds[MAX_POLLFDS];
    while (vm_stop_reason(&m->vm) == STOP_NONE) {
        int64_t now = now_ms();
        int count = 0;
        fds[count++] = (struct pollfd){.fd = m->vm.wake_fd, .events = POLLIN};
        fds[count++] = (struct pollfd){.fd = m->signal_fd, .events = POLLIN};
        fds[count++] = (struct pollfd){.fd = m->interactive ? STDIN_FILENO : -1, .events = POLLIN};
        control_fill(&m->control, fds, &count, MAX_POLLFDS);
        int timeout = poll_timeout(m, now);
        pthread_mutex_lock(&m->vm.lock);
        net_slirp_fill(&m->slirp, fds, &count, MAX_POLLFDS, &timeout);
        pthread_mutex_unlock(&m->vm.lock);

        int rc = poll(fds, (nfds_t)count, timeout);
        if (rc < 0 && errno != EINTR) {
            vmm_error("poll: %s", strerror(errno));
            vm_request_stop(&m->vm, STOP_FAILURE);
            break;
        }
        if (rc > 0 && (fds[0].revents & POLLIN)) {
            uint64_t drained;
            ssize_t n = read(m->vm.wake_fd, &drained, sizeof drained);
            (void)n;
        }
        if (rc > 0 && (fds[1].revents & POLLIN))
            handle_signals(m);
        if (rc > 0 && (fds[2].revents & (POLLIN | POLLHUP)))
            handle_stdin(m);
        if (rc > 0)
            control_handle(&m->control, fds);
        pthread_mutex_lock(&m->vm.lock);
        net_slirp_poll(&m->slirp, rc < 0);
        pthread_mutex_unlock(&m->vm.lock);

        now = now_ms();
        if (m->shutdown_deadline_ms && now >= m->shutdown_deadline_ms)
            vm_request_stop(&m->vm, STOP_SHUTDOWN_TIMEOUT);
        check_halted(m, now);
    }
}

int monitor_run(struct monitor *m)
{
    if (m->serial_log.fd >= 0)
        serial_set_log(&m->serial, &m->serial_log);
    if (!m->opts->daemon) {
        serial_add_output(&m->serial, STDOUT_FILENO);
        m->interactive = terminal_enter_raw() || !isatty(STDIN_FILENO);
    }
    clock_gettime(CLOCK_MONOTONIC, &m->vm.started);
    m->next_halt_check_ms = now_ms() + HALT_CHECK_INTERVAL_MS;
    /* Before the vCPU threads exist, so that they inherit it (slirp runs in them too). Sanitizer
     * runtimes read files of their own (maps, symbols), as with the filter. */
    if (seccomp_filter_enforced())
        read_sandbox_install(NET_SLIRP_RESOLV_CONF);
    for (int i = 0; i < m->vm.vcpu_count; i++)
        if (vcpu_start(&m->vcpus[i]) < 0) {
            vm_request_stop(&m->vm, STOP_FAILURE);
            break;
        }
    /* The threads exist (the filter covers them all) but wait: no guest code runs unfiltered. */
    struct seccomp_scope scope = {.console_log_fd = m->serial_log.fd,
                                  .cleanup_helper_pid = m->cleanup.pid};
    if (vm_stop_reason(&m->vm) == STOP_NONE && seccomp_filter_install(&scope) < 0)
        vm_request_stop(&m->vm, STOP_FAILURE);
    vm_release_guest(&m->vm);
    run_event_loop(m);
    for (int i = 0; i < m->vm.vcpu_count; i++)
        vcpu_kick(&m->vcpus[i], true);
    for (int i = 0; i < m->vm.vcpu_count; i++)
        vcpu_join(&m->vcpus[i]);
    terminal_restore();
    enum stop_reason reason = vm_stop_reason(&m->vm);
    if (reason == STOP_SHUTDOWN_TIMEOUT)
        vmm_error("the guest did not shut down in time; stopped it");
    vmm_debug("VM stopped: %s", stop_reason_name(reason));
    return stop_reason_exit_code(reason);
}

void monitor_teardown(struct monitor *m)
{
    control_close(&m->control);
    for (int i = 0; i < m->vm.vcpu_count; i++)
        vcpu_destroy(&m->vcpus[i]);
    net_slirp_destroy(&m->slirp);
    virtio_net_release(&m->net);
    for (int i = 0; i < m->opts->disk_count; i++)
        virtio_blk_close(&m->disks[i]);
    console_log_close(&m->serial_log);
    if (m->signal_fd >= 0)
        close(m->signal_fd);
    vm_destroy(&m->vm);
    cleanup_helper_finish(&m->cleanup);
}
