/* SPDX-License-Identifier: MIT */
/* The controlling terminal in raw mode while the serial console is interactive. */
#ifndef ROVE_VMM_TERMINAL_H
#define ROVE_VMM_TERMINAL_H

#include <stdbool.h>

/* Puts stdin in raw mode (keeping Ctrl-C as a signal). Returns false if stdin is no terminal. */
bool terminal_enter_raw(void);
/* Restores the mode saved by terminal_enter_raw (safe to call more than once). */
void terminal_restore(void);

#endif
