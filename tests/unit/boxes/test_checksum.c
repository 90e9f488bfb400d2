/* SPDX-License-Identifier: MIT */
#include "boxes/checksum.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void parses_and_normalises(void **state)
{
    (void)state;
    struct box_checksum sum;
    const char *why;
    assert_int_equal(box_checksum_parse("SHA256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB"
                                        "410FF61F20015AD  ubuntu.box\n",
                                        &sum, &why),
                     0);
    assert_int_equal(sum.type, BOX_DIGEST_SHA256);
    assert_string_equal(sum.hex, ABC_SHA256);
    assert_int_equal(box_checksum_from_parts("SHA-256", " " ABC_SHA256 " *x.box", &sum, &why), 0);
    assert_string_equal(sum.hex, ABC_SHA256);
    char *text = box_checksum_format(&sum);
    assert_string_equal(text, "sha256:" ABC_SHA256);
    free(text);
}

static void refuses_malformed(void **state)
{
    (void)state;
    struct box_checksum sum;
    const char *why = NULL;
    assert_int_equal(box_checksum_parse(ABC_SHA256, &sum, &why), -1);
    assert_non_null(strstr(why, "TYPE:HEX"));
    assert_int_equal(box_checksum_parse("sha256:abc", &sum, &why), -1);
    assert_non_null(strstr(why, "length"));
    assert_int_equal(box_checksum_parse("crc32:abcdef01", &sum, &why), -1);
    assert_int_equal(box_checksum_parse("sha256:" ABC_SHA256 "zz", &sum, &why), -1);
    assert_int_equal(box_checksum_parse("md5:900150983cd24fb0d6963f7d28e17f72", &sum, &why), 0);
    assert_true(box_digest_is_weak(sum.type));
}

static void hashes_streams(void **state)
{
    (void)state;
    struct box_hasher *h = box_hasher_new(BOX_DIGEST_SHA256);
    box_hasher_update(h, "a", 1);
    box_hasher_update(h, "bc", 2);
    char hex[BOX_DIGEST_HEX_MAX + 1];
    box_hasher_finish(h, hex);
    assert_string_equal(hex, ABC_SHA256);
    h = box_hasher_new(BOX_DIGEST_MD5);
    box_hasher_update(h, "abc", 3);
    box_hasher_finish(h, hex);
    assert_string_equal(hex, "900150983cd24fb0d6963f7d28e17f72");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_and_normalises),
        cmocka_unit_test(refuses_malformed),
        cmocka_unit_test(hashes_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
