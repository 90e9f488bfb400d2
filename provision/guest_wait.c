/* SPDX-License-Identifier: MIT */
#include "provision/guest_wait.h"
#include "provision/guest_conn.h"
#include "provision/insecure_key.h"
#include "provision/prov_error.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/monotonic.h"
#include "util/strbuf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A refused connection through the user-mode forward costs next to nothing, so the network phases
 * look often: each look saved is boot time saved. A login attempt is a whole SSH handshake. */
#define NETWORK_RETRY_MS 100
#define LOGIN_RETRY_MS   250

const char *guest_wait_phase_name(enum guest_wait_phase phase)
{
    switch (phase) {
    case GUEST_WAIT_PORT:
        return "port open";
    case GUEST_WAIT_BANNER:
        return "SSH banner";
    case GUEST_WAIT_AUTH:
        return "authenticated";
    case GUEST_WAIT_READY:
        return "ready";
    }
    return "?";
}

/* A TCP connection to host:port within timeout_ms; returns the socket or -1 with *why set. */
static int tcp_connect(const char *host, int port, int timeout_ms, const char **why)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char port_s[16];
    snprintf(port_s, sizeof(port_s), "%d", port);
    if (getaddrinfo(host, port_s, &hints, &ai) != 0) {
        *why = "cannot resolve the host";
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *why = strerror(errno);
        freeaddrinfo(ai);
        return -1;
    }
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    if (rc < 0 && errno == EINPROGRESS) {
        struct pollfd p[2] = {{fd, POLLOUT, 0}, {interrupt_fd(), POLLIN, 0}};
        int soerr = 0;
        socklen_t len = sizeof(soerr);
        if (poll(p, 2, timeout_ms) > 0 && p[0].revents &&
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0)
            errno = soerr;
        else
            errno = interrupt_requested() ? EINTR : ETIMEDOUT;
        rc = errno ? -1 : 0;
    }
    if (rc < 0) {
        *why = strerror(errno);
        close(fd);
        return -1;
    }
    return fd;
}

/* True when the server sends its identification string ("SSH-") within timeout_ms. */
static bool banner_seen(const char *host, int port, int timeout_ms, const char **why)
{
    int fd = tcp_connect(host, port, timeout_ms, why);
    if (fd < 0)
        return false;
    char buf[256];
    size_t got = 0;
    double deadline = monotonic_seconds() + timeout_ms / 1000.0;
    bool seen = false;
    while (got < 4 && monotonic_seconds() < deadline && !interrupt_requested()) {
        struct pollfd p[2] = {{fd, POLLIN, 0}, {interrupt_fd(), POLLIN, 0}};
        if (poll(p, 2, (int)((deadline - monotonic_seconds()) * 1000) + 1) <= 0 || !p[0].revents)
            continue;
        ssize_t n = read(fd, buf + got, sizeof(buf) - got);
        if (n <= 0) {
            *why = n == 0 ? "connection closed before the SSH banner" : strerror(errno);
            break;
        }
        got += (size_t)n;
    }
    if (got >= 4)
        seen = memcmp(buf, "SSH-", 4) == 0;
    if (got >= 4 && !seen)
        *why = "something other than an SSH server answers on that port";
    else if (got < 4 && !*why)
        *why = "no SSH banner yet";
    close(fd);
    return seen;
}

struct waiter {
    const struct guest_target *t;
    const struct guest_wait_options *o;
    char **err;
    const char *abort_reason;
    bool tried_insecure_first;
};

/* Sleeps in short steps, asking the caller whether to give up; an interrupt ends the sleep at
 * once. Returns false on abort. */
static bool pause_or_abort(struct waiter *w, int ms)
{
    for (int slept = 0; slept < ms; slept += 100) {
        if (w->o->should_abort && (w->abort_reason = w->o->should_abort(w->o->ctx)))
            return false;
        if (!interrupt_sleep_ms(ms - slept < 100 ? ms - slept : 100)) {
            w->abort_reason = "interrupted";
            return false;
        }
    }
    return true;
}

static void enter_phase(struct waiter *w, enum guest_wait_phase phase)
{
    if (w->o->on_phase)
        w->o->on_phase(phase, w->o->ctx);
    else if (phase != GUEST_WAIT_READY)
        log_info("%s: waiting for SSH on %s:%d: %s", w->t->machine, w->t->host, w->t->port,
                 guest_wait_phase_name(phase));
}

static int phase_failed(struct waiter *w, enum guest_wait_phase phase, int timeout_s,
                        const char *last)
{
    if (w->abort_reason)
        return prov_fail(w->err, "machine %s: stopped waiting for SSH (%s): %s", w->t->machine,
                         guest_wait_phase_name(phase), w->abort_reason);
    return prov_fail(w->err,
                     "machine %s: timed out after %d s waiting for SSH on %s:%d (phase: %s): %s",
                     w->t->machine, timeout_s, w->t->host, w->t->port, guest_wait_phase_name(phase),
                     last ? last : "no answer");
}

static int wait_network(struct waiter *w, enum guest_wait_phase phase, int timeout_s)
{
    enter_phase(w, phase);
    double deadline = monotonic_seconds() + timeout_s;
    const char *why = NULL;
    for (;;) {
        why = NULL;
        int attempt_ms = (int)((deadline - monotonic_seconds()) * 1000);
        attempt_ms = attempt_ms > 5000 ? 5000 : attempt_ms < 100 ? 100 : attempt_ms;
        if (phase == GUEST_WAIT_PORT) {
            int fd = tcp_connect(w->t->host, w->t->port, attempt_ms, &why);
            if (fd >= 0) {
                close(fd);
                return 0;
            }
        } else if (banner_seen(w->t->host, w->t->port, attempt_ms, &why)) {
            return 0;
        }
        if (monotonic_seconds() >= deadline || !pause_or_abort(w, NETWORK_RETRY_MS))
            return phase_failed(w, phase, timeout_s, why);
    }
}

/* One login attempt; with the fallback, a refused key leads to the insecure-key replacement,
 * whose connection with the machine's key is the one returned. */
static enum guest_connect_result try_login(struct waiter *w, struct guest_conn **out, char **last)
{
    if (w->o->insecure_key_first && !w->tried_insecure_first) {
        /* A box's first boot takes the insecure key: starting with it saves the handshake the
         * machine's key would lose. Should it fail, the usual order follows. */
        w->tried_insecure_first = true;
        if (guest_replace_insecure_key(w->t, out, last) == 0)
            return GUEST_CONNECTED;
    }
    enum guest_connect_result rc = guest_connect(w->t, out, last);
    if (rc != GUEST_AUTH_DENIED || !w->o->insecure_key_fallback)
        return rc;
    return guest_replace_insecure_key(w->t, out, last) == 0 ? GUEST_CONNECTED : GUEST_AUTH_DENIED;
}

static int wait_auth(struct waiter *w, int timeout_s, struct guest_conn **out)
{
    enter_phase(w, GUEST_WAIT_AUTH);
    double deadline = monotonic_seconds() + timeout_s;
    char *last = NULL;
    for (;;) {
        enum guest_connect_result rc = try_login(w, out, &last);
        if (rc == GUEST_CONNECTED) {
            free(last);
            return 0;
        }
        if (interrupt_requested()) {
            w->abort_reason = "interrupted";
            phase_failed(w, GUEST_WAIT_AUTH, timeout_s, last);
            free(last);
            return -1;
        }
        /* A wrong host key is never retried: it is not the machine rove created. */
        if (rc == GUEST_HOSTKEY_MISMATCH || rc == GUEST_HOSTKEY_UNKNOWN || rc == GUEST_FAILED) {
            prov_fail(w->err, "%s", last);
            free(last);
            return -1;
        }
        if (monotonic_seconds() >= deadline || !pause_or_abort(w, LOGIN_RETRY_MS)) {
            phase_failed(w, GUEST_WAIT_AUTH, timeout_s, last);
            free(last);
            return -1;
        }
    }
}

int guest_wait_for_ssh(const struct guest_target *t, const struct guest_wait_options *o,
                       struct guest_conn **out, char **err)
{
    struct waiter w = {t, o, err, NULL, false};
    *out = NULL;
    if (wait_network(&w, GUEST_WAIT_PORT, o->port_timeout_s > 0 ? o->port_timeout_s : 60) < 0 ||
        wait_network(&w, GUEST_WAIT_BANNER, o->banner_timeout_s > 0 ? o->banner_timeout_s : 300) <
            0 ||
        wait_auth(&w, o->auth_timeout_s > 0 ? o->auth_timeout_s : 120, out) < 0)
        return -1;
    enter_phase(&w, GUEST_WAIT_READY);
    return 0;
}
