/* SPDX-License-Identifier: MIT */
/* POSIX shell quoting for text that rove puts into commands and scripts run in the guest. */
#ifndef ROVE_PROVISION_SHELL_QUOTE_H
#define ROVE_PROVISION_SHELL_QUOTE_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf;
struct env_var;

/* Appends s as one single-quoted shell word: every byte is literal inside single quotes (newlines
 * and $ included) except the quote itself, which is written as '\''. */
void sh_quote(struct strbuf *out, const char *s);
/* sh_quote() into a new string. */
char *sh_quoted(const char *s);
/* True for a valid environment variable name: [A-Za-z_][A-Za-z0-9_]*. */
bool sh_is_env_name(const char *name);
/* Appends one `export NAME='VALUE'` line per variable. Returns 0, or -1 when a name is invalid
 * (it would be interpreted by the shell), with *bad set to that variable. */
int sh_export_lines(struct strbuf *out, const struct env_var *env, size_t n,
                    const struct env_var **bad);

#endif
