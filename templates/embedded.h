/* SPDX-License-Identifier: MIT */
/* Files compiled into the binary (see cmake/embed.cmake). */
#ifndef ROVE_TEMPLATES_EMBEDDED_H
#define ROVE_TEMPLATES_EMBEDDED_H

struct embedded_file {
    const char *name; /* file name without its extension */
    const char *text;
};

/* The machinefile templates of `rove init`; ends with {NULL, NULL}. */
extern const struct embedded_file machinefile_templates[];

#endif
