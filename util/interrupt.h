/* SPDX-License-Identifier: MIT */
/* Interrupts: SIGINT, SIGTERM and SIGHUP end whatever rove waits for within a second, so that a
 * cancelled CI job gets its machines destroyed before the runner's SIGKILL (GitHub Actions allows
 * about 10 s, GitLab less).
 *
 * The first signal makes every wait that watches interrupt_fd() or asks interrupt_requested()
 * give up. Clean-up that must finish calls interrupt_begin_cleanup(): waits go on from then, a
 * second signal only says that clean-up is under way, a third ends the process at once. */
#ifndef ROVE_UTIL_INTERRUPT_H
#define ROVE_UTIL_INTERRUPT_H

#include <stdbool.h>

/* Catches the three signals (without SA_RESTART, so blocking calls return EINTR) and ignores
 * SIGPIPE (a closed output pipe must not skip the clean-up). Idempotent. */
void interrupt_install(void);
/* 0, or the first signal caught. */
int interrupt_signal(void);
/* True once a signal came, until clean-up began. */
bool interrupt_requested(void);
/* Readable once a signal came, until clean-up began (then -1, which poll() ignores); -1 before
 * interrupt_install(). For poll loops, beside their own descriptors. */
int interrupt_fd(void);
void interrupt_begin_cleanup(void);
/* The exit status a shell gives a process ended by the signal caught: 128 + its number. */
int interrupt_exit_status(void);
/* Sleeps ms milliseconds, or less when interrupted. Returns false when interrupted. */
bool interrupt_sleep_ms(int ms);
/* In a provider module, which links its own copy of util/: answers interrupt_requested() with
 * the core's function (rove_machine_ctx.interrupted); NULL stops following. */
void interrupt_follow(bool (*requested)(void));
/* For tests: forgets the signals caught. */
void interrupt_reset(void);

#endif
