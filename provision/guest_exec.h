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
};

/* Runs command with its stdin closed, feeding stdout and stderr, kept apart, to the two writers
 * as data arrives. Returns 0 with *exit_status set to the command's exit status, or -1 with *err
 * set when the command could not be run or ended without an exit status (killed by a signal,
 * connection lost). */
int guest_exec_to(struct guest_conn *c, const char *command, output_write_fn out, void *out_ctx,
                  output_write_fn err_out, void *err_ctx, int *exit_status, char **err);
/* guest_exec_to() writing to file descriptors, optionally with each line prefixed. */
int guest_exec(struct guest_conn *c, const char *command, const struct exec_output *o,
               int *exit_status, char **err);
/* guest_exec_to() gathering the output in memory (either buffer may be NULL to drop it). */
int guest_exec_capture(struct guest_conn *c, const char *command, struct strbuf *out,
                       struct strbuf *err_out, int *exit_status, char **err);

#endif
