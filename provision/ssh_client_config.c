/* SPDX-License-Identifier: MIT */
#include "provision/ssh_client_config.h"
#include "provision/prov_error.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A path as one ssh_config argument: double-quoted (paths may hold spaces) and with '%' doubled,
 * because OpenSSH expands %-tokens in IdentityFile and UserKnownHostsFile. */
static int add_path(struct strbuf *sb, const char *keyword, const char *path, char **err)
{
    if (strpbrk(path, "\"\n\r"))
        return prov_fail(err,
                         "cannot write path \"%s\" into an ssh_config file (it contains a "
                         "double quote or a line break)",
                         path);
    sb_addf(sb, "  %s \"", keyword);
    for (const char *p = path; *p; p++) {
        if (*p == '%')
            sb_addc(sb, '%');
        sb_addc(sb, *p);
    }
    sb_add(sb, "\"\n");
    return 0;
}

char *ssh_client_config_text(const struct ssh_client_config *cfg, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "Host %s\n", cfg->name);
    sb_addf(&sb, "  HostName %s\n", cfg->host);
    sb_addf(&sb, "  Port %d\n", cfg->port);
    sb_addf(&sb, "  User %s\n", cfg->user);
    if (add_path(&sb, "IdentityFile", cfg->identity, err) < 0 ||
        add_path(&sb, "UserKnownHostsFile", cfg->known_hosts, err) < 0) {
        sb_release(&sb);
        return NULL;
    }
    sb_add(&sb, "  IdentitiesOnly yes\n");
    sb_add(&sb, "  StrictHostKeyChecking yes\n");
    sb_add(&sb, "  PasswordAuthentication no\n");
    sb_add(&sb, "  LogLevel ERROR\n");
    return sb_detach(&sb);
}

int ssh_client_config_write(const char *path, const struct ssh_client_config *cfg, char **err)
{
    char *text = ssh_client_config_text(cfg, err);
    if (!text)
        return -1;
    int rc = fs_write_atomic(path, text, strlen(text), 0600);
    int saved = errno;
    free(text);
    if (rc < 0)
        return prov_fail(err, "cannot write %s: %s", path, strerror(saved));
    return 0;
}
