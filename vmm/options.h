/* SPDX-License-Identifier: MIT */
/* rove-vmm's command line: parsing and validation into a plain description of the machine. */
#ifndef ROVE_VMM_OPTIONS_H
#define ROVE_VMM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#define VMM_MAX_DISKS      8
#define VMM_MAX_FORWARDS   32
#define VMM_MAX_CPUS       64
#define VMM_MIN_MEMORY     (16ULL << 20)
#define VMM_DEFAULT_MEMORY (512ULL << 20)

struct disk_option {
    const char *path;
    bool read_only;
};

struct forward_option {
    bool udp;
    char host_addr[16]; /* dotted quad, always a loopback address */
    uint16_t host_port;
    uint16_t guest_port;
};

struct vmm_options {
    const char *kernel;
    const char *initrd;
    const char *cmdline;
    uint64_t memory;
    int cpus;
    struct disk_option disks[VMM_MAX_DISKS];
    int disk_count;
    struct forward_option forwards[VMM_MAX_FORWARDS];
    int forward_count;
    const char *serial;
    uint64_t serial_limit; /* bytes the serial log keeps at most */
    const char *control;
    const char *pidfile;
    bool daemon;
    bool verbose;
};

enum options_result { OPTIONS_OK, OPTIONS_EXIT_OK, OPTIONS_ERROR };

/* Parses argv; on OPTIONS_ERROR a message has been printed. OPTIONS_EXIT_OK follows --help and
 * --version. */
enum options_result options_parse(struct vmm_options *opts, int argc, char **argv);
/* "512M", "2G", "1048576K"; a bare number means MiB. Returns 0 or -1. */
int options_parse_size(const char *text, uint64_t *bytes);
/* "tcp:127.0.0.1:2222-:22"; the host address may be empty (127.0.0.1). Returns 0 or -1. */
int options_parse_forward(const char *text, struct forward_option *fwd);
/* "disk.img" or "disk.img,ro". Returns 0 or -1. */
int options_parse_disk(const char *text, struct disk_option *disk);
void options_print_usage(void);

#endif
