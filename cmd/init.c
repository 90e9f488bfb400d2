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

static const char usage[] =
    "usage: rove init [BOX] [--template NAME | --minimal] [--force] [-f FILE]\n"
    "\n"
    "Writes machinefile.yaml (or FILE) in the working folder from a template, with BOX as the box\n"
    "(default: " DEFAULT_BOX ").\n"
    "\n"
    "  --template NAME  default (one machine, commented), multi (web + db) or minimal\n"
    "  --minimal        the same as --template minimal: no comments, one machine\n"
    "  --force          overwrite an existing file\n";

static struct {
    const char *template_name;
    bool force;
} opts;

enum { OPT_TEMPLATE = 0x200, OPT_MINIMAL, OPT_FORCE };

static const struct option longopts[] = {
    {"template", required_argument, NULL, OPT_TEMPLATE},
    {"minimal", no_argument, NULL, OPT_MINIMAL},
    {"force", no_argument, NULL, OPT_FORCE},
    {NULL, 0, NULL, 0},
};

static int init_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
    (void)ctx;
    if (opt == OPT_TEMPLATE)
        opts.template_name = arg;
    else if (opt == OPT_MINIMAL)
        opts.template_name = "minimal";
    else if (opt == OPT_FORCE)
        opts.force = true;
    return 0;
}

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
    const char *name = opts.template_name ? opts.template_name : "default";
    const char *text = find_template(name);
    if (!text)
        return list_templates_error(ctx->cmd, name);
    const char *path = ctx->machinefile_path ? ctx->machinefile_path : MACHINEFILE_NAME;
    if (fs_exists(path) && !opts.force) {
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
    .usage = usage,
    .longopts = longopts,
    .option = init_option,
};
