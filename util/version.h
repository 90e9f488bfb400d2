/* SPDX-License-Identifier: MIT */
/* Box versions ("12.20230612.1", "1.0.0-rc1") and constraints (">= 1.0, < 2.0", "= 1.2.3",
 * "~> 1.2"), as in Vagrant's catalogs. */
#ifndef ROVE_UTIL_VERSION_H
#define ROVE_UTIL_VERSION_H

#include <stdbool.h>

/* A version starts with a digit and holds only letters, digits, '.', '-' and '+'. */
bool box_version_is_valid(const char *version);
/* <0, 0, >0 like strcmp. Dot-separated segments compare numerically where they are numbers
 * ("1.10" > "1.9"), missing segments count as 0 ("1.0" == "1"), a pre-release ("1.0-rc1") sorts
 * before its release, and build metadata after '+' is ignored. */
int box_version_compare(const char *a, const char *b);
/* True when the constraint parses: terms "[OP] VERSION" joined by commas, OP one of
 * = != > < >= <= ~> (none means =). NULL or "" is the empty constraint (matches everything). */
bool box_constraint_is_valid(const char *constraint);
/* True when version satisfies every term of the constraint. An invalid constraint matches nothing.
 */
bool box_version_satisfies(const char *version, const char *constraint);

#endif
