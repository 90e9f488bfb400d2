/* SPDX-License-Identifier: MIT */
/* Internal to machine/: the pieces of the machinefile parser. */
#ifndef ROVE_MACHINE_MF_PARSE_H
#define ROVE_MACHINE_MF_PARSE_H

#include "machine/machinefile.h"
#include "machine/yaml_walk.h"

/* The keys a machine (and `defaults`) may hold. */
extern const struct yw_field machine_fields[];

/* Reads one `provision:` item; false (after errors) when it is not valid. */
bool provisioner_read(struct yaml_walk *w, yaml_node_t *item, struct provisioner *out);
void provisioner_clear(struct provisioner *p);
/* A deep copy, for merging defaults into machines. */
void provisioner_copy(struct provisioner *dst, const struct provisioner *src);

/* Reads a machine's (or `defaults`') mapping into m: its keys, and provider sections. */
void machine_read(struct yaml_walk *w, yaml_node_t *map, const char *what, struct machine *m);
void machine_merge_sections(struct machine *m, const struct machine *defaults);
void machine_clear_sections(struct machine *m);

/* Syntax of "TYPE:HEX" checksums. */
bool checksum_is_valid(const char *text, const char **why);

/* Fills what m leaves unset from defaults; lists of defaults come first. */
void machine_merge_defaults(struct machine *m, const struct machine *defaults);
/* Frees what m owns, not m itself. */
void machine_clear(struct machine *m);

#endif
