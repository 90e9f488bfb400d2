/* SPDX-License-Identifier: MIT */
/* Options as data: each command declares its options as a table of struct opt (after git's
 * parse-options), parsed into a struct of the command's own that lives for one call. The usage
 * text's synopsis and option list are generated from the same table, so what `rove help` shows
 * is what is accepted.
 *
 *   struct up_args { bool destroy_on_error; enum provision_mode provision; };
 *   static const struct opt up_opts[] = {
 *       OPT_SET(0, "provision", struct up_args, provision, PROVISION_FORCE, "run every ..."),
 *       OPT_BOOL(0, "destroy-on-error", struct up_args, destroy_on_error, "destroy a new ..."),
 *       OPT_END,
 *   };
 */
#ifndef ROVE_CLI_OPTIONS_H
#define ROVE_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_kind {
    OPTK_END,
    OPTK_BOOL,   /* bool field set to true */
    OPTK_SET,    /* int (or enum) field set to value; options that set one field to different
                  * values exclude each other, and the synopsis shows them as [--a | --b] */
    OPTK_STRING, /* const char * field: the argument (the last one given wins) */
    OPTK_COUNT,  /* int field: a whole number from 1 to INT_MAX */
    OPTK_LIST,   /* struct opt_list field: every argument, in order (repeatable) */
};

struct opt {
    enum opt_kind kind;
    char short_name; /* 0: none */
    const char *long_name;
    const char *arg_name; /* what the argument is, in the synopsis: "SECONDS" */
    const char *help;     /* one sentence, lowercase, no full stop; wrapped for the terminal */
    size_t offset;        /* of the field in the command's argument struct */
    int value;            /* OPTK_SET */
};

struct opt_list {
    const char **items;
    size_t count;
};

#define OPT_BOOL(s, l, T, f, h)                                                                    \
    {                                                                                              \
        OPTK_BOOL, s, l, NULL, h, offsetof(T, f), 0                                                \
    }
#define OPT_SET(s, l, T, f, v, h)                                                                  \
    {                                                                                              \
        OPTK_SET, s, l, NULL, h, offsetof(T, f), (int)(v)                                          \
    }
#define OPT_STRING(s, l, T, f, a, h)                                                               \
    {                                                                                              \
        OPTK_STRING, s, l, a, h, offsetof(T, f), 0                                                 \
    }
#define OPT_COUNT(s, l, T, f, a, h)                                                                \
    {                                                                                              \
        OPTK_COUNT, s, l, a, h, offsetof(T, f), 0                                                  \
    }
#define OPT_LIST(s, l, T, f, a, h)                                                                 \
    {                                                                                              \
        OPTK_LIST, s, l, a, h, offsetof(T, f), 0                                                   \
    }
#define OPT_END                                                                                    \
    {                                                                                              \
        OPTK_END, 0, NULL, NULL, NULL, 0, 0                                                        \
    }

/* One table and the struct it fills. Tables are searched in order: the first that has an option
 * wins (a command's own -f, --force, before the common -f, --file). */
struct opt_table {
    const struct opt *opts;
    void *fields;
};

/* What parsing found besides the options. */
struct opt_result {
    char **args; /* positional arguments, in order (argv's strings, array allocated) */
    int nargs;
    int args_after_dashdash; /* how many of them came after "--"; -1: no "--" */
    bool help;               /* -h or --help was given */
};

/* Parses argv[0..argc) (after the command's name) against tables: options anywhere before
 * "--", GNU-style ("--name value", "--name=value", "-x value", "-xVALUE", "-ab"). Returns 0, or
 * -1 after writing why into err (an unknown option, a missing or bad value, two options that
 * exclude each other). */
enum { OPT_STOP_AT_ARG = 1 << 0 }; /* the first positional argument ends the options */
int opt_parse(const struct opt_table *tables, size_t ntables, int argc, char **argv, unsigned flags,
              struct opt_result *out, char *err, size_t errlen);
void opt_result_release(struct opt_result *r);
/* Frees what parsing allocated in fields (the arrays of OPTK_LIST options). */
void opt_release_fields(const struct opt *opts, void *fields);

/* Appends the table's synopsis ("[-f|--force] [--timeout SECONDS]...") to line, wrapped at the
 * terminal width with continuation lines indented by indent. */
void opt_print_synopsis(FILE *out, const char *head, const struct opt *const *tables,
                        size_t ntables, const char *tail, int indent);
/* The table's options, one per line, their help wrapped beside them. */
void opt_print_help(FILE *out, const struct opt *opts);

/* Text in paragraphs (separated by an empty line), each wrapped for the terminal. */
void opt_print_wrapped(FILE *out, const char *text);

#endif
