/* SPDX-License-Identifier: MIT */
#include "seccomp_filter.h"
#include "vmm_exit.h"
#include "vmm_log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/sockios.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

/* What the running monitor does: vCPU ioctls, device I/O on the disk images, the event loop,
 * slirp's sockets, memory allocation, threads' futexes, and its own exit and clean-up. Calls
 * that could reach beyond the monitor are allowed further down, only with the arguments the
 * monitor uses. */
static const int allowed[] = {
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(readv),
    SCMP_SYS(writev),
    SCMP_SYS(pread64),
    SCMP_SYS(pwrite64),
    SCMP_SYS(preadv),
    SCMP_SYS(pwritev),
    SCMP_SYS(preadv2),
    SCMP_SYS(pwritev2),
    SCMP_SYS(fdatasync),
    SCMP_SYS(fsync),
    SCMP_SYS(lseek),
    SCMP_SYS(close),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(futex),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(nanosleep),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(mmap),
    SCMP_SYS(munmap),
    SCMP_SYS(mprotect),
    SCMP_SYS(madvise),
    SCMP_SYS(brk),
    SCMP_SYS(mremap),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
    SCMP_SYS(restart_syscall),
    SCMP_SYS(getrandom),
    SCMP_SYS(fcntl),
    SCMP_SYS(connect),
    SCMP_SYS(accept),
    SCMP_SYS(accept4),
    SCMP_SYS(bind),
    SCMP_SYS(listen),
    SCMP_SYS(sendto),
    SCMP_SYS(recvfrom),
    SCMP_SYS(sendmsg),
    SCMP_SYS(recvmsg),
    SCMP_SYS(shutdown),
    SCMP_SYS(setsockopt),
    SCMP_SYS(getsockopt),
    SCMP_SYS(getsockname),
    SCMP_SYS(getpeername),
    SCMP_SYS(newfstatat),
    SCMP_SYS(fstat),
    SCMP_SYS(sched_yield),
    SCMP_SYS(rseq),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(munlock),
    SCMP_SYS(sigaltstack),
};

/* ioctl only with the requests the running VM uses. slirp asks how large a waiting UDP datagram
 * is (FIONREAD) before it receives a reply for the guest, and looks up the interface of a
 * nameserver with a scope, such as fe80::1%eth0 (SIOCGIFINDEX). */
static const unsigned long allowed_ioctls[] = {
    KVM_RUN, KVM_IRQ_LINE, KVM_GET_MP_STATE, KVM_GET_REGS, TCGETS,
    TCSETS,  FIONBIO,      FIONREAD,         SIOCGIFINDEX,
};

static void blocked_call(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    (void)context;
    char msg[96];
    int n = 0;
    const char *prefix = "rove-vmm: error: seccomp blocked system call ";
    while (prefix[n] && n < 60)
        msg[n] = prefix[n], n++;
    /* Async-signal-safe formatting of the call number. */
    char digits[12];
    int d = 0;
    unsigned number = (unsigned)info->si_syscall;
    do
        digits[d++] = (char)('0' + number % 10);
    while ((number /= 10) && d < 11);
    while (d > 0)
        msg[n++] = digits[--d];
    msg[n++] = '\n';
    ssize_t rc = write(STDERR_FILENO, msg, (size_t)n);
    (void)rc;
    _exit(VMM_EXIT_FAILURE);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ROVE_VMM_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ROVE_VMM_SANITIZED 1
#endif

/* Sanitizer runtimes make system calls of their own at unpredictable moments (thread stacks,
 * reports): in such builds the filter only logs what it would block, so that tests still run the
 * whole set-up and the list stays exercised. */
bool seccomp_filter_enforced(void)
{
#ifdef ROVE_VMM_SANITIZED
    return false;
#else
    return true;
#endif
}

static uint32_t blocked_action(void)
{
    return seccomp_filter_enforced() ? SCMP_ACT_TRAP : SCMP_ACT_LOG;
}

/* Allows syscall only when its argument number arg equals value. */
static int allow_with_argument(scmp_filter_ctx ctx, int syscall, unsigned arg, uint64_t value)
{
    struct scmp_arg_cmp cmp = {.arg = arg, .op = SCMP_CMP_EQ, .datum_a = value, .datum_b = 0};
    return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, syscall, 1, &cmp);
}

/* The same for an int argument: its 32 bits are compared, whichever way the caller extended it
 * into the 64-bit register. */
static struct scmp_arg_cmp int_equals(unsigned arg, int value)
{
    return (struct scmp_arg_cmp){
        .arg = arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu, .datum_b = (uint32_t)value};
}

static int allow_with_int_argument(scmp_filter_ctx ctx, int syscall, unsigned arg, int value)
{
    struct scmp_arg_cmp cmp = int_equals(arg, value);
    return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, syscall, 1, &cmp);
}

/* slirp reads the host's nameserver from /etc/resolv.conf when the guest first asks 10.0.2.3,
 * and again whenever the file changes (fopen "r": openat(AT_FDCWD, path, O_RDONLY)). A filter
 * cannot see the path, so this is the narrowest rule: relative to the working folder, read-only,
 * no other flag. Every open of the monitor's own happens before the filter, with O_CLOEXEC. */
static int allow_resolver_config_read(scmp_filter_ctx ctx)
{
    struct scmp_arg_cmp cmp[] = {int_equals(0, AT_FDCWD), int_equals(2, O_RDONLY)};
    return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 2, cmp);
}

/* slirp's sockets are IPv4 (the guest has no IPv6). Any other family, above all AF_UNIX, which
 * could reach the host's daemons, is refused with an error rather than ending the monitor: glibc's
 * if_nametoindex (slirp's, for a scoped nameserver) tries netlink and Unix sockets before falling
 * back to IPv4. */
static int allow_ipv4_sockets(scmp_filter_ctx ctx)
{
    struct scmp_arg_cmp other = {.arg = 0, .op = SCMP_CMP_NE, .datum_a = AF_INET, .datum_b = 0};
    int rc = allow_with_int_argument(ctx, SCMP_SYS(socket), 0, AF_INET);
    if (rc == 0)
        rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1, &other);
    return rc;
}

/* The calls allowed only on the monitor's own process and descriptors. */
static int allow_own_objects(scmp_filter_ctx ctx, const struct seccomp_scope *scope)
{
    /* vCPU threads name themselves (prctl PR_SET_NAME) as they start. */
    int rc = allow_with_int_argument(ctx, SCMP_SYS(prctl), 0, PR_SET_NAME);
    /* Kicks of the vCPU threads (pthread_kill), and abort(): signals inside this process. */
    if (rc == 0)
        rc = allow_with_int_argument(ctx, SCMP_SYS(tgkill), 0, (int)getpid());
    /* The console log cuts its own file, and nothing else may be truncated. */
    if (rc == 0 && scope->console_log_fd >= 0)
        rc = allow_with_int_argument(ctx, SCMP_SYS(ftruncate), 0, scope->console_log_fd);
    /* The monitor reaps its clean-up helper, and no other process. */
    if (rc == 0 && scope->cleanup_helper_pid > 0)
        rc = allow_with_int_argument(ctx, SCMP_SYS(wait4), 0, (int)scope->cleanup_helper_pid);
    return rc;
}

int seccomp_filter_install(const struct seccomp_scope *scope)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = blocked_call;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSYS, &sa, NULL);

    scmp_filter_ctx ctx = seccomp_init(blocked_action());
    if (!ctx) {
        vmm_error("seccomp: cannot create a filter");
        return -1;
    }
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    for (size_t i = 0; rc == 0 && i < sizeof allowed / sizeof allowed[0]; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
    for (size_t i = 0; rc == 0 && i < sizeof allowed_ioctls / sizeof allowed_ioctls[0]; i++)
        rc = allow_with_argument(ctx, SCMP_SYS(ioctl), 1, allowed_ioctls[i]);
    if (rc == 0)
        rc = allow_own_objects(ctx, scope);
    if (rc == 0)
        rc = allow_ipv4_sockets(ctx);
    if (rc == 0)
        rc = allow_resolver_config_read(ctx);
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc != 0) {
        vmm_error("seccomp: cannot install the system-call filter: %s", strerror(-rc));
        return -1;
    }
    return 0;
}
