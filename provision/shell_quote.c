/* SPDX-License-Identifier: MIT */
#include "provision/shell_quote.h"
#include "machine/machinefile.h"
#include "util/strbuf.h"

void sh_quote(struct strbuf *out, const char *s)
{
    sb_addc(out, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            sb_add(out, "'\\''");
        else
            sb_addc(out, *s);
    }
    sb_addc(out, '\'');
}

char *sh_quoted(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    sh_quote(&sb, s);
    return sb_detach(&sb);
}

bool sh_is_env_name(const char *name)
{
    if (!name || !*name || (*name >= '0' && *name <= '9'))
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

int sh_export_lines(struct strbuf *out, const struct env_var *env, size_t n,
                    const struct env_var **bad)
{
    for (size_t i = 0; i < n; i++) {
        if (!sh_is_env_name(env[i].name)) {
            if (bad)
                *bad = &env[i];
            return -1;
        }
        sb_addf(out, "export %s=", env[i].name);
        sh_quote(out, env[i].value ? env[i].value : "");
        sb_addc(out, '\n');
    }
    return 0;
}
