/* SPDX-License-Identifier: MIT */
/* Removing a machine and everything created for it (engine.h). */
#include "engine/engine.h"
#include "machine/journal.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The provider gets every resource not yet removed, oldest first. */
static int destroy_resources(struct machine_runtime *rt)
{
    struct journal j;
    if (journal_read(rt->journal_path, &j) < 0)
        return error(RT_FMT "cannot read %s: %s", rt->m->name, rt->journal_path, strerror(errno));
    size_t n = 0;
    struct rove_journal_record *records = xcalloc(j.count, sizeof *records);
    for (size_t i = 0; i < j.count; i++)
        if (!j.records[i].released)
            records[n++] =
                (struct rove_journal_record){j.records[i].kind, j.records[i].id, j.records[i].data};
    int rc = 0;
    if (n > 0 || rt->created) {
        rc = runtime_load_provider(rt);
        if (rc == 0)
            rc = rt->provider->destroy(&rt->pctx, records, n);
    }
    free(records);
    journal_free(&j);
    return rc;
}

int engine_destroy(struct machine_runtime *rt)
{
    if (!fs_is_dir(rt->state_dir))
        return 0;
    /* Removing what was created is what an interrupted rove still has to do. */
    if (interrupt_signal())
        interrupt_begin_cleanup();
    if (destroy_resources(rt) < 0)
        return error(RT_FMT
                     "not everything could be removed; the journal %s keeps what is left, and "
                     "'rove destroy' tries again",
                     rt->m->name, rt->journal_path);
    if (state_remove_machine(rt->mf, rt->m->name) < 0)
        return error(RT_FMT "cannot remove %s: %s", rt->m->name, rt->state_dir, strerror(errno));
    rt->created = false;
    machine_record_clear(&rt->record);
    return 0;
}
