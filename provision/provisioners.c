/* SPDX-License-Identifier: MIT */
#include "provision/provisioners.h"
#include "machine/machinefile.h"
#include "provision/guest_conn.h"
#include "provision/guest_exec.h"
#include "provision/guest_upload.h"
#include "provision/prov_error.h"
#include "provision/provision_record.h"
#include "provision/shell_quote.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define DESCRIBE_MAX 60

char *provisioner_describe(const struct provisioner *p)
{
    switch (p->kind) {
    case PROVISION_SHELL: {
        const char *text = p->inline_script ? p->inline_script : "";
        while (*text == '\n' || *text == ' ')
            text++;
        size_t len = strcspn(text, "\n");
        bool cut = len > DESCRIBE_MAX || text[len] == '\n';
        if (len > DESCRIBE_MAX)
            len = DESCRIBE_MAX;
        return xasprintf("shell: %.*s%s", (int)len, text, cut ? " ..." : "");
    }
    case PROVISION_SCRIPT:
        return xasprintf("script %s", p->script);
    case PROVISION_FILE:
        return xasprintf("file %s -> %s", p->src, p->dest);
    }
    return xstrdup("unknown provisioner");
}

/* One provisioner's run: its private folder in the guest's /tmp and what it needs. */
struct step {
    struct guest_conn *c;
    const struct provisioner *p;
    const struct provision_options *o;
    size_t index; /* 1-based */
    char *dir;    /* remote temporary folder */
    bool dir_removed;
    char **err;
};

/* A fresh private folder; mkdir (not "mkdir -p") fails on an existing name, so nothing another
 * user of the guest prepared in /tmp can be used in its place. */
static int make_remote_dir(struct step *s)
{
    unsigned char rnd[6];
    if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
        return prov_fail(s->err, "cannot get random bytes for a temporary name");
    s->dir = xasprintf("/tmp/rove-provision-%zu-%02x%02x%02x%02x%02x%02x", s->index, rnd[0], rnd[1],
                       rnd[2], rnd[3], rnd[4], rnd[5]);
    return guest_mkdir(s->c, s->dir, 0700, s->err);
}

static const char *sudo_prefix(const struct provisioner *p)
{
    /* -n: a box without passwordless sudo fails at once instead of waiting for a password. */
    return p->privileged ? "sudo -n " : "";
}

static void remove_remote_dir(struct step *s)
{
    if (!s->dir || s->dir_removed)
        return;
    char *quoted = sh_quoted(s->dir);
    char *cmd = xasprintf("%srm -rf %s", sudo_prefix(s->p), quoted);
    int status = 0;
    guest_exec_capture(s->c, cmd, NULL, NULL, &status, NULL);
    free(cmd);
    free(quoted);
}

/* Runs command with output prefixed by the machine's name; a non-zero exit is the step's error. */
static int run_step_command(struct step *s, const char *command)
{
    char *prefix = xasprintf("%s: ", s->o->machine);
    struct exec_output out = {.prefix = prefix, .out_fd = s->o->out_fd, .err_fd = s->o->err_fd};
    int status = -1;
    int rc = guest_exec(s->c, command, &out, &status, s->err);
    free(prefix);
    if (rc < 0 || status == 0)
        return rc;
    char *what = provisioner_describe(s->p);
    prov_fail(s->err, "machine %s: provisioner %zu (%s) failed with exit status %d", s->o->machine,
              s->index, what, status);
    free(what);
    return -1;
}

/* The wrapper sets the environment and runs the real program: one layer of quoting, no limit on
 * the size of values, and sudo cannot drop the variables (it runs the wrapper, which sets them). */
static int run_with_wrapper(struct step *s, const char *program_line)
{
    struct strbuf wrapper = STRBUF_INIT;
    const struct env_var *bad = NULL;
    if (sh_export_lines(&wrapper, s->p->env, s->p->nenv, &bad) < 0) {
        sb_release(&wrapper);
        return prov_fail(s->err,
                         "machine %s: provisioner %zu: invalid environment variable name "
                         "\"%s\" (letters, digits and '_', not starting with a digit)",
                         s->o->machine, s->index, bad->name);
    }
    sb_add(&wrapper, program_line);
    char *wrapper_path = xasprintf("%s/run.sh", s->dir);
    char *quoted = sh_quoted(wrapper_path), *dir = sh_quoted(s->dir);
    /* The private folder goes in the same command: another command costs a process start in the
     * guest, which under emulation is a good part of a short provisioner's time. */
    char *command = xasprintf("%ssh -c 'sh \"$1\"; s=$?; rm -rf -- \"$2\"; exit $s' sh %s %s",
                              sudo_prefix(s->p), quoted, dir);
    int rc = guest_upload_data(s->c, wrapper.buf, wrapper.len, wrapper_path, 0600, s->err);
    if (rc == 0)
        rc = run_step_command(s, command);
    if (rc == 0)
        s->dir_removed = true;
    sb_release(&wrapper);
    free(wrapper_path);
    free(quoted);
    free(dir);
    free(command);
    return rc;
}

static int run_shell(struct step *s)
{
    const char *text = s->p->inline_script ? s->p->inline_script : "";
    char *path = xasprintf("%s/inline.sh", s->dir);
    char *quoted = sh_quoted(path);
    char *line = xasprintf("exec sh %s\n", quoted);
    int rc = guest_upload_data(s->c, text, strlen(text), path, 0600, s->err);
    if (rc == 0)
        rc = run_with_wrapper(s, line);
    free(path);
    free(quoted);
    free(line);
    return rc;
}

static int run_script(struct step *s)
{
    const char *slash = strrchr(s->p->script, '/');
    char *path = xasprintf("%s/%s", s->dir, slash ? slash + 1 : s->p->script);
    struct strbuf line = STRBUF_INIT;
    sb_add(&line, "exec ");
    sh_quote(&line, path);
    for (size_t i = 0; i < s->p->nargs; i++) {
        sb_addc(&line, ' ');
        sh_quote(&line, s->p->args[i]);
    }
    sb_addc(&line, '\n');
    char *data = NULL;
    size_t len = 0;
    int rc = -1;
    if (fs_read_file(s->p->script, &data, &len) < 0)
        prov_fail(s->err, "machine %s: provisioner %zu: cannot read script %s", s->o->machine,
                  s->index, s->p->script);
    else if (guest_upload_data(s->c, data, len, path, 0755, s->err) == 0)
        rc = run_with_wrapper(s, line.buf);
    free(data);
    free(path);
    sb_release(&line);
    return rc;
}

/* Unprivileged: straight to the destination over SFTP. Privileged: to the private folder, then
 * copied into place by root, so destinations like /etc work. */
static int run_file(struct step *s)
{
    if (!s->p->privileged) {
        char *parent = fs_dirname(s->p->dest);
        int rc = guest_mkdir_p(s->c, parent, 0755, s->err);
        free(parent);
        return rc < 0 ? rc : guest_upload(s->c, s->p->src, s->p->dest, s->err);
    }
    char *payload = xasprintf("%s/payload", s->dir);
    int rc = guest_upload(s->c, s->p->src, payload, s->err);
    if (rc == 0) {
        char *src = sh_quoted(payload), *dest = sh_quoted(s->p->dest);
        char *parent_raw = fs_dirname(s->p->dest);
        char *parent = sh_quoted(parent_raw);
        char *cmd =
            fs_is_dir(s->p->src)
                ? xasprintf("sudo -n sh -c 'mkdir -p -- \"$1\" && cp -R -- \"$2\"/. \"$1\"/' "
                            "sh %s %s",
                            dest, src)
                : xasprintf("sudo -n sh -c 'mkdir -p -- \"$1\" && cp -- \"$2\" \"$3\"' sh "
                            "%s %s %s",
                            parent, src, dest);
        rc = run_step_command(s, cmd);
        free(cmd);
        free(src);
        free(dest);
        free(parent);
        free(parent_raw);
    }
    free(payload);
    return rc;
}

static int run_one(struct step *s)
{
    if (make_remote_dir(s) < 0)
        return -1;
    int rc = -1;
    switch (s->p->kind) {
    case PROVISION_SHELL:
        rc = run_shell(s);
        break;
    case PROVISION_SCRIPT:
        rc = run_script(s);
        break;
    case PROVISION_FILE:
        rc = run_file(s);
        break;
    }
    remove_remote_dir(s);
    return rc;
}

int provision_run(struct guest_conn *c, const struct provisioner *list, size_t n,
                  const struct provision_options *o, char **err)
{
    char *record_path = fs_join(o->state_dir, PROVISION_RECORD_NAME);
    struct json_object *record = provision_record_load(record_path, err);
    int rc = record ? 0 : -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct provisioner *p = &list[i];
        char *digest = provisioner_digest(p, err);
        if (!digest) {
            rc = -1;
            break;
        }
        char *what = provisioner_describe(p);
        bool skip = p->run == PROVISION_RUN_ONCE && !o->force &&
                    provision_record_done(record, i + 1, digest);
        if (skip) {
            log_info("%s: provisioner %zu/%zu (%s) already ran; skipping", o->machine, i + 1, n,
                     what);
        } else {
            log_info("%s: running provisioner %zu/%zu (%s)", o->machine, i + 1, n, what);
            struct step s = {c, p, o, i + 1, NULL, false, err};
            rc = run_one(&s);
            free(s.dir);
            if (rc == 0) {
                provision_record_mark(record, i + 1, digest, provisioner_kind_name(p));
                rc = provision_record_save(record_path, record, err);
            }
        }
        free(what);
        free(digest);
    }
    json_object_put(record);
    free(record_path);
    return rc;
}
