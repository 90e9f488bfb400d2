/* SPDX-License-Identifier: MIT */
/* Snapshots of one machine (engine/snapshot.h). */
#include "engine/snapshot.h"
#include "engine/forward_ports.h"
#include "provision/guest_conn.h"
#include "provision/guest_exec.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void snapshot_list_clear(struct snapshot_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].name);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

const struct snapshot_entry *snapshot_list_find(const struct snapshot_list *l, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Names end up in libvirt's XML and in file names of its own: a small, safe alphabet. */
bool snapshot_name_valid(const char *machine, const char *name)
{
    size_t len = strlen(name);
    bool ok = len >= 1 && len <= SNAPSHOT_NAME_MAX && is_alnum(name[0]);
    for (size_t i = 0; ok && i < len; i++)
        ok = is_alnum(name[i]) || name[i] == '.' || name[i] == '_' || name[i] == '-';
    if (!ok)
        log_error(RT_FMT "'%.*s%s' is not a valid snapshot name: use letters, digits, '.', '_' and "
                         "'-', starting with a letter or a digit, at most %d characters",
                  machine, SNAPSHOT_NAME_MAX, name, len > SNAPSHOT_NAME_MAX ? "..." : "",
                  SNAPSHOT_NAME_MAX);
    return ok;
}

char *snapshot_generated_name(const struct snapshot_list *l)
{
    static unsigned seed;
    if (!seed)
        seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
    for (;;) {
        seed = seed * 1103515245u + 12345u;
        char *name = xasprintf(SNAPSHOT_PUSH_PREFIX "%lld_%04u", (long long)time(NULL),
                               (seed >> 16) % 10000);
        if (!snapshot_list_find(l, name))
            return name;
        free(name);
    }
}

bool engine_snapshots_supported(struct machine_runtime *rt)
{
    if (runtime_load_provider(rt) < 0)
        return false;
    const struct rove_provider *p = rt->provider;
    if (p->snapshot_save && p->snapshot_restore && p->snapshot_delete && p->snapshot_list)
        return true;
    log_error(RT_FMT "provider %s has no snapshots yet", rt->m->name, p->name);
    return false;
}

/* The machine can have snapshots, and exists. */
static bool snapshots_ready(struct machine_runtime *rt)
{
    if (!engine_snapshots_supported(rt))
        return false;
    if (rt->created)
        return true;
    log_error(RT_FMT "not created, so it has no snapshots ('rove up %s' creates it)", rt->m->name,
              rt->m->name);
    return false;
}

static void add_entry(void *arg, const struct rove_snapshot *s)
{
    struct snapshot_list *l = arg;
    if (!s->name)
        return;
    l->items = xrealloc(l->items, (l->count + 1) * sizeof *l->items);
    l->items[l->count++] =
        (struct snapshot_entry){xstrdup(s->name), s->created, s->memory, s->current};
}

/* Oldest first; among snapshots of the same second the current one is the newest. */
static int by_age(const void *a, const void *b)
{
    const struct snapshot_entry *x = a, *y = b;
    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    if (x->current != y->current)
        return x->current ? 1 : -1;
    return strcmp(x->name, y->name);
}

int engine_snapshot_list(struct machine_runtime *rt, struct snapshot_list *out)
{
    memset(out, 0, sizeof *out);
    if (!engine_snapshots_supported(rt))
        return -1;
    if (!rt->created)
        return 0;
    if (rt->provider->snapshot_list(&rt->pctx, add_entry, out) < 0) {
        snapshot_list_clear(out);
        return -1;
    }
    if (out->count > 1) /* items is NULL for none, which qsort must not be given */
        qsort(out->items, out->count, sizeof *out->items, by_age);
    return 0;
}

/* "no snapshot 'x' (its snapshots: a, b)" */
static int no_such_snapshot(struct machine_runtime *rt, const char *name,
                            const struct snapshot_list *l)
{
    struct strbuf names = STRBUF_INIT;
    for (size_t i = 0; i < l->count; i++)
        sb_addf(&names, "%s%s", i ? ", " : "", l->items[i].name);
    log_error(RT_FMT "no snapshot '%s' (%s%s)", rt->m->name, name,
              l->count ? "its snapshots: " : "it has none", sb_str(&names));
    sb_release(&names);
    return -1;
}

static int delete_snapshot(struct machine_runtime *rt, const char *name)
{
    if (rt->provider->snapshot_delete(&rt->pctx, name) < 0)
        return -1;
    log_info(RT_FMT "deleted snapshot '%s'", rt->m->name, name);
    return 0;
}

/* A name that exists is replaced only when asked. */
static int make_room(struct machine_runtime *rt, const struct snapshot_list *l, const char *name,
                     bool replace)
{
    if (!snapshot_list_find(l, name))
        return 0;
    if (!replace)
        return error(RT_FMT "snapshot '%s' exists already ('--force' replaces it)", rt->m->name,
                     name);
    return delete_snapshot(rt, name);
}

static int save_now(struct machine_runtime *rt, const char *name)
{
    struct rove_state_report st;
    engine_state(rt, &st);
    if (st.state != ROVE_STATE_RUNNING && st.state != ROVE_STATE_STOPPED)
        return error(RT_FMT "cannot save snapshot '%s' of a machine that is %s%s%s", rt->m->name,
                     name, runtime_state_name(st.state), st.reason[0] ? ": " : "", st.reason);
    bool running = st.state == ROVE_STATE_RUNNING;
    log_info(RT_FMT "saving snapshot '%s' (%s)", rt->m->name, name,
             running ? "disks and memory" : "disks");
    if (rt->provider->snapshot_save(&rt->pctx, name) < 0)
        return -1;
    /* The provider's save cannot be cut short; a save the user gave up on is undone. */
    if (interrupt_requested()) {
        interrupt_begin_cleanup();
        rt->provider->snapshot_delete(&rt->pctx, name);
        return error(RT_FMT "interrupted: snapshot '%s' was not kept", rt->m->name, name);
    }
    log_info(RT_FMT "saved snapshot '%s'", rt->m->name, name);
    return 0;
}

int engine_snapshot_save(struct machine_runtime *rt, const char *name, bool replace,
                         char **saved_as)
{
    if (saved_as)
        *saved_as = NULL;
    if (!snapshots_ready(rt) || (name && !snapshot_name_valid(rt->m->name, name)))
        return -1;
    struct snapshot_list l;
    if (engine_snapshot_list(rt, &l) < 0)
        return -1;
    char *chosen = name ? xstrdup(name) : snapshot_generated_name(&l);
    int rc = make_room(rt, &l, chosen, replace);
    if (rc == 0)
        rc = save_now(rt, chosen);
    if (rc == 0 && saved_as)
        *saved_as = chosen;
    else
        free(chosen);
    snapshot_list_clear(&l);
    return rc;
}

/* A guest resumed from memory believes it is still the time of the snapshot. Setting its clock
 * costs one command; a guest that refuses is only warned about. */
static void step_clock(struct machine_runtime *rt, struct guest_conn *conn)
{
    char *cmd = xasprintf("sudo -n date -u -s @%lld >/dev/null", (long long)time(NULL));
    struct strbuf errout = STRBUF_INIT;
    int status = -1;
    char *err = NULL;
    if (guest_exec_capture(conn, cmd, NULL, &errout, &status, &err) < 0 || status != 0)
        log_warn(RT_FMT "cannot set the guest's clock after the restore, it may be behind: %s",
                 rt->m->name, err ? err : sb_str(&errout));
    free(err);
    sb_release(&errout);
    free(cmd);
}

/* After the provider restored: the machine running (memory) or stopped (disks only). */
static int bring_back(struct machine_runtime *rt, const char *name, bool memory,
                      const struct snapshot_restore_options *o)
{
    struct rove_state_report st;
    engine_state(rt, &st);
    if (st.state == ROVE_STATE_STOPPED && o->no_start) {
        log_info(RT_FMT "restored snapshot '%s'; the machine is stopped (--no-start)", rt->m->name,
                 name);
        return 0;
    }
    if (st.state == ROVE_STATE_STOPPED && engine_start(rt) < 0)
        return -1;
    if (st.state != ROVE_STATE_STOPPED && st.state != ROVE_STATE_RUNNING)
        return error(RT_FMT "restored snapshot '%s', but the machine is %s%s%s", rt->m->name, name,
                     runtime_state_name(st.state), st.reason[0] ? ": " : "", st.reason);
    struct guest_conn *conn = NULL;
    if (engine_wait(rt, false, &conn) < 0)
        return -1;
    if (memory && st.state == ROVE_STATE_RUNNING)
        step_clock(rt, conn);
    enum provision_mode mode = o->provision == PROVISION_FORCE ? PROVISION_FORCE : PROVISION_NONE;
    int rc = engine_provision(rt, conn, mode, false);
    guest_disconnect(conn);
    if (rc == 0)
        log_info(RT_FMT "restored snapshot '%s'", rt->m->name, name);
    return rc;
}

static int restore_entry(struct machine_runtime *rt, const struct snapshot_entry *e,
                         const struct snapshot_restore_options *o, bool delete_after)
{
    /* Resuming a stopped machine from memory starts it: its forwarded host ports must be free,
     * as for a start. */
    struct rove_state_report st;
    engine_state(rt, &st);
    if (e->memory && st.state == ROVE_STATE_STOPPED && forward_ports_check(rt) < 0)
        return -1;
    log_info(RT_FMT "restoring snapshot '%s'", rt->m->name, e->name);
    if (rt->provider->snapshot_restore(&rt->pctx, e->name) < 0)
        return -1;
    if (delete_after && delete_snapshot(rt, e->name) < 0)
        return -1;
    return bring_back(rt, e->name, e->memory, o);
}

int engine_snapshot_restore(struct machine_runtime *rt, const char *name,
                            const struct snapshot_restore_options *o)
{
    if (!snapshots_ready(rt) || !snapshot_name_valid(rt->m->name, name))
        return -1;
    struct snapshot_list l;
    if (engine_snapshot_list(rt, &l) < 0)
        return -1;
    const struct snapshot_entry *e = snapshot_list_find(&l, name);
    int rc = e ? restore_entry(rt, e, o, false) : no_such_snapshot(rt, name, &l);
    snapshot_list_clear(&l);
    return rc;
}

int engine_snapshot_delete(struct machine_runtime *rt, const char *name)
{
    if (!snapshots_ready(rt) || !snapshot_name_valid(rt->m->name, name))
        return -1;
    struct snapshot_list l;
    if (engine_snapshot_list(rt, &l) < 0)
        return -1;
    int rc =
        snapshot_list_find(&l, name) ? delete_snapshot(rt, name) : no_such_snapshot(rt, name, &l);
    snapshot_list_clear(&l);
    return rc;
}

int engine_snapshot_pop(struct machine_runtime *rt, const struct snapshot_restore_options *o)
{
    if (!snapshots_ready(rt))
        return -1;
    struct snapshot_list l;
    if (engine_snapshot_list(rt, &l) < 0)
        return -1;
    const struct snapshot_entry *newest = NULL;
    for (size_t i = l.count; i-- > 0 && !newest;)
        if (strncmp(l.items[i].name, SNAPSHOT_PUSH_PREFIX, strlen(SNAPSHOT_PUSH_PREFIX)) == 0)
            newest = &l.items[i];
    int rc = newest ? restore_entry(rt, newest, o, !o->no_delete)
                    : error(RT_FMT "no pushed snapshot to pop ('rove snapshot push %s' saves one)",
                            rt->m->name, rt->m->name);
    snapshot_list_clear(&l);
    return rc;
}
