/* SPDX-License-Identifier: MIT */
#include "util/version.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static void compares_numerically(void **state)
{
    (void)state;
    assert_true(box_version_compare("1.10", "1.9") > 0);
    assert_true(box_version_compare("1.0", "1") == 0);
    assert_true(box_version_compare("1.0.0", "1.0.1") < 0);
    assert_true(box_version_compare("12.20230612.1", "12.20230101.5") > 0);
    assert_true(box_version_compare("1.0-rc1", "1.0") < 0);
    assert_true(box_version_compare("1.0-rc2", "1.0-rc10") < 0);
    assert_true(box_version_compare("1.0+build5", "1.0") == 0);
    assert_true(box_version_compare("010", "10") == 0);
}

static void validates_versions(void **state)
{
    (void)state;
    assert_true(box_version_is_valid("1.2.3"));
    assert_true(box_version_is_valid("0"));
    assert_false(box_version_is_valid("v1.2"));
    assert_false(box_version_is_valid(""));
    assert_false(box_version_is_valid("1.2 3"));
}

static void constraints_match(void **state)
{
    (void)state;
    assert_true(box_version_satisfies("1.5", ">= 1.0, < 2.0"));
    assert_false(box_version_satisfies("2.0", ">= 1.0, < 2.0"));
    assert_true(box_version_satisfies("1.2.3", "= 1.2.3"));
    assert_true(box_version_satisfies("1.2.3", "1.2.3"));
    assert_false(box_version_satisfies("1.2.4", "= 1.2.3"));
    assert_true(box_version_satisfies("1.9", "~> 1.2"));
    assert_false(box_version_satisfies("2.0", "~> 1.2"));
    assert_false(box_version_satisfies("1.1", "~> 1.2"));
    assert_true(box_version_satisfies("1.2.9", "~> 1.2.3"));
    assert_false(box_version_satisfies("1.3.0", "~> 1.2.3"));
    assert_true(box_version_satisfies("1.0", "!= 2.0"));
    assert_true(box_version_satisfies("7", NULL));
    assert_true(box_version_satisfies("7", ""));
}

static void rejects_bad_constraints(void **state)
{
    (void)state;
    assert_false(box_constraint_is_valid(">="));
    assert_false(box_constraint_is_valid("about 1"));
    assert_false(box_constraint_is_valid(">= 1.0,"));
    assert_false(box_constraint_is_valid("=> 1.0"));
    assert_true(box_constraint_is_valid(">= 1.0, < 2.0"));
    assert_false(box_version_satisfies("1.0", "nonsense"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compares_numerically),
        cmocka_unit_test(validates_versions),
        cmocka_unit_test(constraints_match),
        cmocka_unit_test(rejects_bad_constraints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
