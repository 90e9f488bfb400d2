/* SPDX-License-Identifier: MIT */
/* What ran: a JSON file in the machine's state folder recording each provisioner that succeeded,
 * keyed by its 1-based index and a digest of its content, so `up` on an existing machine does not
 * provision again while an edited provisioner (new digest) runs again.
 *
 *   {"version": 1, "provisioners": {"1": {"digest": "sha256:...", "kind": "shell",
 *                                         "finished": "2024-05-01T12:00:00Z"}}}
 */
#ifndef ROVE_PROVISION_PROVISION_RECORD_H
#define ROVE_PROVISION_PROVISION_RECORD_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

struct provisioner;

#define PROVISION_RECORD_NAME "provisioned.json"

/* "sha256:HEX" over everything that decides what the provisioner does: kind, privileged, inline
 * text, the script file's bytes, arguments, environment, and for file: the source's bytes, names
 * and modes (folders recursively) and the destination. Newly allocated, or NULL with *err set when
 * a source cannot be read. */
char *provisioner_digest(const struct provisioner *p, char **err);
/* The record at path; an empty record when the file does not exist. NULL with *err set when the
 * file is unreadable or not a record. */
struct json_object *provision_record_load(const char *path, char **err);
/* True when provisioner index (1-based) ran to success with this digest. */
bool provision_record_done(struct json_object *rec, size_t index, const char *digest);
/* Notes that provisioner index (1-based) of the given kind ran to success with this digest. */
void provision_record_mark(struct json_object *rec, size_t index, const char *digest,
                           const char *kind);
/* Writes the record atomically (mode 0600). Returns 0 or -1 with *err set. */
int provision_record_save(const char *path, struct json_object *rec, char **err);
/* "shell", "script" or "file". */
const char *provisioner_kind_name(const struct provisioner *p);

#endif
