/* SPDX-License-Identifier: MIT */
#include "cli/options.h"
#include "util/strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define LINE_WIDTH 96

struct parse {
    const struct opt_table *tables;
    size_t ntables;
    /* which option last set each OPTK_SET field, to name the pair that excludes each other */
    const struct opt *set_by[32];
    void *set_field[32];
    size_t nset;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parse *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static const struct opt *find_long(const struct parse *p, const char *name, size_t len,
                                   void **fields)
{
    for (size_t t = 0; t < p->ntables; t++)
        for (const struct opt *o = p->tables[t].opts; o->kind != OPTK_END; o++)
            if (o->long_name && strlen(o->long_name) == len && !strncmp(o->long_name, name, len)) {
                *fields = p->tables[t].fields;
                return o;
            }
    return NULL;
}

static const struct opt *find_short(const struct parse *p, char c, void **fields)
{
    for (size_t t = 0; t < p->ntables; t++)
        for (const struct opt *o = p->tables[t].opts; o->kind != OPTK_END; o++)
            if (o->short_name == c) {
                *fields = p->tables[t].fields;
                return o;
            }
    return NULL;
}

static bool takes_value(const struct opt *o)
{
    return o->kind == OPTK_STRING || o->kind == OPTK_COUNT || o->kind == OPTK_LIST;
}

/* "--name" or "-n", as the user wrote it, for messages. */
static const char *spelled(const struct opt *o, bool as_short, char *buf, size_t len)
{
    if (as_short)
        snprintf(buf, len, "-%c", o->short_name);
    else
        snprintf(buf, len, "--%s", o->long_name);
    return buf;
}

static int set_exclusive(struct parse *p, const struct opt *o, void *field)
{
    for (size_t i = 0; i < p->nset; i++) {
        if (p->set_field[i] != field)
            continue;
        if (p->set_by[i]->value != o->value)
            return fail(p, "--%s and --%s exclude each other", p->set_by[i]->long_name,
                        o->long_name);
        return 0;
    }
    if (p->nset < sizeof p->set_by / sizeof p->set_by[0]) {
        p->set_by[p->nset] = o;
        p->set_field[p->nset++] = field;
    }
    return 0;
}

static int parse_count(struct parse *p, const char *name, const char *arg, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < 1 || v > INT_MAX)
        return fail(p, "%s takes a whole number from 1, not '%s'", name, arg);
    *out = (int)v;
    return 0;
}

static int apply(struct parse *p, const struct opt *o, void *fields, const char *name,
                 const char *arg)
{
    char *field = (char *)fields + o->offset;
    switch (o->kind) {
    case OPTK_BOOL:
        *(bool *)field = true;
        return 0;
    case OPTK_SET:
        if (set_exclusive(p, o, field) < 0)
            return -1;
        *(int *)field = o->value;
        return 0;
    case OPTK_STRING:
        *(const char **)field = arg;
        return 0;
    case OPTK_COUNT:
        return parse_count(p, name, arg, (int *)field);
    case OPTK_LIST: {
        struct opt_list *l = (struct opt_list *)field;
        l->items = xrealloc(l->items, (l->count + 1) * sizeof *l->items);
        l->items[l->count++] = arg;
        return 0;
    }
    case OPTK_END:
        break;
    }
    return fail(p, "%s: unknown kind of option", name);
}

/* "--name[=value]" at argv[*i]; moves *i past a value taken from the next argument. */
static int parse_long(struct parse *p, int argc, char **argv, int *i)
{
    const char *a = argv[*i] + 2, *eq = strchr(a, '=');
    size_t len = eq ? (size_t)(eq - a) : strlen(a);
    void *fields;
    const struct opt *o = find_long(p, a, len, &fields);
    if (!o)
        return fail(p, "unknown option '--%.*s'", (int)len, a);
    char name[80];
    spelled(o, false, name, sizeof name);
    if (!takes_value(o)) {
        if (eq)
            return fail(p, "option '%s' takes no value", name);
        return apply(p, o, fields, name, NULL);
    }
    if (eq)
        return apply(p, o, fields, name, eq + 1);
    if (*i + 1 >= argc)
        return fail(p, "option '%s' needs a value", name);
    return apply(p, o, fields, name, argv[++*i]);
}

/* "-abc" or "-xVALUE" or "-x VALUE" at argv[*i]. */
static int parse_short(struct parse *p, int argc, char **argv, int *i)
{
    for (const char *c = argv[*i] + 1; *c; c++) {
        void *fields;
        const struct opt *o = find_short(p, *c, &fields);
        if (!o)
            return fail(p, "unknown option '-%c'", *c);
        char name[8];
        spelled(o, true, name, sizeof name);
        if (!takes_value(o)) {
            if (apply(p, o, fields, name, NULL) < 0)
                return -1;
            continue;
        }
        if (c[1])
            return apply(p, o, fields, name, c + 1);
        if (*i + 1 >= argc)
            return fail(p, "option '%s' needs a value", name);
        return apply(p, o, fields, name, argv[++*i]);
    }
    return 0;
}

static bool is_help(const char *a)
{
    return !strcmp(a, "-h") || !strcmp(a, "--help");
}

int opt_parse(const struct opt_table *tables, size_t ntables, int argc, char **argv, unsigned flags,
              struct opt_result *out, char *err, size_t errlen)
{
    struct parse p = {.tables = tables, .ntables = ntables, .err = err, .errlen = errlen};
    memset(out, 0, sizeof *out);
    out->args = xcalloc((size_t)argc + 1, sizeof *out->args);
    out->args_after_dashdash = -1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        void *unused;
        int rc = 0;
        if ((flags & OPT_STOP_AT_ARG) && (a[0] != '-' || !a[1])) {
            while (i < argc)
                out->args[out->nargs++] = argv[i++];
        } else if (out->args_after_dashdash >= 0 || a[0] != '-' || !a[1]) {
            out->args[out->nargs++] = argv[i];
            out->args_after_dashdash += out->args_after_dashdash >= 0;
        } else if (!strcmp(a, "--")) {
            out->args_after_dashdash = 0;
        } else if (is_help(a) && !(a[1] == 'h' && find_short(&p, 'h', &unused))) {
            out->help = true;
        } else {
            rc = a[1] == '-' ? parse_long(&p, argc, argv, &i) : parse_short(&p, argc, argv, &i);
        }
        if (rc < 0) {
            opt_result_release(out);
            return -1;
        }
    }
    return 0;
}

void opt_result_release(struct opt_result *r)
{
    free(r->args);
    memset(r, 0, sizeof *r);
}

void opt_release_fields(const struct opt *opts, void *fields)
{
    for (const struct opt *o = opts; o && o->kind != OPTK_END; o++)
        if (o->kind == OPTK_LIST)
            free(((struct opt_list *)((char *)fields + o->offset))->items);
}

/* ---- usage text ---- */

static void add_one(struct strbuf *sb, const struct opt *o)
{
    if (o->short_name && o->long_name)
        sb_addf(sb, "-%c|--%s", o->short_name, o->long_name);
    else if (o->short_name)
        sb_addf(sb, "-%c", o->short_name);
    else
        sb_addf(sb, "--%s", o->long_name);
    if (takes_value(o))
        sb_addf(sb, " %s", o->arg_name ? o->arg_name : "VALUE");
}

/* The synopsis words of a table: one per option, an exclusive group as one word. */
static size_t synopsis_words(const struct opt *opts, char **words, size_t max)
{
    size_t n = 0;
    for (const struct opt *o = opts; o->kind != OPTK_END && n < max; o++) {
        struct strbuf sb = STRBUF_INIT;
        sb_addc(&sb, '[');
        add_one(&sb, o);
        while (o->kind == OPTK_SET && o[1].kind == OPTK_SET && o[1].offset == o->offset) {
            sb_add(&sb, " | ");
            add_one(&sb, ++o);
        }
        sb_addc(&sb, ']');
        if (o->kind == OPTK_LIST)
            sb_add(&sb, "...");
        words[n++] = sb_detach(&sb);
    }
    return n;
}

/* Appends word to line, starting a continuation line (indented by indent) when it would pass the
 * width. A line that is empty or only indentation takes the word without a space. */
static void wrap_word(FILE *out, struct strbuf *line, const char *word, int indent)
{
    bool fresh = line->len == 0 || line->buf[line->len - 1] == ' ';
    if (!fresh && line->len + 1 + strlen(word) > LINE_WIDTH) {
        fprintf(out, "%s\n", sb_str(line));
        sb_reset(line);
        sb_addf(line, "%*s", indent, "");
    } else if (!fresh) {
        sb_addc(line, ' ');
    }
    sb_add(line, word);
}

/* Words of text separated by single spaces; a bracketed group ("[-- SSH-ARGS...]") stays whole. */
static void wrap_text_words(FILE *out, struct strbuf *line, const char *text, int indent)
{
    const char *p = text;
    while (p && *p) {
        while (*p == ' ')
            p++;
        const char *end = p;
        int depth = 0;
        while (*end && (depth > 0 || *end != ' ')) {
            depth += (*end == '[') - (*end == ']');
            end++;
        }
        if (end > p) {
            char *word = xstrndup(p, (size_t)(end - p));
            wrap_word(out, line, word, indent);
            free(word);
        }
        p = end;
    }
}

void opt_print_synopsis(FILE *out, const char *head, const struct opt *const *tables,
                        size_t ntables, const char *tail, int indent)
{
    struct strbuf line = STRBUF_INIT;
    wrap_text_words(out, &line, head, indent);
    for (size_t t = 0; t < ntables; t++) {
        char *words[64];
        size_t n = synopsis_words(tables[t], words, 64);
        for (size_t i = 0; i < n; i++) {
            wrap_word(out, &line, words[i], indent);
            free(words[i]);
        }
    }
    if (tail)
        wrap_word(out, &line, tail, indent); /* "-- COMMAND [ARG...]" stays on one line */
    fprintf(out, "%s\n", sb_str(&line));
    sb_release(&line);
}

void opt_print_help(FILE *out, const struct opt *opts)
{
    int column = 0;
    for (const struct opt *o = opts; o->kind != OPTK_END; o++) {
        struct strbuf sb = STRBUF_INIT;
        add_one(&sb, o);
        column = column > (int)sb.len ? column : (int)sb.len;
        sb_release(&sb);
    }
    column = column > 24 ? 24 : column;
    for (const struct opt *o = opts; o->kind != OPTK_END; o++) {
        struct strbuf line = STRBUF_INIT;
        if (o->short_name)
            sb_addf(&line, "  -%c%s", o->short_name, o->long_name ? ", " : "");
        else
            sb_add(&line, "      ");
        if (o->long_name)
            sb_addf(&line, "--%s", o->long_name);
        if (takes_value(o))
            sb_addf(&line, " %s", o->arg_name ? o->arg_name : "VALUE");
        int indent = column + 8;
        if ((int)line.len + 2 > indent) {
            fprintf(out, "%s\n", sb_str(&line));
            sb_reset(&line);
        }
        while ((int)line.len < indent)
            sb_addc(&line, ' ');
        wrap_text_words(out, &line, o->help, indent);
        fprintf(out, "%s\n", sb_str(&line));
        sb_release(&line);
    }
}

void opt_print_wrapped(FILE *out, const char *text)
{
    char *copy = xstrdup(text);
    for (char *para = copy; para && *para;) {
        char *next = strstr(para, "\n\n");
        if (next)
            *next = '\0';
        for (char *c = para; *c; c++)
            if (*c == '\n')
                *c = ' ';
        struct strbuf line = STRBUF_INIT;
        wrap_text_words(out, &line, para, 0);
        if (line.len)
            fprintf(out, "%s\n", sb_str(&line));
        sb_release(&line);
        para = next ? next + 2 : NULL;
        if (para && *para)
            fputc('\n', out);
    }
    free(copy);
}
