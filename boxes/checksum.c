/* SPDX-License-Identifier: MIT */
#include "util/log.h"
#include "boxes/checksum.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    size_t hex_len;
} digests[] = {
    [BOX_DIGEST_SHA256] = {"sha256", 64},  [BOX_DIGEST_SHA384] = {"sha384", 96},
    [BOX_DIGEST_SHA512] = {"sha512", 128}, [BOX_DIGEST_SHA1] = {"sha1", 40},
    [BOX_DIGEST_MD5] = {"md5", 32},
};
#define N_DIGESTS (sizeof digests / sizeof digests[0])

const char *box_digest_name(enum box_digest type)
{
    return digests[type].name;
}

bool box_digest_is_weak(enum box_digest type)
{
    return type == BOX_DIGEST_SHA1 || type == BOX_DIGEST_MD5;
}

static int find_type(const char *type, size_t len, enum box_digest *out)
{
    /* Catalogs in the wild also write "SHA-256" or "sha-256". */
    char clean[16];
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < sizeof clean; i++)
        if (type[i] != '-')
            clean[n++] = (char)tolower((unsigned char)type[i]);
    clean[n] = '\0';
    for (size_t i = 0; i < N_DIGESTS; i++) {
        if (!strcmp(clean, digests[i].name)) {
            *out = (enum box_digest)i;
            return 0;
        }
    }
    return -1;
}

/* Normalises a digest as sha256sum or a catalog writes it: blanks around it, upper case, a file
 * name after it ("HEX  file.box", "HEX *file.box"). */
static int normalise_hex(const char *value, enum box_digest type, char *hex, const char **why)
{
    while (isspace((unsigned char)*value))
        value++;
    size_t n = 0;
    while (isxdigit((unsigned char)value[n]))
        n++;
    const char *rest = value + n;
    if (*rest && !isspace((unsigned char)*rest)) {
        *why = "the digest is not hexadecimal";
        return -1;
    }
    if (n != digests[type].hex_len) {
        *why = "the digest has the wrong length for its type";
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        hex[i] = (char)tolower((unsigned char)value[i]);
    hex[n] = '\0';
    return 0;
}

int box_checksum_from_parts(const char *type, const char *value, struct box_checksum *out,
                            const char **why)
{
    if (find_type(type, strlen(type), &out->type) < 0) {
        *why = "unknown checksum type (expected sha256, sha384, sha512, sha1 or md5)";
        return -1;
    }
    return normalise_hex(value, out->type, out->hex, why);
}

int box_checksum_parse(const char *text, struct box_checksum *out, const char **why)
{
    while (isspace((unsigned char)*text))
        text++;
    const char *colon = strchr(text, ':');
    if (!colon) {
        *why = "expected TYPE:HEX, e.g. sha256:9f2c...";
        return -1;
    }
    if (find_type(text, (size_t)(colon - text), &out->type) < 0) {
        *why = "unknown checksum type (expected sha256, sha384, sha512, sha1 or md5)";
        return -1;
    }
    return normalise_hex(colon + 1, out->type, out->hex, why);
}

char *box_checksum_format(const struct box_checksum *sum)
{
    return xasprintf("%s:%s", digests[sum->type].name, sum->hex);
}

struct box_hasher {
    EVP_MD_CTX *ctx;
    EVP_MD_CTX *sha256; /* NULL, or a second digest when ctx is not sha256 already */
    bool with_sha256;
};

static const EVP_MD *evp_for(enum box_digest type)
{
    switch (type) {
    case BOX_DIGEST_SHA256:
        return EVP_sha256();
    case BOX_DIGEST_SHA384:
        return EVP_sha384();
    case BOX_DIGEST_SHA512:
        return EVP_sha512();
    case BOX_DIGEST_SHA1:
        return EVP_sha1();
    case BOX_DIGEST_MD5:
        return EVP_md5();
    }
    return EVP_sha256();
}

static EVP_MD_CTX *digest_new(enum box_digest type)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, evp_for(type), NULL) != 1)
        die("cannot initialise the message digest (out of memory?)");
    return ctx;
}

struct box_hasher *box_hasher_new(enum box_digest type)
{
    struct box_hasher *h = xcalloc(1, sizeof *h);
    h->ctx = digest_new(type);
    return h;
}

struct box_hasher *box_hasher_new_with_sha256(enum box_digest type)
{
    struct box_hasher *h = box_hasher_new(type);
    h->with_sha256 = true;
    if (type != BOX_DIGEST_SHA256)
        h->sha256 = digest_new(BOX_DIGEST_SHA256);
    return h;
}

void box_hasher_update(struct box_hasher *h, const void *data, size_t len)
{
    EVP_DigestUpdate(h->ctx, data, len);
    if (h->sha256)
        EVP_DigestUpdate(h->sha256, data, len);
}

static void digest_hex(EVP_MD_CTX *ctx, char *hex)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx, md, &n);
    for (unsigned int i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02x", md[i]);
    hex[2 * n] = '\0';
}

void box_hasher_finish(struct box_hasher *h, char *hex)
{
    digest_hex(h->ctx, hex);
    box_hasher_free(h);
}

void box_hasher_finish_with_sha256(struct box_hasher *h, char *hex, char *sha256_hex)
{
    digest_hex(h->ctx, hex);
    if (h->sha256)
        digest_hex(h->sha256, sha256_hex);
    else
        memcpy(sha256_hex, hex, strlen(hex) + 1);
    box_hasher_free(h);
}

void box_hasher_free(struct box_hasher *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->ctx);
    EVP_MD_CTX_free(h->sha256);
    free(h);
}
