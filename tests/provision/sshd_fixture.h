/* SPDX-License-Identifier: MIT */
/* A real OpenSSH server on 127.0.0.1 for the integration tests: its own sshd_config, a free high
 * port, rove's generated host key as the server's host key (what cloud-init would install), and a
 * test user "rovetest" (created when missing) whose authorized_keys holds the machine's key. */
#ifndef ROVE_TESTS_SSHD_FIXTURE_H
#define ROVE_TESTS_SSHD_FIXTURE_H

#include "provision/guest_conn.h"

#include <sys/types.h>

#define FIXTURE_USER    "rovetest"
#define FIXTURE_MACHINE "testvm"
/* The folder in the test user's home that tests write into; emptied at every start. */
#define FIXTURE_WORK "rove-test"

struct sshd_fixture {
    char *dir;       /* private temporary folder */
    char *state_dir; /* the machine's state folder (keys, known_hosts, records) */
    char *home;      /* the test user's home in the "guest" */
    char *key_path;  /* the machine's private key */
    char *known_hosts;
    int port;
    pid_t pid;
    struct guest_target target;
};

/* Starts the server. Returns 0, or 77 after printing why the tests cannot run here (not root, no
 * sshd or sudo), or 1 on a real failure. */
int sshd_fixture_start(struct sshd_fixture *f);
void sshd_fixture_stop(struct sshd_fixture *f);
/* Writes path as a known_hosts file holding the host key of a freshly generated other machine. */
void write_foreign_known_hosts(struct sshd_fixture *f, const char *path);
/* Replaces the test user's ~/.ssh/authorized_keys with data (owned by the user, mode 0600). */
void sshd_fixture_set_authorized_keys(struct sshd_fixture *f, const char *data);
/* Runs a shell command on the host and returns its exit status. */
int sh_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reads a whole file (NUL-terminated); aborts the test program when it cannot. */
char *slurp(const char *path);

#endif
