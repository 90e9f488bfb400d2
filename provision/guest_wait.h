/* SPDX-License-Identifier: MIT */
/* Waiting for a booting guest's SSH server, phase by phase, each phase with its own time-out:
 *   port open   - a TCP connection to the forwarded port succeeds;
 *   SSH banner  - the server answers with "SSH-..." (with user-mode networking the host side of a
 *                 forward accepts connections before the guest listens, so this is the phase
 *                 that really waits for the guest's boot);
 *   authenticated - the host key checks out and the key is accepted (cloud-init may still be
 *                 installing it).
 * On failure the caller shows the serial console's tail (print_file_tail()). */
#ifndef ROVE_PROVISION_GUEST_WAIT_H
#define ROVE_PROVISION_GUEST_WAIT_H

#include <stdbool.h>

struct guest_target;
struct guest_conn;

enum guest_wait_phase { GUEST_WAIT_PORT, GUEST_WAIT_BANNER, GUEST_WAIT_AUTH, GUEST_WAIT_READY };

struct guest_wait_options {
    int port_timeout_s;   /* 0: 60 */
    int banner_timeout_s; /* 0: 300 (a full Debian guest under emulation needs about 30 s) */
    int auth_timeout_s;   /* 0: 120 */
    /* Called as each phase starts (and with GUEST_WAIT_READY at the end); NULL: log_info(). */
    void (*on_phase)(enum guest_wait_phase phase, void *ctx);
    /* Asked about once a second; a non-NULL reason ("the domain is no longer running") stops
     * the wait with that reason in the error. NULL: never abort. */
    const char *(*should_abort)(void *ctx);
    void *ctx;
    /* For boxes without cloud-init: when the machine's key is refused, try Vagrant's insecure
     * key and replace it with the machine's key (guest_replace_insecure_key()). */
    bool insecure_key_fallback;
    /* With the fallback, on the box's first boot: try the insecure key before the machine's. */
    bool insecure_key_first;
};

/* "port open", "SSH banner", "authenticated", "ready". */
const char *guest_wait_phase_name(enum guest_wait_phase phase);
/* Waits until an authenticated connection to t works and returns it in *out. Returns 0, or -1
 * with *err naming the machine, the phase and the last error seen. */
int guest_wait_for_ssh(const struct guest_target *t, const struct guest_wait_options *o,
                       struct guest_conn **out, char **err);

#endif
