/* SPDX-License-Identifier: MIT */
#include "provision/insecure_key.h"
#include "provision/guest_conn.h"
#include "provision/guest_exec.h"
#include "provision/prov_error.h"
#include "provision/shell_quote.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* Verbatim from Vagrant (keys/vagrant, keys/vagrant.pub). */
const char vagrant_insecure_private_key[] =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEogIBAAKCAQEA6NF8iallvQVp22WDkTkyrtvp9eWW6A8YVr+kz4TjGYe7gHzI\n"
    "w+niNltGEFHzD8+v1I2YJ6oXevct1YeS0o9HZyN1Q9qgCgzUFtdOKLv6IedplqoP\n"
    "kcmF0aYet2PkEDo3MlTBckFXPITAMzF8dJSIFo9D8HfdOV0IAdx4O7PtixWKn5y2\n"
    "hMNG0zQPyUecp4pzC6kivAIhyfHilFR61RGL+GPXQ2MWZWFYbAGjyiYJnAmCP3NO\n"
    "Td0jMZEnDkbUvxhMmBYSdETk1rRgm+R4LOzFUGaHqHDLKLX+FIPKcF96hrucXzcW\n"
    "yLbIbEgE98OHlnVYCzRdK8jlqm8tehUc9c9WhQIBIwKCAQEA4iqWPJXtzZA68mKd\n"
    "ELs4jJsdyky+ewdZeNds5tjcnHU5zUYE25K+ffJED9qUWICcLZDc81TGWjHyAqD1\n"
    "Bw7XpgUwFgeUJwUlzQurAv+/ySnxiwuaGJfhFM1CaQHzfXphgVml+fZUvnJUTvzf\n"
    "TK2Lg6EdbUE9TarUlBf/xPfuEhMSlIE5keb/Zz3/LUlRg8yDqz5w+QWVJ4utnKnK\n"
    "iqwZN0mwpwU7YSyJhlT4YV1F3n4YjLswM5wJs2oqm0jssQu/BT0tyEXNDYBLEF4A\n"
    "sClaWuSJ2kjq7KhrrYXzagqhnSei9ODYFShJu8UWVec3Ihb5ZXlzO6vdNQ1J9Xsf\n"
    "4m+2ywKBgQD6qFxx/Rv9CNN96l/4rb14HKirC2o/orApiHmHDsURs5rUKDx0f9iP\n"
    "cXN7S1uePXuJRK/5hsubaOCx3Owd2u9gD6Oq0CsMkE4CUSiJcYrMANtx54cGH7Rk\n"
    "EjFZxK8xAv1ldELEyxrFqkbE4BKd8QOt414qjvTGyAK+OLD3M2QdCQKBgQDtx8pN\n"
    "CAxR7yhHbIWT1AH66+XWN8bXq7l3RO/ukeaci98JfkbkxURZhtxV/HHuvUhnPLdX\n"
    "3TwygPBYZFNo4pzVEhzWoTtnEtrFueKxyc3+LjZpuo+mBlQ6ORtfgkr9gBVphXZG\n"
    "YEzkCD3lVdl8L4cw9BVpKrJCs1c5taGjDgdInQKBgHm/fVvv96bJxc9x1tffXAcj\n"
    "3OVdUN0UgXNCSaf/3A/phbeBQe9xS+3mpc4r6qvx+iy69mNBeNZ0xOitIjpjBo2+\n"
    "dBEjSBwLk5q5tJqHmy/jKMJL4n9ROlx93XS+njxgibTvU6Fp9w+NOFD/HvxB3Tcz\n"
    "6+jJF85D5BNAG3DBMKBjAoGBAOAxZvgsKN+JuENXsST7F89Tck2iTcQIT8g5rwWC\n"
    "P9Vt74yboe2kDT531w8+egz7nAmRBKNM751U/95P9t88EDacDI/Z2OwnuFQHCPDF\n"
    "llYOUI+SpLJ6/vURRbHSnnn8a/XG+nzedGH5JGqEJNQsz+xT2axM0/W/CRknmGaJ\n"
    "kda/AoGANWrLCz708y7VYgAtW2Uf1DPOIYMdvo6fxIB5i9ZfISgcJ/bbCUkFrhoH\n"
    "+vq/5CIWxCPp0f85R4qxxQ5ihxJ0YDQT9Jpx4TMss4PSavPaBH3RXow5Ohe+bYoQ\n"
    "NE5OgEXk2wVfZczCZpigBKbKZHNYcelXtTt/nP3rsCuGcM4h53s=\n"
    "-----END RSA PRIVATE KEY-----\n";

const char vagrant_insecure_public_key[] =
    "ssh-rsa "
    "AAAAB3NzaC1yc2EAAAABIwAAAQEA6NF8iallvQVp22WDkTkyrtvp9eWW6A8YVr+kz4TjGYe7gHzIw+niNltGEFHzD8+"
    "v1I2YJ6oXevct1YeS0o9HZyN1Q9qgCgzUFtdOKLv6IedplqoPkcmF0aYet2PkEDo3MlTBckFXPITAMzF8dJSIFo9D8HfdO"
    "V0IAdx4O7PtixWKn5y2hMNG0zQPyUecp4pzC6kivAIhyfHilFR61RGL+"
    "GPXQ2MWZWFYbAGjyiYJnAmCP3NOTd0jMZEnDkbUvxhMmBYSdETk1rRgm+R4LOzFUGaHqHDLKLX+"
    "FIPKcF96hrucXzcWyLbIbEgE98OHlnVYCzRdK8jlqm8tehUc9c9WhQ== vagrant insecure public key";

/* The "TYPE BASE64" public half of the private key file. */
static char *public_key_of(const char *private_path, char **err)
{
    ssh_key priv = NULL, pub = NULL;
    char *b64 = NULL, *line = NULL;
    if (ssh_pki_import_privkey_file(private_path, NULL, NULL, NULL, &priv) != SSH_OK ||
        ssh_pki_export_privkey_to_pubkey(priv, &pub) != SSH_OK ||
        ssh_pki_export_pubkey_base64(pub, &b64) != SSH_OK)
        prov_fail(err, "cannot read the private key %s", private_path);
    else
        line = xasprintf("%s %s", ssh_key_type_to_char(ssh_key_type(pub)), b64);
    ssh_string_free_char(b64);
    ssh_key_free(pub);
    ssh_key_free(priv);
    return line;
}

static int run_checked(struct guest_conn *c, const char *what, const char *script, char **err)
{
    struct strbuf errout = STRBUF_INIT;
    int status = -1;
    int rc = guest_exec_capture(c, script, NULL, &errout, &status, err);
    if (rc == 0 && status != 0)
        rc = prov_fail(err, "machine %s: cannot %s (exit status %d): %s", c->machine, what, status,
                       sb_str(&errout));
    sb_release(&errout);
    return rc;
}

/* Appends the key unless present; adds the newline a hand-edited file may lack first. */
static char *append_key_script(const char *key)
{
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, "set -e; umask 077; mkdir -p ~/.ssh; f=~/.ssh/authorized_keys; touch \"$f\"; "
                "if [ -n \"$(tail -c 1 \"$f\")\" ]; then echo >> \"$f\"; fi; k=");
    sh_quote(&sb, key);
    sb_add(&sb, "; grep -qxF \"$k\" \"$f\" || printf '%s\\n' \"$k\" >> \"$f\"; "
                "chmod 0600 \"$f\"; chmod 0700 ~/.ssh");
    return sb_detach(&sb);
}

/* Keeps every line but those holding the insecure key's base64 blob; replaces the file in one
 * rename so a failure cannot leave it half written. */
static char *remove_key_script(void)
{
    char *blob = xstrdup(strchr(vagrant_insecure_public_key, ' ') + 1);
    *strchr(blob, ' ') = '\0';
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, "set -e; f=~/.ssh/authorized_keys; t=$(mktemp \"$f.XXXXXX\"); rc=0; "
                "grep -vF -e ");
    sh_quote(&sb, blob);
    sb_add(&sb, " \"$f\" > \"$t\" || rc=$?; if [ \"$rc\" -gt 1 ]; then rm -f \"$t\"; exit 1; fi; "
                "chmod 0600 \"$t\"; mv -f \"$t\" \"$f\"");
    free(blob);
    return sb_detach(&sb);
}

int guest_remove_insecure_key(struct guest_conn *c, char **err)
{
    char *remove = remove_key_script();
    int rc =
        run_checked(c, "remove Vagrant's insecure key from ~/.ssh/authorized_keys", remove, err);
    free(remove);
    return rc;
}

int guest_replace_insecure_key(const struct guest_target *t, struct guest_conn **out, char **err)
{
    char *key = public_key_of(t->key_path, err);
    if (!key)
        return -1;
    struct guest_target insecure = *t;
    insecure.key_path = NULL;
    insecure.key_data = vagrant_insecure_private_key;
    insecure.trust_on_first_use = true;
    struct guest_conn *first = NULL, *second = NULL;
    char *append = append_key_script(key), *remove = remove_key_script();
    int rc = -1;
    if (guest_connect(&insecure, &first, err) != GUEST_CONNECTED)
        goto out;
    if (run_checked(first, "add the machine's key to ~/.ssh/authorized_keys", append, err) < 0)
        goto out;
    /* The host key is known by now: the new key's connection verifies it, no trust needed. */
    struct guest_target checked = *t;
    checked.trust_on_first_use = false;
    if (guest_connect(&checked, &second, err) != GUEST_CONNECTED)
        goto out;
    rc = run_checked(second, "remove Vagrant's insecure key from ~/.ssh/authorized_keys", remove,
                     err);
    if (rc == 0 && out) {
        *out = second; /* the machine's key works: this connection is the caller's */
        second = NULL;
    }
out:
    guest_disconnect(first);
    guest_disconnect(second);
    free(append);
    free(remove);
    free(key);
    return rc;
}
