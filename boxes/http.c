/* SPDX-License-Identifier: MIT */
#include "boxes/http.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifndef ROVE_VERSION
#define ROVE_VERSION "0"
#endif

static long env_long(const char *name, long fallback, long min, long max)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return fallback;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < min || n > max) {
        log_warn("ignoring %s=%s (expected a number from %ld to %ld)", name, v, min, max);
        return fallback;
    }
    return n;
}

bool http_is_url(const char *s)
{
    return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

static void global_init_once(void)
{
    static bool done;
    if (!done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        done = true;
    }
}

/* libcurl asks at least once a second: an interrupted rove stops its transfers then. */
static int stop_when_interrupted(void *ctx, curl_off_t dltotal, curl_off_t dlnow,
                                 curl_off_t ultotal, curl_off_t ulnow)
{
    (void)ctx;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return interrupt_requested() ? 1 : 0;
}

CURL *http_easy_new(const char *url, bool insecure, char *errbuf)
{
    global_init_once();
    CURL *easy = curl_easy_init();
    if (!easy)
        die("cannot initialise libcurl (out of memory?)");
    errbuf[0] = '\0';
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                     env_long("ROVE_HTTP_STALL_TIMEOUT", 60, 1, 86400));
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "rove/" ROVE_VERSION);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, stop_when_interrupted);
    curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 128L * 1024);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, insecure ? 0L : 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, insecure ? 0L : 2L);
    return easy;
}

bool http_is_transient(CURLcode code, long status)
{
    switch (code) {
    case CURLE_OK:
        return status == 408 || status == 429 || (status >= 500 && status <= 599);
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

int http_max_retries(void)
{
    return (int)env_long("ROVE_HTTP_RETRIES", 5, 0, 100);
}

double http_retry_delay(int attempt, long retry_after)
{
    double max_wait = (double)env_long("ROVE_HTTP_RETRY_MAX_WAIT", 60, 0, 3600);
    int exponent = attempt - 1 < 6 ? attempt - 1 : 6;
    double delay = retry_after >= 0 ? (double)retry_after : (double)(1L << exponent);
    return delay < max_wait ? delay : max_wait;
}

void http_sleep(double seconds)
{
    interrupt_sleep_ms((int)(seconds * 1000));
}

long http_parse_retry_after(const char *value)
{
    while (isspace((unsigned char)*value))
        value++;
    if (isdigit((unsigned char)*value)) {
        char *end;
        long n = strtol(value, &end, 10);
        return n >= 0 ? n : -1;
    }
    time_t when = curl_getdate(value, NULL);
    if (when < 0)
        return -1;
    time_t now = time(NULL);
    return when > now ? (long)(when - now) : 0;
}

static const char *http_reason(long status)
{
    switch (status) {
    case 401:
    case 403:
        return "access denied";
    case 404:
    case 410:
        return "not found";
    case 429:
        return "too many requests";
    default:
        return status >= 500 ? "server error" : "request refused";
    }
}

char *http_describe_failure(const char *url, CURLcode code, long status, const char *errbuf)
{
    const char *detail = errbuf && *errbuf ? errbuf : curl_easy_strerror(code);
    switch (code) {
    case CURLE_OK:
        return xasprintf("cannot download %s: %s (HTTP %ld)", url, http_reason(status), status);
    case CURLE_COULDNT_RESOLVE_HOST:
        return xasprintf("cannot download %s: the host name does not resolve (%s)", url, detail);
    case CURLE_COULDNT_CONNECT:
        return xasprintf("cannot download %s: the connection was refused or the host is "
                         "unreachable (%s)",
                         url, detail);
    case CURLE_OPERATION_TIMEDOUT:
        return xasprintf("cannot download %s: timed out (%s)", url, detail);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return xasprintf("cannot download %s: only http and https are allowed, redirects "
                         "included (%s)",
                         url, detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        return xasprintf("cannot download %s: the server's TLS certificate does not verify (%s); "
                         "--insecure skips the check",
                         url, detail);
    case CURLE_TOO_MANY_REDIRECTS:
        return xasprintf("cannot download %s: too many redirects", url);
    default:
        return xasprintf("cannot download %s: %s", url, detail);
    }
}

char *http_resolve(const char *base, const char *rel)
{
    CURLU *u = curl_url();
    char *out = NULL, *result = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, rel, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK) {
        result = xstrdup(out);
    }
    curl_free(out);
    curl_url_cleanup(u);
    return result;
}

struct memory_sink {
    struct strbuf data;
    size_t max;
    bool too_big;
    long retry_after;
};

static size_t to_memory(char *p, size_t size, size_t n, void *userdata)
{
    struct memory_sink *sink = userdata;
    if (sink->data.len + size * n > sink->max) {
        sink->too_big = true;
        return 0;
    }
    sb_addn(&sink->data, p, size * n);
    return size * n;
}

static size_t note_retry_after(char *p, size_t size, size_t n, void *userdata)
{
    struct memory_sink *sink = userdata;
    size_t len = size * n;
    if (len > 12 && !strncasecmp(p, "retry-after:", 12)) {
        char *value = xstrndup(p + 12, len - 12);
        sink->retry_after = http_parse_retry_after(value);
        free(value);
    }
    return len;
}

/* The URL's scheme and host (lower case as curl gives them) and its port; -1 when unparsable. */
static int url_parts(const char *url, char **scheme, char **host, long *port)
{
    CURLU *u = curl_url();
    char *sc = NULL, *h = NULL, *p = NULL;
    int rc = -1;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &sc, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        *scheme = xstrdup(sc);
        *host = xstrdup(h);
        *port = strtol(p, NULL, 10);
        rc = 0;
    }
    curl_free(sc);
    curl_free(h);
    curl_free(p);
    curl_url_cleanup(u);
    return rc;
}

static bool is_loopback_v4(const char *host)
{
    struct in_addr a;
    return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

const char *http_redirect_refusal(const char *from, const char *to, bool strict)
{
    char *from_scheme = NULL, *from_host = NULL, *scheme = NULL, *host = NULL;
    long from_port, port;
    const char *why = NULL;
    if (url_parts(to, &scheme, &host, &port) < 0 ||
        (strcmp(scheme, "http") && strcmp(scheme, "https")))
        why = "only http and https are allowed, redirects included";
    else if (!strcmp(scheme, "https"))
        why = NULL;
    else if (url_parts(from, &from_scheme, &from_host, &from_port) < 0 ||
             strcmp(from_scheme, "http"))
        why = "a redirect from https to plain http is refused";
    else if (strict && !is_loopback_v4(host))
        why = "a box registry may only redirect to https URLs";
    free(from_scheme);
    free(from_host);
    free(scheme);
    free(host);
    return why;
}

bool http_same_origin(const char *a, const char *b)
{
    char *as = NULL, *ah = NULL, *bs = NULL, *bh = NULL;
    long ap = -1, bp = -2;
    bool same = url_parts(a, &as, &ah, &ap) == 0 && url_parts(b, &bs, &bh, &bp) == 0 &&
                !strcmp(as, bs) && !strcasecmp(ah, bh) && ap == bp;
    free(as);
    free(ah);
    free(bs);
    free(bh);
    return same;
}

/* One request, no redirect followed: the answer's status, body and Location. */
static CURLcode get_once(const struct http_get_request *req, const char *url, bool with_token,
                         struct memory_sink *sink, long *status, char **location, char *errbuf)
{
    CURL *easy = http_easy_new(url, req->insecure, errbuf);
    struct curl_slist *headers = NULL;
    char *accept = req->accept ? xasprintf("Accept: %s", req->accept) : NULL;
    if (accept)
        headers = curl_slist_append(headers, accept);
    if (with_token) {
        curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
        curl_easy_setopt(easy, CURLOPT_XOAUTH2_BEARER, req->bearer);
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, to_memory);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, note_retry_after);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, sink);
    CURLcode code = curl_easy_perform(easy);
    *status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, status);
    char *redirect = NULL;
    curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &redirect);
    *location = redirect ? xstrdup(redirect) : NULL;
    curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
    free(accept);
    return code;
}

#define MAX_REDIRECTS 10

int http_get(const struct http_get_request *req, struct http_get_answer *answer, char **err)
{
    memset(answer, 0, sizeof *answer);
    int max_retries = http_max_retries(), attempt = 0, redirects = 0;
    char *url = xstrdup(req->url);
    for (;;) {
        char errbuf[CURL_ERROR_SIZE];
        struct memory_sink sink = {STRBUF_INIT, req->max, false, -1};
        char *location = NULL;
        bool with_token = req->bearer && http_same_origin(url, req->url);
        CURLcode code = get_once(req, url, with_token, &sink, &answer->status, &location, errbuf);
        long status = answer->status;
        if (code == CURLE_OK && status >= 300 && status < 400 && location) {
            sb_release(&sink.data);
            const char *why = http_redirect_refusal(url, location, req->strict_redirects);
            if (why || ++redirects > MAX_REDIRECTS) {
                *err = why ? xasprintf("cannot download %s: %s (to %s)", url, why, location)
                           : xasprintf("cannot download %s: too many redirects", req->url);
                free(location);
                free(url);
                return -1;
            }
            free(url);
            url = location;
            continue;
        }
        free(location);
        if (code == CURLE_OK && status >= 200 && status < 300) {
            answer->len = sink.data.len;
            answer->data = sb_detach(&sink.data);
            free(url);
            return 0;
        }
        sb_release(&sink.data);
        if (sink.too_big || !http_is_transient(code, status) || attempt >= max_retries) {
            *err = sink.too_big
                       ? xasprintf("cannot download %s: larger than %zu bytes", url, req->max)
                       : http_describe_failure(url, code, status, errbuf);
            free(url);
            return -1;
        }
        if (interrupt_requested()) {
            *err = xasprintf("%s: interrupted", url);
            free(url);
            return -1;
        }
        double delay = http_retry_delay(++attempt, sink.retry_after);
        log_info("%s: %s; retrying in %.0f s", url,
                 code == CURLE_OK ? "server busy or failing" : curl_easy_strerror(code), delay);
        http_sleep(delay);
    }
}
