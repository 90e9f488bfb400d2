/* SPDX-License-Identifier: MIT */
/* Running one command in the guest over an exec channel, its output streamed as it arrives. */
#ifndef ROVE_PROVISION_GUEST_EXEC_H
#define ROVE_PROVISION_GUEST_EXEC_H

#include "provision/line_prefix.h"

struct guest_conn;
struct strbuf;

struct exec_output {
    /* Written before every line ("web: ") of both streams; NULL passes bytes through raw. */
    const char *prefix;
    int out_fd; /* where the command's stdout goes */
    int err_fd; /* where its stderr goes */
    /* Ends the command after this many seconds (0: no limit). */
    int timeout_s;
};

/* How guest_exec*() ended, beside 0 (the command exited, *exit_status set). Every value but 0 is
 * negative, so `< 0` tells any failure; *err says what happened, naming the machine. */
enum {
    GUEST_EXEC_FAILED = -1,      /* not run, or ended without an exit status */
    GUEST_EXEC_TIMED_OUT = -2,   /* the time limit passed: the command was sent SIGTERM */
    GUEST_EXEC_INTERRUPTED = -3, /* rove was interrupted: the signal was passed on */
};

/* Runs command with its stdin closed, feeding stdout and stderr, kept apart, to the two writers
 * as data arrives. When rove is interrupted (util/interrupt.h) or timeout_s passes, the command is
 * sent the signal (SIGTERM for the time limit) and its channel closed at once. */
int guest_exec_to(struct guest_conn *c, const char *command, output_write_fn out, void *out_ctx,
                  output_write_fn err_out, void *err_ctx, int timeout_s, int *exit_status,
                  char **err);
/* guest_exec_to() writing to file descriptors, optionally with each line prefixed. */
int guest_exec(struct guest_conn *c, const char *command, const struct exec_output *o,
               int *exit_status, char **err);
/* guest_exec_to() gathering the output in memory (either buffer may be NULL to drop it). */
int guest_exec_capture(struct guest_conn *c, const char *command, struct strbuf *out,
                       struct strbuf *err_out, int *exit_status, char **err);

#endif
