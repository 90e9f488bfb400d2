/* SPDX-License-Identifier: MIT */
/* Running a machine's provisioners (shell, script, file) over an SSH connection, in order,
 * stopping at the first failure, and recording what ran (provision_record.h). */
#ifndef ROVE_PROVISION_PROVISIONERS_H
#define ROVE_PROVISION_PROVISIONERS_H

#include <stdbool.h>
#include <stddef.h>

struct guest_conn;
struct provisioner;

struct provision_options {
    const char *machine;   /* name: output prefix "NAME: " and messages */
    const char *state_dir; /* the machine's state folder, holding the record of what ran */
    /* Run every provisioner, "run: once" ones that already ran included (`rove provision`). */
    bool force;
    int out_fd; /* where provisioner output goes (normally 1) */
    int err_fd; /* where its stderr goes (normally 2) */
};

/* Runs list[0..n) in order. A "run: once" provisioner whose record says it already ran with the
 * same content is skipped unless o->force. Returns 0, or -1 with *err naming the machine, the
 * provisioner's 1-based index and script, and the exit status of the one that failed. */
int provision_run(struct guest_conn *c, const struct provisioner *list, size_t n,
                  const struct provision_options *o, char **err);
/* A short description for messages: "shell: apt-get update ...", "script /p/setup.sh",
 * "file a.ini -> /etc/a.ini"; newly allocated. */
char *provisioner_describe(const struct provisioner *p);

#endif
