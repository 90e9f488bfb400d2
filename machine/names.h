/* SPDX-License-Identifier: MIT */
/* The rules for names that end up in host names, libvirt names and shell environments. */
#ifndef ROVE_MACHINE_NAMES_H
#define ROVE_MACHINE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Machine names: [a-z0-9-], 1-63 characters, not starting with '-'. On false, *why says which rule
 * failed. */
bool name_is_valid_machine(const char *name, const char **why);
/* RFC 1123 host names: dot-separated labels of [A-Za-z0-9-], no label starting or ending with '-'.
 */
bool name_is_valid_hostname(const char *name);
/* Shell variable names: [A-Za-z_][A-Za-z0-9_]*. */
bool name_is_valid_env(const char *name);
/* The candidate nearest to word by edit distance, when near enough to be a likely typo; or NULL. */
const char *name_suggest(const char *word, const char *const *candidates, size_t count);

#endif
