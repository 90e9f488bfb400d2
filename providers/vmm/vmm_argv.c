/* SPDX-License-Identifier: MIT */
#include "providers/vmm/vmm_argv.h"
#include "util/strbuf.h"

#include <stdlib.h>

struct argv_builder {
    char **argv;
    size_t n;
};

static void push(struct argv_builder *b, char *arg)
{
    b->argv = xrealloc(b->argv, (b->n + 2) * sizeof *b->argv);
    b->argv[b->n++] = arg;
    b->argv[b->n] = NULL;
}

static void push_pair(struct argv_builder *b, const char *flag, char *value)
{
    push(b, xstrdup(flag));
    push(b, value);
}

char **vmm_argv_build(const char *binary, const struct vmm_record *r,
                      const struct vmm_runtime_paths *p)
{
    struct argv_builder b = {0};
    push(&b, xstrdup(binary));
    push_pair(&b, "--kernel", xstrdup(r->kernel));
    if (r->initrd)
        push_pair(&b, "--initrd", xstrdup(r->initrd));
    if (r->cmdline && *r->cmdline)
        push_pair(&b, "--cmdline", xstrdup(r->cmdline));
    push_pair(&b, "--memory", xasprintf("%lluM", (unsigned long long)r->memory_mib));
    push_pair(&b, "--cpus", xasprintf("%d", r->cpus));
    push_pair(&b, "--disk", xstrdup(r->disk));
    if (r->seed)
        push_pair(&b, "--disk", xasprintf("%s,ro", r->seed));
    push_pair(&b, "--forward", xasprintf("tcp:127.0.0.1:%d-:22", r->ssh_port));
    for (size_t i = 0; i < r->nforwards; i++)
        push_pair(&b, "--forward",
                  xasprintf("%s:127.0.0.1:%d-:%d", r->forwards[i].proto, r->forwards[i].host,
                            r->forwards[i].guest));
    push_pair(&b, "--serial", xstrdup(p->serial));
    push_pair(&b, "--control", xstrdup(p->control));
    push_pair(&b, "--pidfile", xstrdup(p->pidfile));
    push(&b, xstrdup("--daemon"));
    return b.argv;
}

void vmm_argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}
