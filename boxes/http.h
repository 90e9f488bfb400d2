/* SPDX-License-Identifier: MIT */
/* libcurl set-up shared by catalog fetches and box downloads: http and https only (redirects
 * too), TLS verification on unless the caller asks for insecure, time-outs, retry policy, and
 * error messages that name the URL.
 *
 * Environment (tests use them; users rarely need to):
 *   ROVE_HTTP_RETRIES        retries after a transient failure (default 5)
 *   ROVE_HTTP_STALL_TIMEOUT  seconds without a byte before a transfer times out (default 60)
 *   ROVE_HTTP_RETRY_MAX_WAIT longest wait between retries, Retry-After included (default 60 s) */
#ifndef ROVE_BOXES_HTTP_H
#define ROVE_BOXES_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

bool http_is_url(const char *s);
/* A new easy handle for url with rove's policy applied. errbuf must hold CURL_ERROR_SIZE bytes. */
CURL *http_easy_new(const char *url, bool insecure, char *errbuf);
/* True for failures worth retrying: dropped or reset connections, time-outs, 408, 429, 5xx. */
bool http_is_transient(CURLcode code, long status);
/* How many retries are allowed, and how long to wait before retry number attempt (1-based);
 * retry_after (seconds, -1 for none) from the server wins, up to the maximum wait. */
int http_max_retries(void);
double http_retry_delay(int attempt, long retry_after);
void http_sleep(double seconds);
/* A message for a failed transfer: "cannot download URL: reason". Newly allocated. */
char *http_describe_failure(const char *url, CURLcode code, long status, const char *errbuf);
/* Resolves rel against base (both URLs); newly allocated, or NULL when it cannot. */
char *http_resolve(const char *base, const char *rel);
/* Parses a Retry-After value (seconds or an HTTP date) into seconds from now; -1 when invalid. */
long http_parse_retry_after(const char *value);
/* Why a redirect from `from` to `to` must not be followed, or NULL when it may be: only to http
 * or https, never from https down to http, and with strict (a box registry) only to https, but
 * for plain http within 127.0.0.0/8, which never leaves the host (the tests' registries). */
const char *http_redirect_refusal(const char *from, const char *to, bool strict);
/* True when both URLs name the same scheme, host and port: credentials for one may go to the
 * other. */
bool http_same_origin(const char *a, const char *b);

/* A GET of a small document (a catalog). Redirects are followed by hand, each one checked with
 * http_redirect_refusal(); the bearer token goes only to requests of the first URL's origin. */
struct http_get_request {
    const char *url;
    bool insecure;
    bool strict_redirects;
    const char *accept; /* Accept header, or NULL */
    const char *bearer; /* access token, or NULL */
    size_t max;         /* largest body accepted */
};

struct http_get_answer {
    char *data; /* newly allocated, NUL-terminated */
    size_t len;
    long status; /* the last HTTP status, 0 when no answer came */
};

/* Retries transient failures. Returns 0 (a 2xx answer), or -1 with *err (newly allocated) and
 * answer->status set when the server answered. */
int http_get(const struct http_get_request *req, struct http_get_answer *answer, char **err);

#endif
