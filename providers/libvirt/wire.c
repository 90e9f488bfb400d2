/* SPDX-License-Identifier: MIT */
#include "providers/libvirt/wire.h"
#include "providers/libvirt/state_words.h"
#include "util/strbuf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* libvirt's remote protocol (src/remote/remote_protocol.x and src/rpc/virnetprotocol.x). */
#define REMOTE_PROGRAM          0x20008086u
#define REMOTE_PROTOCOL_VERSION 1
enum {
    PROC_CONNECT_OPEN = 1,
    PROC_CONNECT_CLOSE = 2,
    PROC_DOMAIN_GET_XML_DESC = 14,
    PROC_DOMAIN_LOOKUP_BY_NAME = 23,
    PROC_AUTH_LIST = 66,
    PROC_DOMAIN_GET_STATE = 212,
};
enum { TYPE_CALL = 0, TYPE_REPLY = 1 };
enum { STATUS_OK = 0, STATUS_ERROR = 1 };
#define HEADER_LEN       24
#define REMOTE_AUTH_NONE 0
#define ERR_NO_DOMAIN    42 /* VIR_ERR_NO_DOMAIN */
/* Replies here are small (a domain's XML is the largest); anything bigger is not understood. */
#define REPLY_MAX (4u << 20)
#define TIMEOUT_S 10
#define UUID_LEN  16

struct wire {
    int fd;
    uint32_t serial;
    unsigned char *reply; /* the last reply's body, after the header */
    size_t reply_len, at;
    bool timed_out;
};

/* ---- XDR: big-endian 32-bit words, strings as length + bytes padded to 4 ---- */

static void put_u32(struct strbuf *sb, uint32_t v)
{
    uint32_t be = htonl(v);
    sb_addn(sb, (const char *)&be, 4);
}

static void put_string(struct strbuf *sb, const char *s, size_t len)
{
    static const char zeros[4];
    put_u32(sb, (uint32_t)len);
    sb_addn(sb, s, len);
    sb_addn(sb, zeros, (4 - len % 4) % 4);
}

static bool get_u32(struct wire *w, uint32_t *v)
{
    if (w->reply_len - w->at < 4)
        return false;
    uint32_t be;
    memcpy(&be, w->reply + w->at, 4);
    *v = ntohl(be);
    w->at += 4;
    return true;
}

/* Points *s at a string of the reply (not NUL-terminated). */
static bool get_string(struct wire *w, const char **s, uint32_t *len)
{
    if (!get_u32(w, len) || w->reply_len - w->at < *len)
        return false;
    *s = (const char *)w->reply + w->at;
    size_t padded = *len + (4 - *len % 4) % 4;
    w->at += padded < w->reply_len - w->at ? padded : w->reply_len - w->at;
    return true;
}

/* ---- messages ---- */

static bool io_all(struct wire *w, void *buf, size_t len, bool sending)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = sending ? send(w->fd, (char *)buf + done, len - done, MSG_NOSIGNAL)
                            : recv(w->fd, (char *)buf + done, len - done, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            w->timed_out = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
            return false;
        }
        done += (size_t)n;
    }
    return true;
}

/* Sends a call and reads its reply. Returns the reply's status (STATUS_OK or STATUS_ERROR), or -1
 * when the exchange failed or the reply is not the one expected. */
static int call(struct wire *w, int procedure, const struct strbuf *args)
{
    struct strbuf msg = STRBUF_INIT;
    put_u32(&msg, 0); /* the length, filled in below */
    put_u32(&msg, REMOTE_PROGRAM);
    put_u32(&msg, REMOTE_PROTOCOL_VERSION);
    put_u32(&msg, (uint32_t)procedure);
    put_u32(&msg, TYPE_CALL);
    put_u32(&msg, ++w->serial);
    put_u32(&msg, STATUS_OK);
    if (args)
        sb_addn(&msg, args->buf, args->len);
    uint32_t be = htonl((uint32_t)msg.len);
    memcpy(msg.buf, &be, 4);
    bool sent = io_all(w, msg.buf, msg.len, true);
    sb_release(&msg);
    unsigned char head[4 + HEADER_LEN];
    if (!sent || !io_all(w, head, sizeof head, false))
        return -1;
    uint32_t word[7];
    for (int i = 0; i < 7; i++) {
        memcpy(&be, head + 4 * i, 4);
        word[i] = ntohl(be);
    }
    if (word[0] < sizeof head || word[0] > REPLY_MAX || word[1] != REMOTE_PROGRAM ||
        word[3] != (uint32_t)procedure || word[4] != TYPE_REPLY || word[5] != w->serial ||
        word[6] > STATUS_ERROR)
        return -1;
    w->reply_len = word[0] - sizeof head;
    w->reply = xrealloc(w->reply, w->reply_len ? w->reply_len : 1);
    w->at = 0;
    if (!io_all(w, w->reply, w->reply_len, false))
        return -1;
    return (int)word[6];
}

/* The first word of an error reply is its code (virErrorNumber). */
static uint32_t error_code(struct wire *w)
{
    uint32_t code = 0;
    w->at = 0;
    get_u32(w, &code);
    return code;
}

static int open_socket(const char *path, struct wire *w)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path)
        return -1;
    strcpy(addr.sun_path, path);
    w->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (w->fd < 0)
        return -1;
    struct timeval tv = {.tv_sec = TIMEOUT_S};
    setsockopt(w->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(w->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(w->fd, (struct sockaddr *)&addr, sizeof addr) == 0)
        return 0;
    close(w->fd);
    w->fd = -1;
    return -1;
}

/* The daemon must let this client in without authentication (root on the system socket, the
 * user on their session socket); polkit or SASL are the library's business. */
static bool open_without_auth(struct wire *w, const char *uri)
{
    uint32_t count, type;
    bool none = false;
    if (call(w, PROC_AUTH_LIST, NULL) != STATUS_OK || !get_u32(w, &count))
        return false;
    for (uint32_t i = 0; i < count && get_u32(w, &type); i++)
        none |= type == REMOTE_AUTH_NONE;
    if (!none)
        return false;
    struct strbuf args = STRBUF_INIT;
    put_u32(&args, 1); /* the name is present */
    put_string(&args, uri, strlen(uri));
    put_u32(&args, 0); /* flags: read-write, as the library opens it */
    int rc = call(w, PROC_CONNECT_OPEN, &args);
    sb_release(&args);
    return rc == STATUS_OK;
}

/* Looks the domain up; on success *dom holds it as the protocol's remote_nonnull_domain (name,
 * uuid, id), ready to be sent back. Returns STATUS_OK, STATUS_ERROR with w's reply holding the
 * error, or -1. */
static int lookup(struct wire *w, const char *domain, struct strbuf *dom)
{
    struct strbuf args = STRBUF_INIT;
    put_string(&args, domain, strlen(domain));
    int rc = call(w, PROC_DOMAIN_LOOKUP_BY_NAME, &args);
    sb_release(&args);
    const char *name;
    uint32_t len;
    if (rc != STATUS_OK)
        return rc;
    if (!get_string(w, &name, &len) || w->reply_len - w->at < UUID_LEN + 4)
        return -1;
    sb_addn(dom, (const char *)w->reply, w->at + UUID_LEN + 4);
    return STATUS_OK;
}

static bool domain_state(struct wire *w, const struct strbuf *dom, uint32_t *state,
                         uint32_t *reason)
{
    struct strbuf args = STRBUF_INIT;
    sb_addn(&args, dom->buf, dom->len);
    put_u32(&args, 0);
    bool ok = call(w, PROC_DOMAIN_GET_STATE, &args) == STATUS_OK && get_u32(w, state) &&
              get_u32(w, reason);
    sb_release(&args);
    return ok;
}

/* The domain's XML, newly allocated, or NULL. */
static char *domain_xml(struct wire *w, const struct strbuf *dom)
{
    struct strbuf args = STRBUF_INIT;
    sb_addn(&args, dom->buf, dom->len);
    put_u32(&args, 0);
    const char *xml;
    uint32_t len;
    bool ok = call(w, PROC_DOMAIN_GET_XML_DESC, &args) == STATUS_OK && get_string(w, &xml, &len);
    sb_release(&args);
    return ok ? xstrndup(xml, len) : NULL;
}

/* Asks, once connected; returns as lv_wire_state(). */
static int ask(struct wire *w, const char *uri, const char *domain, struct rove_state_report *out)
{
    if (!open_without_auth(w, uri))
        return -1;
    struct strbuf dom = STRBUF_INIT;
    int rc = lookup(w, domain, &dom);
    uint32_t state, reason;
    if (rc == STATUS_ERROR && error_code(w) == ERR_NO_DOMAIN) {
        out->state = ROVE_STATE_NOT_CREATED;
        snprintf(out->reason, sizeof out->reason, "no domain %s", domain);
        rc = 0;
    } else if (rc == STATUS_OK && domain_state(w, &dom, &state, &reason)) {
        lv_describe_state((int)state, (int)reason, out);
        if (out->state == ROVE_STATE_RUNNING) {
            char *xml = domain_xml(w, &dom);
            lv_describe_accelerator(xml, out);
            free(xml);
        }
        rc = 0;
    } else {
        rc = -1;
    }
    sb_release(&dom);
    call(w, PROC_CONNECT_CLOSE, NULL);
    return rc;
}

int lv_wire_state_at(const char *socket_path, const char *uri, const char *domain,
                     struct rove_state_report *out)
{
    struct wire w = {.fd = -1};
    if (open_socket(socket_path, &w) < 0)
        return -1;
    memset(out, 0, sizeof *out);
    int rc = ask(&w, uri, domain, out);
    if (rc < 0 && w.timed_out) {
        /* The library would wait on the same daemon forever: say so instead. */
        out->state = ROVE_STATE_UNKNOWN;
        snprintf(out->reason, sizeof out->reason, "libvirt at %s did not answer within %d s", uri,
                 TIMEOUT_S);
        rc = 0;
    }
    close(w.fd);
    free(w.reply);
    return rc;
}

/* The daemon of a plain local URI: the QEMU driver's own daemon (virtqemud) where it runs, else
 * the monolithic libvirtd. */
int lv_wire_state(const char *uri, const char *domain, struct rove_state_report *out)
{
    char dir[256];
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    if (!strcmp(uri, "qemu:///system"))
        snprintf(dir, sizeof dir, "/run/libvirt");
    else if (!strcmp(uri, "qemu:///session") && runtime && *runtime == '/')
        snprintf(dir, sizeof dir, "%s/libvirt", runtime);
    else
        return -1;
    static const char *const sockets[] = {"virtqemud-sock", "libvirt-sock"};
    for (size_t i = 0; i < sizeof sockets / sizeof sockets[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, sockets[i]);
        if (access(path, F_OK) == 0)
            return lv_wire_state_at(path, uri, domain, out);
    }
    return -1;
}
