#include "boxes/http.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

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
    if (!easy) {
        fputs("rove: cannot initialise libcurl\n", stderr);
        abort();
    }
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

int http_get(const char *url, bool insecure, size_t max, char **data, size_t *len, char **err)
{
    int max_retries = http_max_retries();
    for (int attempt = 0;; attempt++) {
        char errbuf[CURL_ERROR_SIZE];
        struct memory_sink sink = {STRBUF_INIT, max, false, -1};
        CURL *easy = http_easy_new(url, insecure, errbuf);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, to_memory);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &sink);
        curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, note_retry_after);
        curl_easy_setopt(easy, CURLOPT_HEADERDATA, &sink);
        CURLcode code = curl_easy_perform(easy);
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(easy);
        if (code == CURLE_OK && status >= 200 && status < 300) {
            *len = sink.data.len;
            *data = sb_detach(&sink.data);
            return 0;
        }
        sb_release(&sink.data);
        if (sink.too_big) {
            *err = xasprintf("cannot download %s: larger than %zu bytes", url, max);
            return -1;
        }
        if (interrupt_requested()) {
            *err = xasprintf("%s: interrupted", url);
            return -1;
        }
        if (!http_is_transient(code, status) || attempt >= max_retries) {
            *err = http_describe_failure(url, code, status, errbuf);
            return -1;
        }
        double delay = http_retry_delay(attempt + 1, sink.retry_after);
        log_info("%s: %s; retrying in %.0f s", url,
                 code == CURLE_OK ? "server busy or failing" : curl_easy_strerror(code), delay);
        http_sleep(delay);
    }
}
