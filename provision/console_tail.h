/* SPDX-License-Identifier: MIT */
/* The tail of a log file, for showing the serial console when a machine does not come up. */
#ifndef ROVE_PROVISION_CONSOLE_TAIL_H
#define ROVE_PROVISION_CONSOLE_TAIL_H

struct strbuf;

/* Appends the last nlines lines of path to out. Carriage returns are dropped and other control
 * bytes (terminal escapes from the guest) shown as '.', so the tail cannot upset the terminal.
 * Returns 0, or -1 with errno set when the file cannot be read. */
int file_tail(const char *path, int nlines, struct strbuf *out);
/* Prints "--- last N lines of PATH ---", the tail and an end marker to stderr; when the file cannot
 * be read, one line saying why. Returns 0 or -1. */
int print_file_tail(const char *path, int nlines);

#endif
