/* SPDX-License-Identifier: MIT */
#include "options.h"
#include "console_log.h"
#include "vmm_exit.h"
#include "vmm_log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROVE_VMM_VERSION "0.1.0"

void options_print_usage(void)
{
    printf("usage: rove-vmm --kernel PATH [--initrd PATH] [--cmdline STR] [--memory SIZE]\n"
           "                [--cpus N] [--disk PATH[,ro]]... [--forward "
           "tcp:127.0.0.1:HOST-:GUEST]...\n"
           "                [--serial FILE [--serial-limit SIZE]] [--control SOCKET]\n"
           "                [--pidfile FILE] [--daemon]\n"
           "\n"
           "Boots an x86-64 Linux kernel (bzImage or ELF vmlinux) on KVM.\n"
           "\n"
           "  --kernel PATH      bzImage or ELF vmlinux with a 64-bit entry point\n"
           "  --initrd PATH      initial ramdisk\n"
           "  --cmdline STR      kernel command line (console and virtio-mmio devices are added)\n"
           "  --memory SIZE      guest RAM: 512M, 2G; a bare number is MiB (default 512M)\n"
           "  --cpus N           virtual CPUs, 1-%d (default 1)\n"
           "  --disk PATH[,ro]   raw disk image as virtio-blk, in order /dev/vda, /dev/vdb, ...\n"
           "  --forward SPEC     host port forward to the guest (10.0.2.15) through user-mode\n"
           "                     networking: tcp:127.0.0.1:HOSTPORT-:GUESTPORT (udp: also works)\n"
           "  --serial FILE      append the serial console to FILE\n"
           "  --serial-limit SIZE  keep at most SIZE in FILE: past it the older half goes\n"
           "                     (default 8M, at least 4K)\n"
           "  --control SOCKET   Unix control socket (newline-delimited JSON: status,\n"
           "                     shutdown, kill, forwards)\n"
           "  --pidfile FILE     write the monitor's process id to FILE\n"
           "  --daemon           detach once the machine is set up\n"
           "  --verbose          log device and exit details to stderr\n"
           "\n"
           "In the foreground the serial console is also this terminal (Ctrl-C stops the VM).\n"
           "SIGTERM asks the guest to shut down (Ctrl-Alt-Del), then stops it after 10 s.\n"
           "\n"
           "exit codes:\n"
           "  0  the guest rebooted, halted or powered off (also after a graceful shutdown)\n"
           "  1  the VM failed: unexpected VM exit, emulation error, I/O error\n"
           "  2  bad command line or configuration, nothing was started\n"
           "  3  stopped from outside: kill request, SIGINT, or a shutdown that timed out\n",
           VMM_MAX_CPUS);
}

int options_parse_size(const char *text, uint64_t *bytes)
{
    errno = 0;
    char *end;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno || end == text || text[0] == '-')
        return -1;
    unsigned shift;
    switch (*end) {
    case 'k':
    case 'K':
        shift = 10;
        break;
    case '\0':
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    case 't':
    case 'T':
        shift = 40;
        break;
    default:
        return -1;
    }
    if (*end && end[1] && strcmp(end + 1, "iB") != 0 && strcmp(end + 1, "B") != 0)
        return -1;
    if (value > (UINT64_MAX >> shift))
        return -1;
    *bytes = (uint64_t)value << shift;
    return 0;
}

static int parse_port(const char *text, size_t len, uint16_t *port)
{
    char buf[8];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *end;
    long value = strtol(buf, &end, 10);
    if (*end || value < 1 || value > 65535)
        return -1;
    *port = (uint16_t)value;
    return 0;
}

int options_parse_forward(const char *text, struct forward_option *fwd)
{
    memset(fwd, 0, sizeof *fwd);
    if (strncmp(text, "tcp:", 4) == 0) {
        fwd->udp = false;
    } else if (strncmp(text, "udp:", 4) == 0) {
        fwd->udp = true;
    } else {
        return -1;
    }
    const char *host = text + 4;
    const char *dash = strchr(host, '-');
    if (!dash)
        return -1;
    const char *colon = memrchr(host, ':', (size_t)(dash - host));
    const char *port_start = colon ? colon + 1 : host;
    size_t addr_len = colon ? (size_t)(colon - host) : 0;
    if (addr_len >= sizeof fwd->host_addr)
        return -1;
    if (addr_len == 0)
        strcpy(fwd->host_addr, "127.0.0.1");
    else
        memcpy(fwd->host_addr, host, addr_len);
    struct in_addr addr;
    /* Forwards listen on loopback only: a VM's ports are never exposed to the network. */
    if (inet_pton(AF_INET, fwd->host_addr, &addr) != 1 || (ntohl(addr.s_addr) >> 24) != 127)
        return -1;
    if (parse_port(port_start, (size_t)(dash - port_start), &fwd->host_port) < 0)
        return -1;
    const char *guest = dash + 1;
    const char *guest_colon = strrchr(guest, ':');
    if (!guest_colon)
        return -1;
    if (guest_colon != guest && strncmp(guest, "10.0.2.15:", 10) != 0)
        return -1;
    return parse_port(guest_colon + 1, strlen(guest_colon + 1), &fwd->guest_port);
}

int options_parse_disk(const char *text, struct disk_option *disk)
{
    const char *comma = strrchr(text, ',');
    disk->read_only = false;
    disk->path = text;
    if (comma) {
        if (strcmp(comma + 1, "ro") != 0)
            return -1;
        disk->read_only = true;
        /* The path is kept in argv; cut the option off in place. */
        *(char *)comma = '\0';
    }
    return text[0] ? 0 : -1;
}

static int check_memory(uint64_t memory)
{
    if (memory < VMM_MIN_MEMORY) {
        vmm_error("--memory %llu MiB is too small (at least %llu MiB)",
                  (unsigned long long)(memory >> 20), VMM_MIN_MEMORY >> 20);
        return -1;
    }
    uint64_t host = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
    if (memory > host) {
        vmm_error("--memory %llu MiB is more than this host's %llu MiB of RAM",
                  (unsigned long long)(memory >> 20), (unsigned long long)(host >> 20));
        return -1;
    }
    if (memory & 0xfff) {
        vmm_error("--memory must be a whole number of 4 KiB pages");
        return -1;
    }
    return 0;
}

static int check_forwards(const struct vmm_options *opts)
{
    for (int i = 0; i < opts->forward_count; i++)
        for (int j = 0; j < i; j++)
            if (opts->forwards[i].host_port == opts->forwards[j].host_port &&
                opts->forwards[i].udp == opts->forwards[j].udp) {
                vmm_error("--forward: host port %u is given twice", opts->forwards[i].host_port);
                return -1;
            }
    return 0;
}

enum options_result options_parse(struct vmm_options *opts, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"kernel", required_argument, NULL, 'k'},
        {"initrd", required_argument, NULL, 'i'},
        {"cmdline", required_argument, NULL, 'c'},
        {"memory", required_argument, NULL, 'm'},
        {"cpus", required_argument, NULL, 'p'},
        {"disk", required_argument, NULL, 'd'},
        {"forward", required_argument, NULL, 'f'},
        {"serial", required_argument, NULL, 's'},
        {"serial-limit", required_argument, NULL, 'S'},
        {"control", required_argument, NULL, 'C'},
        {"pidfile", required_argument, NULL, 'P'},
        {"daemon", no_argument, NULL, 'D'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    memset(opts, 0, sizeof *opts);
    opts->memory = VMM_DEFAULT_MEMORY;
    opts->cpus = 1;
    opts->serial_limit = CONSOLE_LOG_DEFAULT_CAP;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'k':
            opts->kernel = optarg;
            break;
        case 'i':
            opts->initrd = optarg;
            break;
        case 'c':
            opts->cmdline = optarg;
            break;
        case 's':
            opts->serial = optarg;
            break;
        case 'S':
            if (options_parse_size(optarg, &opts->serial_limit) < 0 ||
                opts->serial_limit < CONSOLE_LOG_MIN_CAP) {
                vmm_error("--serial-limit '%s': expected a size of at least 4K, such as 8M",
                          optarg);
                return OPTIONS_ERROR;
            }
            break;
        case 'C':
            opts->control = optarg;
            break;
        case 'P':
            opts->pidfile = optarg;
            break;
        case 'D':
            opts->daemon = true;
            break;
        case 'v':
            opts->verbose = true;
            break;
        case 'h':
            options_print_usage();
            return OPTIONS_EXIT_OK;
        case 'V':
            printf("rove-vmm %s\n", ROVE_VMM_VERSION);
            return OPTIONS_EXIT_OK;
        case 'm':
            if (options_parse_size(optarg, &opts->memory) < 0) {
                vmm_error("--memory '%s': expected a size such as 512M or 2G", optarg);
                return OPTIONS_ERROR;
            }
            break;
        case 'p':
            opts->cpus = (int)strtol(optarg, &end, 10);
            if (*end || end == optarg || opts->cpus < 1 || opts->cpus > VMM_MAX_CPUS) {
                vmm_error("--cpus '%s': expected a number from 1 to %d", optarg, VMM_MAX_CPUS);
                return OPTIONS_ERROR;
            }
            break;
        case 'd':
            if (opts->disk_count == VMM_MAX_DISKS) {
                vmm_error("--disk: at most %d disks", VMM_MAX_DISKS);
                return OPTIONS_ERROR;
            }
            if (options_parse_disk(optarg, &opts->disks[opts->disk_count++]) < 0) {
                vmm_error("--disk '%s': expected PATH or PATH,ro", optarg);
                return OPTIONS_ERROR;
            }
            break;
        case 'f':
            if (opts->forward_count == VMM_MAX_FORWARDS) {
                vmm_error("--forward: at most %d forwards", VMM_MAX_FORWARDS);
                return OPTIONS_ERROR;
            }
            if (options_parse_forward(optarg, &opts->forwards[opts->forward_count++]) < 0) {
                vmm_error("--forward '%s': expected tcp:127.0.0.1:HOSTPORT-:GUESTPORT", optarg);
                return OPTIONS_ERROR;
            }
            break;
        default:
            if (optopt)
                vmm_error("option '%s' needs a value (see rove-vmm --help)", argv[optind - 1]);
            else
                vmm_error("unknown option '%s' (see rove-vmm --help)", argv[optind - 1]);
            return OPTIONS_ERROR;
        }
    }
    if (optind < argc) {
        vmm_error("unexpected argument '%s' (see rove-vmm --help)", argv[optind]);
        return OPTIONS_ERROR;
    }
    if (!opts->kernel) {
        vmm_error("--kernel is required (see rove-vmm --help)");
        return OPTIONS_ERROR;
    }
    if (check_memory(opts->memory) < 0 || check_forwards(opts) < 0)
        return OPTIONS_ERROR;
    return OPTIONS_OK;
}
