/* SPDX-License-Identifier: MIT */
/* The resource journal of a machine: every resource a provider creates is recorded (appended and
 * synced to disk) BEFORE it is created, so that `destroy` can always undo a half-finished `up`,
 * even one killed with -9. Destroy replays the records in reverse and appends a release record for
 * each resource it removed, so an interrupted destroy resumes where it stopped.
 *
 * Format: one JSON object per line.
 *   {"seq":1,"op":"create","kind":"volume","id":"rove-1a2b3c4d-web.qcow2","data":{...}}
 *   {"seq":2,"op":"release","ref":1}
 * A record is complete when its line ends with a newline; a torn last line (a crash mid-write) is
 * ignored when read and cut off before the next append. */
#ifndef ROVE_MACHINE_JOURNAL_H
#define ROVE_MACHINE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

struct journal_record {
    long seq;
    char *kind;
    char *id;
    char *data; /* JSON text, or NULL */
    bool released;
};

struct journal {
    struct journal_record *records; /* "create" records, oldest first */
    size_t count;
    size_t torn_bytes; /* bytes of an incomplete last record, ignored */
    size_t bad_lines;  /* complete lines that were not valid records, ignored */
    long next_seq;
};

/* Appends a create record; data is JSON text or NULL. Returns 0 (and the record's seq through
 * seq_out when not NULL), or -1 with errno set. */
int journal_append(const char *path, const char *kind, const char *id, const char *data,
                   long *seq_out);
/* Marks the record seq as undone. Returns 0, or -1 with errno set. */
int journal_release(const char *path, long seq);
/* Reads every complete record; a missing journal is an empty one. Returns 0, or -1 with errno. */
int journal_read(const char *path, struct journal *j);
void journal_free(struct journal *j);
/* Number of records not yet released. */
size_t journal_pending(const struct journal *j);

/* Calls undo for each record not yet released, newest first; releases each one undo succeeded on
 * (undo returns 0). Goes on past failures. Returns the number of records left pending, or -1 when
 * the journal cannot be read. */
int journal_replay_reverse(const char *path,
                           int (*undo)(const struct journal_record *record, void *ctx), void *ctx);

#endif
