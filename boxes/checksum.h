/* SPDX-License-Identifier: MIT */
/* Box checksums: parsing and normalising the expected value, and hashing bytes as they stream. */
#ifndef ROVE_BOXES_CHECKSUM_H
#define ROVE_BOXES_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>

enum box_digest {
    BOX_DIGEST_SHA256,
    BOX_DIGEST_SHA384,
    BOX_DIGEST_SHA512,
    BOX_DIGEST_SHA1,
    BOX_DIGEST_MD5
};

#define BOX_DIGEST_HEX_MAX 128

struct box_checksum {
    enum box_digest type;
    char hex[BOX_DIGEST_HEX_MAX + 1]; /* lower case */
};

/* Parses "TYPE:HEX" (as given by --checksum or box_checksum:). The hex part is normalised: case
 * folded, surrounding blanks and a trailing file name (as sha256sum prints it) dropped. Returns 0,
 * or -1 with *why set to a static explanation. */
int box_checksum_parse(const char *text, struct box_checksum *out, const char **why);
/* The same from a catalog's separate checksum_type and checksum fields. */
int box_checksum_from_parts(const char *type, const char *value, struct box_checksum *out,
                            const char **why);
const char *box_digest_name(enum box_digest type);
/* sha1 and md5 are accepted, with a warning: collisions can be made for them. */
bool box_digest_is_weak(enum box_digest type);
/* "TYPE:HEX", newly allocated. */
char *box_checksum_format(const struct box_checksum *sum);

struct box_hasher;
struct box_hasher *box_hasher_new(enum box_digest type);
/* Hashes with type and, beside it, with sha256 (the digest the store records for every box),
 * in one pass over the bytes. */
struct box_hasher *box_hasher_new_with_sha256(enum box_digest type);
void box_hasher_update(struct box_hasher *h, const void *data, size_t len);
/* Writes the lower-case hex digest into hex (BOX_DIGEST_HEX_MAX + 1 bytes) and frees the hasher. */
void box_hasher_finish(struct box_hasher *h, char *hex);
/* The same, and the sha256 digest into sha256_hex (of a hasher made with_sha256). */
void box_hasher_finish_with_sha256(struct box_hasher *h, char *hex, char *sha256_hex);
void box_hasher_free(struct box_hasher *h);

#endif
