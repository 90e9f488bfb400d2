/* SPDX-License-Identifier: MIT */
/* The libvirt provider's state over the daemon socket (providers/libvirt/wire.c), against a fake
 * daemon speaking libvirt's remote protocol on a Unix socket in a temporary folder. The real
 * daemon is exercised by the VM tests, whose every `rove status` takes this path. */
#include "providers/libvirt/wire.h"

#include <arpa/inet.h>
#include <libvirt/libvirt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#define URI    "qemu:///system"
#define DOMAIN "rove-0123abcd-web"

enum lookup_answer { FOUND, NO_DOMAIN, OTHER_ERROR };

/* What the fake daemon answers. */
struct scenario {
    uint32_t auth_type;
    enum lookup_answer lookup;
    int state, reason;
    const char *xml;
    bool bad_serial; /* replies carry the wrong serial number */
    /* what it saw */
    int calls[16];
    int ncalls;
    char opened_uri[64];
    char looked_up[64];
};

struct daemon {
    int listener;
    char path[108];
    char dir[64];
    pthread_t thread;
    struct scenario *sc;
};

static void put_u32(unsigned char **p, uint32_t v)
{
    v = htonl(v);
    memcpy(*p, &v, 4);
    *p += 4;
}

static void put_string(unsigned char **p, const char *s)
{
    size_t len = strlen(s);
    put_u32(p, (uint32_t)len);
    memcpy(*p, s, len);
    memset(*p + len, 0, (4 - len % 4) % 4);
    *p += len + (4 - len % 4) % 4;
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return ntohl(v);
}

static bool read_all(int fd, void *buf, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = read(fd, (char *)buf + done, len - done);
        if (n <= 0)
            return false;
        done += (size_t)n;
    }
    return true;
}

/* The body of the reply to one call; *status 0 (ok) or 1 (error). */
static size_t answer(struct scenario *sc, int proc, const unsigned char *args, unsigned char *out,
                     uint32_t *status)
{
    unsigned char *p = out;
    *status = 0;
    switch (proc) {
    case 66: /* auth list */
        put_u32(&p, 1);
        put_u32(&p, sc->auth_type);
        break;
    case 1: /* connect open: optional name, flags */
        if (get_u32(args))
            snprintf(sc->opened_uri, sizeof sc->opened_uri, "%.*s", (int)get_u32(args + 4),
                     (const char *)args + 8);
        break;
    case 23: /* lookup by name */
        snprintf(sc->looked_up, sizeof sc->looked_up, "%.*s", (int)get_u32(args),
                 (const char *)args + 4);
        if (sc->lookup != FOUND) {
            *status = 1;
            put_u32(&p, sc->lookup == NO_DOMAIN ? 42 : 1);
            put_u32(&p, 10);
            put_u32(&p, 1);
            put_string(&p, "Domain not found");
            break;
        }
        put_string(&p, DOMAIN);
        memset(p, 0xab, 16);
        p += 16;
        put_u32(&p, 7);
        break;
    case 212: /* get state */
        put_u32(&p, (uint32_t)sc->state);
        put_u32(&p, (uint32_t)sc->reason);
        break;
    case 14: /* XML description */
        put_string(&p, sc->xml);
        break;
    default: /* connect close */
        break;
    }
    return (size_t)(p - out);
}

static void *serve(void *arg)
{
    struct daemon *d = arg;
    int fd = accept(d->listener, NULL, NULL);
    unsigned char head[28], args[4096], body[4096];
    while (fd >= 0 && read_all(fd, head, 4) && get_u32(head) >= 28 && read_all(fd, head + 4, 24)) {
        size_t arg_len = get_u32(head) - 28;
        if (arg_len > sizeof args || !read_all(fd, args, arg_len))
            break;
        int proc = (int)get_u32(head + 12);
        struct scenario *sc = d->sc;
        if (sc->ncalls < 16)
            sc->calls[sc->ncalls++] = proc;
        uint32_t status;
        size_t len = answer(sc, proc, args, body, &status);
        unsigned char reply[28], *p = reply;
        put_u32(&p, (uint32_t)(28 + len));
        put_u32(&p, 0x20008086);
        put_u32(&p, 1);
        put_u32(&p, (uint32_t)proc);
        put_u32(&p, 1);
        put_u32(&p, get_u32(head + 20) + (sc->bad_serial ? 1 : 0));
        put_u32(&p, status);
        /* The client hangs up on a reply it does not accept (a wrong serial): a write to it
         * must fail with EPIPE, not end the test process with SIGPIPE. */
        if (send(fd, reply, 28, MSG_NOSIGNAL) != 28 ||
            send(fd, body, len, MSG_NOSIGNAL) != (ssize_t)len)
            break;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static void daemon_start(struct daemon *d, struct scenario *sc)
{
    memset(d, 0, sizeof *d);
    d->sc = sc;
    snprintf(d->dir, sizeof d->dir, "/tmp/rove-wire-XXXXXX");
    assert_non_null(mkdtemp(d->dir));
    snprintf(d->path, sizeof d->path, "%s/libvirt-sock", d->dir);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, d->path);
    d->listener = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(d->listener, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(d->listener, 1), 0);
    assert_int_equal(pthread_create(&d->thread, NULL, serve, d), 0);
}

static void daemon_stop(struct daemon *d)
{
    pthread_join(d->thread, NULL);
    close(d->listener);
    unlink(d->path);
    rmdir(d->dir);
}

static int ask(struct scenario *sc, struct rove_state_report *out)
{
    struct daemon d;
    daemon_start(&d, sc);
    int rc = lv_wire_state_at(d.path, URI, DOMAIN, out);
    daemon_stop(&d);
    return rc;
}

static void running_tcg_domain(void **state)
{
    (void)state;
    struct scenario sc = {.state = VIR_DOMAIN_RUNNING, .xml = "<domain type='qemu' id='7'>"};
    struct rove_state_report out;
    assert_int_equal(ask(&sc, &out), 0);
    assert_int_equal(out.state, ROVE_STATE_RUNNING);
    assert_string_equal(out.reason, "running (TCG, software emulation)");
    assert_string_equal(sc.opened_uri, URI);
    assert_string_equal(sc.looked_up, DOMAIN);
    /* auth list, open, lookup, state, XML, close */
    int want[] = {66, 1, 23, 212, 14, 2};
    assert_int_equal(sc.ncalls, 6);
    assert_memory_equal(sc.calls, want, sizeof want);
}

static void running_kvm_domain(void **state)
{
    (void)state;
    struct scenario sc = {.state = VIR_DOMAIN_RUNNING, .xml = "<domain type='kvm' id='3'>"};
    struct rove_state_report out;
    assert_int_equal(ask(&sc, &out), 0);
    assert_string_equal(out.reason, "running (KVM)");
}

static void shut_off_domain(void **state)
{
    (void)state;
    struct scenario sc = {.state = VIR_DOMAIN_SHUTOFF, .reason = VIR_DOMAIN_SHUTOFF_SHUTDOWN};
    struct rove_state_report out;
    assert_int_equal(ask(&sc, &out), 0);
    assert_int_equal(out.state, ROVE_STATE_STOPPED);
    assert_string_equal(out.reason, "shut down");
    assert_int_equal(sc.ncalls, 5); /* no XML asked of a stopped domain */
}

static void missing_domain(void **state)
{
    (void)state;
    struct scenario sc = {.lookup = NO_DOMAIN};
    struct rove_state_report out;
    assert_int_equal(ask(&sc, &out), 0);
    assert_int_equal(out.state, ROVE_STATE_NOT_CREATED);
    assert_string_equal(out.reason, "no domain " DOMAIN);
}

/* Anything this client does not understand is left to libvirt's library. */
static void other_error_falls_back(void **state)
{
    (void)state;
    struct scenario sc = {.lookup = OTHER_ERROR};
    struct rove_state_report out;
    assert_int_equal(ask(&sc, &out), -1);
}

static void authentication_falls_back(void **state)
{
    (void)state;
    struct scenario sc = {.auth_type = 4 /* polkit */};
    struct rove_state_report out;
    assert_int_equal(ask(&sc, &out), -1);
    assert_int_equal(sc.ncalls, 1); /* nothing past the auth list */
}

static void wrong_serial_falls_back(void **state)
{
    (void)state;
    struct scenario sc = {.bad_serial = true};
    struct rove_state_report out;
    assert_int_equal(ask(&sc, &out), -1);
}

static void no_daemon_falls_back(void **state)
{
    (void)state;
    struct rove_state_report out;
    assert_int_equal(lv_wire_state_at("/nonexistent/libvirt-sock", URI, DOMAIN, &out), -1);
    /* URIs naming a host or a transport are never answered here. */
    assert_int_equal(lv_wire_state("qemu+ssh://host/system", DOMAIN, &out), -1);
    assert_int_equal(lv_wire_state("qemu:///system?socket=/x", DOMAIN, &out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(running_tcg_domain),      cmocka_unit_test(running_kvm_domain),
        cmocka_unit_test(shut_off_domain),         cmocka_unit_test(missing_domain),
        cmocka_unit_test(other_error_falls_back),  cmocka_unit_test(authentication_falls_back),
        cmocka_unit_test(wrong_serial_falls_back), cmocka_unit_test(no_daemon_falls_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
