/* SPDX-License-Identifier: MIT */
/* rove init: writes machinefile.yaml from a template compiled into the binary. */
#include "cli/cmd.h"
#include "machine/machinefile.h"
#include "templates/embedded.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BOX "debian/bookworm64"

struct init_args {
    const char *template_name;
    bool minimal;
    bool force;
};

static const struct opt init_opts[] = {
    OPT_STRING(0, "template", struct init_args, template_name, "default|multi|minimal",
               "default (one machine, commented), multi (web + db) or minimal"),
    OPT_BOOL(0, "minimal", struct init_args, minimal,
             "the same as --template minimal: no comments, one machine"),
    OPT_BOOL(0, "force", struct init_args, force, "overwrite an existing file"),
    OPT_END,
};

static const char *find_template(const char *name)
{
    for (const struct embedded_file *t = machinefile_templates; t->name; t++)
        if (!strcmp(t->name, name))
            return t->text;
    return NULL;
}

/* The box as a YAML scalar: plain when that is unambiguous, double-quoted otherwise. */
static void add_yaml_scalar(struct strbuf *out, const char *value)
{
    size_t safe =
        strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./_-:");
    if (value[0] && !value[safe] && value[0] != '-' && !strstr(value, ": ")) {
        sb_add(out, value);
        return;
    }
    sb_addc(out, '"');
    for (const char *c = value; *c; c++) {
        if (*c == '"' || *c == '\\')
            sb_addc(out, '\\');
        sb_addc(out, *c);
    }
    sb_addc(out, '"');
}

static char *render(const char *template_text, const char *box)
{
    struct strbuf out = STRBUF_INIT;
    const char *p = template_text, *mark;
    while ((mark = strstr(p, "{{box}}"))) {
        sb_addn(&out, p, (size_t)(mark - p));
        add_yaml_scalar(&out, box);
        p = mark + strlen("{{box}}");
    }
    sb_add(&out, p);
    return sb_detach(&out);
}

static int list_templates_error(const struct cmd *cmd, const char *name)
{
    struct strbuf names = STRBUF_INIT;
    for (const struct embedded_file *t = machinefile_templates; t->name; t++)
        sb_addf(&names, "%s%s", names.len ? ", " : "", t->name);
    int rc = cmd_usage_error(cmd, "no template named '%s' (templates: %s)", name, sb_str(&names));
    sb_release(&names);
    return rc;
}

static int run_init(struct cmd_ctx *ctx, int argc, char **argv)
{
    if (argc > 1)
        return cmd_usage_error(ctx->cmd, "too many arguments");
    const char *box = argc ? argv[0] : DEFAULT_BOX;
    if (!*box || strpbrk(box, "\n\r\t"))
        return cmd_usage_error(ctx->cmd, "'%s' is not a box name, URL or path", box);
    const struct init_args *a = ctx->args;
    if (a->minimal && a->template_name && strcmp(a->template_name, "minimal"))
        return cmd_usage_error(ctx->cmd, "--template %s and --minimal exclude each other",
                               a->template_name);
    const char *name = a->minimal ? "minimal" : a->template_name ? a->template_name : "default";
    const char *text = find_template(name);
    if (!text)
        return list_templates_error(ctx->cmd, name);
    const char *path =
        ctx->common.machinefile_path ? ctx->common.machinefile_path : MACHINEFILE_NAME;
    if (fs_exists(path) && !a->force) {
        log_error("%s already exists; use --force to overwrite it", path);
        return EXIT_FAIL;
    }
    char *rendered = render(text, box);
    int rc = EXIT_OK;
    if (fs_write_atomic(path, rendered, strlen(rendered), 0644) < 0) {
        log_error("cannot write %s: %s", path, strerror(errno));
        rc = EXIT_FAIL;
    } else {
        log_info("wrote %s (template '%s', box %s); next: rove up", path, name, box);
    }
    free(rendered);
    return rc;
}

const struct cmd cmd_init = {
    .name = "init",
    .run = run_init,
    .summary = "write a machinefile.yaml from a template",
    .args = "[BOX]",
    .description =
        "Writes machinefile.yaml (or FILE, given with -f) in the working folder from a template,\n"
        "with BOX as the box (default: " DEFAULT_BOX ").\n",
    .options = init_opts,
    .args_size = sizeof(struct init_args),
};
