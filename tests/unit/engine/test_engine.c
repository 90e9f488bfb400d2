/* SPDX-License-Identifier: MIT */
/* The engine (engine/engine.h, engine/plan.h) against the fake provider module: what each
 * operation asks of the provider, what it journals and records, and that a failure at any step
 * leaves nothing half-created (or, for a failed clean-up, keeps the journal for the next try). */
#include "engine/apply.h"
#include "engine/engine.h"
#include "engine/plan.h"
#include "engine/snapshot.h"
#include "machine/journal.h"
#include "machine/machinefile.h"
#include "providers/loader.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static char work[] = "/tmp/rove-engine-XXXXXX";
static char log_path[4096], project[4096];

struct world {
    struct machinefile *mf;
    struct machine_runtime rt; /* of machine "web" */
};

static void sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_int_equal(system(cmd), 0);
}

/* A box of provider "fake": a raw image of 1 MiB and its metadata. */
static void build_box(void)
{
    sh("mkdir -p %s/box && cd %s/box && truncate -s 1M box.img && "
       "printf '{\"provider\":\"fake\",\"format\":\"raw\",\"virtual_size\":1}' > metadata.json && "
       "tar -cf ../fake.box metadata.json box.img",
       work, work);
}

static int group_setup(void **state)
{
    (void)state;
    if (!mkdtemp(work))
        return -1;
    snprintf(log_path, sizeof log_path, "%s/provider.log", work);
    snprintf(project, sizeof project, "%s/project", work);
    char home[4096];
    snprintf(home, sizeof home, "%s/home", work);
    setenv("ROVE_HOME", home, 1);
    setenv("ROVE_PROVIDER_PATH", FAKE_PROVIDER_DIR, 1);
    setenv("FAKE_PROVIDER_LOG", log_path, 1);
    log_set_level(LOG_ERROR);
    build_box();
    sh("mkdir -p %s && printf 'version: 1\\ndefaults:\\n  box: %s/fake.box\\n  provider: fake\\n"
       "  boot_timeout: 30\\nmachines:\\n  web: {}\\n  db: {}\\n' > %s/machinefile.yaml",
       project, work, project);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    provider_unload_all();
    sh("rm -rf %s", work);
    return 0;
}

static int setup(void **state)
{
    unsetenv("FAKE_PROVIDER_FAIL");
    unsetenv("FAKE_PROVIDER_DIES");
    unsetenv("FAKE_PROVIDER_NO_SNAPSHOTS");
    sh("rm -rf %s/.rove && : > %s", project, log_path);
    struct world *w = calloc(1, sizeof *w);
    char path[sizeof project + 32];
    snprintf(path, sizeof path, "%s/machinefile.yaml", project);
    struct mf_errors errs = {0};
    w->mf = machinefile_load(path, &errs);
    if (!w->mf) {
        mf_errors_print(&errs);
        return -1;
    }
    runtime_init(&w->rt, w->mf, machinefile_find(w->mf, "web"));
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    runtime_release(&w->rt);
    machinefile_free(w->mf);
    free(w);
    return 0;
}

/* What the provider was asked, one call per line. */
static char *provider_calls(void)
{
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(fs_read_file(log_path, &text, &len), 0);
    return text;
}

static void assert_calls(const char *expected)
{
    char *calls = provider_calls();
    assert_string_equal(calls, expected);
    free(calls);
    sh(": > %s", log_path);
}

static size_t journal_pending_count(struct machine_runtime *rt)
{
    struct journal j;
    if (journal_read(rt->journal_path, &j) < 0)
        return 0;
    size_t n = journal_pending(&j);
    journal_free(&j);
    return n;
}

static enum rove_machine_state state_of(struct machine_runtime *rt)
{
    struct rove_state_report st;
    engine_state(rt, &st);
    return st.state;
}

static void test_create_start_stop_destroy(void **state)
{
    struct world *w = *state;
    assert_int_equal(state_of(&w->rt), ROVE_STATE_NOT_CREATED);
    assert_int_equal(engine_create(&w->rt, false), 0);
    assert_true(w->rt.created);
    assert_string_equal(w->rt.record.provider, "fake");
    assert_int_equal(journal_pending_count(&w->rt), 2);
    assert_int_equal(state_of(&w->rt), ROVE_STATE_STOPPED);
    assert_int_equal(engine_start(&w->rt), 0);
    assert_int_equal(state_of(&w->rt), ROVE_STATE_RUNNING);
    assert_int_equal(engine_stop(&w->rt, false), 0);
    assert_int_equal(state_of(&w->rt), ROVE_STATE_STOPPED);
    assert_calls("probe\ncreate fake\nstart\nstop 60 acpi\n");
    assert_int_equal(engine_destroy(&w->rt), 0);
    assert_calls("destroy fake.disk,fake.domain\n");
    assert_false(w->rt.created);
    assert_false(fs_is_dir(w->rt.state_dir));
    assert_int_equal(state_of(&w->rt), ROVE_STATE_NOT_CREATED);
}

static void test_the_record_is_read_back(void **state)
{
    struct world *w = *state;
    assert_int_equal(engine_create(&w->rt, false), 0);
    /* the engine reloads what was recorded */
    struct machine_runtime again;
    runtime_init(&again, w->mf, w->rt.m);
    assert_true(again.created);
    assert_string_equal(again.record.box_name, "fake");
    runtime_release(&again);
    assert_int_equal(engine_destroy(&w->rt), 0);
}

static void expect_undone(struct world *w, const char *calls)
{
    assert_false(w->rt.created);
    assert_false(fs_is_dir(w->rt.state_dir));
    assert_calls(calls);
}

static void test_probe_failure_creates_nothing(void **state)
{
    struct world *w = *state;
    setenv("FAKE_PROVIDER_FAIL", "probe", 1);
    assert_int_equal(engine_create(&w->rt, false), -1);
    expect_undone(w, "probe\nprobe failed\n");
}

static void test_create_failure_is_undone(void **state)
{
    struct world *w = *state;
    setenv("FAKE_PROVIDER_FAIL", "create", 1);
    assert_int_equal(engine_create(&w->rt, false), -1);
    expect_undone(w, "probe\ncreate fake\ncreate failed\n"); /* nothing journaled */
}

static void test_late_create_failure_removes_what_was_journaled(void **state)
{
    struct world *w = *state;
    setenv("FAKE_PROVIDER_FAIL", "create-late", 1);
    assert_int_equal(engine_create(&w->rt, false), -1);
    expect_undone(w, "probe\ncreate fake\ncreate-late failed\ndestroy fake.disk\n");
}

/* The journal cannot be written (it leads nowhere): the provider is refused its record, creates
 * nothing, and the create is undone. */
static void test_journal_failure_refuses_the_resource(void **state)
{
    struct world *w = *state;
    sh("mkdir -p %s && ln -s %s/nowhere/journal %s", w->rt.state_dir, work, w->rt.journal_path);
    assert_int_equal(engine_create(&w->rt, false), -1);
    expect_undone(w, "probe\ncreate fake\ncreate refused by the journal\n");
}

static void test_first_start_failure_undoes_the_create(void **state)
{
    struct world *w = *state;
    setenv("FAKE_PROVIDER_FAIL", "start", 1);
    struct up_options o = {0};
    assert_int_equal(engine_up(&w->rt, &o), -1);
    expect_undone(w, "probe\ncreate fake\nstart\nstart failed\ndestroy fake.disk,fake.domain\n");
}

/* A guest that dies before SSH: the wait ends on the machine's state, and the new machine is kept
 * for inspection, or destroyed with destroy_on_error. */
static void test_failed_first_boot_keeps_or_destroys(void **state)
{
    struct world *w = *state;
    setenv("FAKE_PROVIDER_DIES", "1", 1);
    struct up_options keep = {0}, destroy = {.destroy_on_error = true};
    assert_int_equal(engine_up(&w->rt, &keep), -1);
    assert_true(w->rt.created);
    assert_true(fs_is_dir(w->rt.state_dir));
    assert_calls("probe\ncreate fake\nstart\n");
    /* up again: the machine exists and is stopped, so it is started, not created */
    assert_int_equal(engine_up(&w->rt, &destroy), -1);
    assert_calls("start\n");
    assert_true(w->rt.created); /* an existing machine is never destroyed by up */
    assert_int_equal(engine_destroy(&w->rt), 0);
    sh(": > %s", log_path);
    assert_int_equal(engine_up(&w->rt, &destroy), -1);
    expect_undone(w, "probe\ncreate fake\nstart\ndestroy fake.disk,fake.domain\n");
}

static void test_failed_cleanup_keeps_the_journal(void **state)
{
    struct world *w = *state;
    assert_int_equal(engine_create(&w->rt, false), 0);
    setenv("FAKE_PROVIDER_FAIL", "destroy", 1);
    assert_int_equal(engine_destroy(&w->rt), -1);
    assert_true(fs_is_dir(w->rt.state_dir));
    assert_int_equal(journal_pending_count(&w->rt), 2);
    unsetenv("FAKE_PROVIDER_FAIL");
    assert_int_equal(engine_destroy(&w->rt), 0);
    assert_false(fs_is_dir(w->rt.state_dir));
}

/* An up killed after the provider journaled a resource: the next create removes it first. */
static void test_leftovers_of_an_interrupted_up_are_removed_first(void **state)
{
    struct world *w = *state;
    sh("mkdir -p %s", w->rt.state_dir);
    assert_int_equal(journal_append(w->rt.journal_path, "fake.disk", "web", "{}", NULL), 0);
    assert_true(runtime_has_leftovers(&w->rt));
    struct rove_state_report st;
    engine_state(&w->rt, &st);
    assert_int_equal(st.state, ROVE_STATE_UNKNOWN);
    assert_non_null(strstr(st.reason, "did not finish"));
    assert_int_equal(engine_create(&w->rt, false), 0);
    assert_calls("destroy fake.disk\nprobe\ncreate fake\n");
    assert_int_equal(engine_destroy(&w->rt), 0);
}

static void test_state_failure_is_unknown_with_the_reason(void **state)
{
    struct world *w = *state;
    assert_int_equal(engine_create(&w->rt, false), 0);
    setenv("FAKE_PROVIDER_FAIL", "state", 1);
    struct rove_state_report st;
    engine_state(&w->rt, &st);
    assert_int_equal(st.state, ROVE_STATE_UNKNOWN);
    assert_string_equal(st.reason, "the fake hypervisor does not answer");
    /* stopping a machine whose state is unknown asks the provider (it may be running) */
    unsetenv("FAKE_PROVIDER_FAIL");
    assert_int_equal(engine_destroy(&w->rt), 0);
}

static void test_stop_leaves_a_machine_that_is_not_running_alone(void **state)
{
    struct world *w = *state;
    assert_int_equal(engine_stop(&w->rt, true), 0);
    assert_int_equal(engine_create(&w->rt, false), 0);
    assert_int_equal(engine_stop(&w->rt, true), 0);
    assert_calls("probe\ncreate fake\n");
    assert_int_equal(engine_destroy(&w->rt), 0);
}

/* ---- Applying a changed machinefile (engine/apply.h) ---- */

/* The machinefile with web's entry replaced by web_yaml, loaded into a second world whose runtime
 * sees the same state folder. */
static struct world *changed_world(const char *web_yaml)
{
    char path[sizeof project + 32];
    snprintf(path, sizeof path, "%s/changed.yaml", project);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "version: 1\ndefaults:\n  box: %s/fake.box\n  provider: fake\n  boot_timeout: 30\n"
            "machines:\n  web: %s\n",
            work, web_yaml);
    fclose(f);
    struct mf_errors errs = {0};
    struct world *w = calloc(1, sizeof *w);
    w->mf = machinefile_load(path, &errs);
    if (!w->mf)
        mf_errors_print(&errs);
    assert_non_null(w->mf);
    /* the state folder belongs to the project, whichever file describes it */
    free(w->mf->path);
    w->mf->path = xasprintf("%s/machinefile.yaml", project);
    runtime_init(&w->rt, w->mf, machinefile_find(w->mf, "web"));
    return w;
}

static void world_free(struct world *w)
{
    runtime_release(&w->rt);
    machinefile_free(w->mf);
    free(w);
}

/* A TCP port on 127.0.0.1 nothing listens on; the socket stays open (listening) when hold. */
static int local_port(bool hold, int *fd_out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    if (hold) {
        assert_int_equal(listen(fd, 1), 0);
        *fd_out = fd;
    } else {
        close(fd);
    }
    return ntohs(a.sin_port);
}

static char *pending_words(struct machine_runtime *rt)
{
    struct spec_diff d;
    assert_true(apply_diff(rt, &d));
    char *words = spec_diff_words(&d, false);
    spec_diff_clear(&d);
    return words;
}

static void test_the_spec_is_recorded_at_create(void **state)
{
    struct world *w = *state;
    assert_int_equal(engine_create(&w->rt, false), 0);
    assert_int_equal(w->rt.built_errno, 0);
    assert_int_equal(w->rt.built.spec.cpus, 1);
    assert_int_equal(w->rt.built.spec.memory, (uint64_t)1 << 30);
    assert_int_equal(w->rt.built.box_size, (uint64_t)1 << 30); /* the box's virtual_size */
    assert_string_equal(w->rt.built.provider, "fake");
    char *words = pending_words(&w->rt);
    assert_string_equal(words, "");
    free(words);
    assert_int_equal(engine_destroy(&w->rt), 0);
}

/* up of a stopped machine applies what changed, then starts it; the record follows. */
static void test_up_applies_changes_to_a_stopped_machine(void **state)
{
    struct world *w = *state;
    assert_int_equal(engine_create(&w->rt, false), 0);
    sh(": > %s", log_path);
    int port = local_port(false, NULL);
    char yaml[256];
    snprintf(yaml, sizeof yaml, "{memory: 768M, cpus: 2, forward: [{host: %d, guest: 22}]}", port);
    struct world *c = changed_world(yaml);
    char *words = pending_words(&c->rt), expected[256];
    snprintf(expected, sizeof expected,
             "cpus 1 -> 2, memory 1 GiB -> 768 MiB, forward none -> %d:22", port);
    assert_string_equal(words, expected);
    free(words);
    setenv("FAKE_PROVIDER_DIES", "1", 1); /* ends the wait for SSH at once */
    struct up_options o = {0};
    assert_int_equal(engine_up(&c->rt, &o), -1);
    char calls[512];
    snprintf(calls, sizeof calls,
             "reconfigure-check\nreconfigure cpus 1 -> 2 memory 1024 -> 768 MiB disk 0 -> 0 "
             "forwards  -> %d:22\nstart\n",
             port);
    assert_calls(calls);
    world_free(c);
    /* read afresh, the machine is built from the machinefile now */
    c = changed_world(yaml);
    assert_int_equal(c->rt.built.spec.cpus, 2);
    words = pending_words(&c->rt);
    assert_string_equal(words, "");
    free(words);
    assert_int_equal(engine_up(&c->rt, &o), -1);
    assert_calls("start\n"); /* nothing changed: nothing applied */
    world_free(c);
    assert_int_equal(engine_destroy(&w->rt), 0);
}

/* reload: checked while running, stopped, applied, started. */
static void test_reload_stops_applies_and_starts(void **state)
{
    struct world *w = *state;
    assert_int_equal(engine_create(&w->rt, false), 0);
    assert_int_equal(engine_start(&w->rt), 0);
    sh(": > %s", log_path);
    struct world *c = changed_world("{memory: 2G}");
    setenv("FAKE_PROVIDER_DIES", "1", 1);
    struct up_options o = {0};
    assert_int_equal(engine_reload(&c->rt, &o), -1); /* the wait fails: the guest "died" */
    assert_calls("reconfigure-check\nstop 60 acpi\nreconfigure cpus 1 -> 1 memory 1024 -> 2048 MiB "
                 "disk 0 -> 0 forwards  -> \nstart\n");
    assert_int_equal(c->rt.built.spec.memory, (uint64_t)2 << 30);
    world_free(c);
    assert_int_equal(engine_destroy(&w->rt), 0);
}

/* A machine built from from_yaml (NULL: w's machinefile), running, reloaded with yaml: refused,
 * the provider asked only calls. */
static void expect_refused_while_running(struct world *w, const char *from_yaml, const char *yaml,
                                         const char *calls)
{
    struct world *base = from_yaml ? changed_world(from_yaml) : w;
    assert_int_equal(engine_create(&base->rt, false), 0);
    assert_int_equal(engine_start(&base->rt), 0);
    sh(": > %s", log_path);
    struct world *c = changed_world(yaml);
    struct up_options o = {0};
    assert_int_equal(engine_reload(&c->rt, &o), -1);
    assert_calls(calls); /* never stopped */
    assert_int_equal(state_of(&c->rt), ROVE_STATE_RUNNING);
    assert_int_equal(c->rt.built.spec.cpus, 1);
    world_free(c);
    assert_int_equal(engine_destroy(&base->rt), 0);
    if (base != w)
        world_free(base);
    sh("rm -rf %s/.rove && : > %s", project, log_path);
}

static void test_reload_refuses_before_stopping(void **state)
{
    struct world *w = *state;
    /* another box, a smaller disk, a version the box does not have: nothing asked of the
     * provider */
    char yaml[512];
    snprintf(yaml, sizeof yaml, "{cpus: 2, box: %s/other.box}", work);
    expect_refused_while_running(w, NULL, yaml, "");
    expect_refused_while_running(w, "{disk: 3G}", "{cpus: 2, disk: 2G}", "");
    expect_refused_while_running(w, NULL, "{box_version: '>= 1'}", "");
    /* the provider says it cannot */
    setenv("FAKE_PROVIDER_FAIL", "reconfigure-check", 1);
    expect_refused_while_running(w, NULL, "{cpus: 2}",
                                 "reconfigure-check\nreconfigure-check failed\n");
    unsetenv("FAKE_PROVIDER_FAIL");
    /* the new host port is taken */
    int fd = -1, port = local_port(true, &fd);
    snprintf(yaml, sizeof yaml, "{forward: [{host: %d, guest: 80}]}", port);
    expect_refused_while_running(w, NULL, yaml, "reconfigure-check\n");
    close(fd);
}

/* A failed apply leaves the old definition and record, and the machine is started as it was. */
static void test_failed_apply_keeps_the_old_settings(void **state)
{
    struct world *w = *state;
    assert_int_equal(engine_create(&w->rt, false), 0);
    assert_int_equal(engine_start(&w->rt), 0);
    sh(": > %s", log_path);
    setenv("FAKE_PROVIDER_FAIL", "reconfigure", 1);
    struct world *c = changed_world("{cpus: 2}");
    struct up_options o = {0};
    assert_int_equal(engine_reload(&c->rt, &o), -1);
    assert_calls("reconfigure-check\nstop 60 acpi\nreconfigure cpus 1 -> 2 memory 1024 -> 1024 MiB "
                 "disk 0 -> 0 forwards  -> \nreconfigure failed\nstart\n");
    assert_int_equal(state_of(&c->rt), ROVE_STATE_RUNNING);
    char *words = pending_words(&c->rt);
    assert_string_equal(words, "cpus 1 -> 2");
    free(words);
    world_free(c);
    unsetenv("FAKE_PROVIDER_FAIL");
    assert_int_equal(engine_destroy(&w->rt), 0);
}

/* A machine an older rove created has no record: it is started as it is. */
static void test_a_machine_without_a_record_is_left_as_it_is(void **state)
{
    struct world *w = *state;
    assert_int_equal(engine_create(&w->rt, false), 0);
    char *spec = fs_join(w->rt.state_dir, SPEC_RECORD_FILE);
    assert_int_equal(unlink(spec), 0);
    free(spec);
    sh(": > %s", log_path);
    struct world *c = changed_world("{cpus: 2}");
    struct spec_diff d;
    assert_false(apply_diff(&c->rt, &d));
    setenv("FAKE_PROVIDER_DIES", "1", 1);
    struct up_options o = {0};
    assert_int_equal(engine_up(&c->rt, &o), -1);
    assert_calls("start\n");
    world_free(c);
    assert_int_equal(engine_destroy(&w->rt), 0);
}

static int record_name(struct machine_runtime *rt, void *arg)
{
    struct strbuf *order = arg;
    sb_addf(order, "%s ", rt->m->name);
    return strcmp(rt->m->name, "db") == 0 ? -1 : 0;
}

static char last_message[512];
static int last_level;

static void record_message(int level, const char *message)
{
    last_level = level;
    snprintf(last_message, sizeof last_message, "%s", message);
}

static void test_module_messages_reach_the_core_log(void **state)
{
    struct world *w = *state;
    w->rt.pctx.log = record_message;
    setenv("FAKE_PROVIDER_FAIL", "create", 1);
    assert_int_equal(engine_create(&w->rt, false), -1);
    assert_int_equal(last_level, LOG_ERROR);
    assert_string_equal(last_message, "web: create failed (injected)");
}

static void test_plan_order_and_failures(void **state)
{
    struct world *w = *state;
    struct engine_plan plan;
    char *bogus[] = {"bogus"};
    assert_int_equal(engine_plan_select(w->mf, bogus, 1, &plan), -1);
    assert_int_equal(engine_plan_select(w->mf, NULL, 0, &plan), 0);
    assert_int_equal(plan.count, 2);
    struct strbuf order = STRBUF_INIT;
    assert_int_equal(engine_plan_each(&plan, 0, record_name, &order), -1);
    assert_int_equal(
        engine_plan_each(&plan, PLAN_REVERSE | PLAN_STOP_AT_FAILURE, record_name, &order), -1);
    assert_string_equal(sb_str(&order), "web db db ");
    sb_release(&order);
    assert_int_equal(engine_plan_lock(&plan, true), 0);
    engine_plan_release(&plan);
}

/* The machine's snapshots as "name(memory)* ...", oldest first (* marks the current one). */
static char *snapshots_of(struct machine_runtime *rt)
{
    struct snapshot_list l;
    assert_int_equal(engine_snapshot_list(rt, &l), 0);
    struct strbuf out = STRBUF_INIT;
    for (size_t i = 0; i < l.count; i++)
        sb_addf(&out, "%s%s%s%s", i ? " " : "", l.items[i].name,
                l.items[i].memory ? "(memory)" : "", l.items[i].current ? "*" : "");
    snapshot_list_clear(&l);
    return sb_detach(&out);
}

static void assert_snapshots(struct machine_runtime *rt, const char *expected)
{
    char *got = snapshots_of(rt);
    assert_string_equal(got, expected);
    free(got);
}

/* The core's own messages, for the tests that check what the user is told. */
static void capture_core_messages(void)
{
    last_message[0] = '\0';
    log_set_sink(record_message);
}

static void test_snapshot_save_list_restore_delete(void **state)
{
    struct world *w = *state;
    struct snapshot_restore_options stay = {.no_start = true};
    assert_int_equal(engine_create(&w->rt, false), 0);
    sh(": > %s", log_path);
    assert_int_equal(engine_snapshot_save(&w->rt, "one", false, NULL), 0);
    assert_int_equal(engine_start(&w->rt), 0);
    assert_int_equal(engine_snapshot_save(&w->rt, "two", false, NULL), 0);
    assert_snapshots(&w->rt, "one two(memory)*");
    capture_core_messages();
    assert_int_equal(engine_snapshot_save(&w->rt, "one", false, NULL), -1);
    log_set_sink(NULL);
    assert_string_equal(last_message, "web: snapshot 'one' exists already ('--force' replaces it)");
    assert_calls("snapshot-save one\nstart\nsnapshot-save two\n");
    /* replacing deletes the old one first; the new one holds the machine as it is now */
    assert_int_equal(engine_snapshot_save(&w->rt, "one", true, NULL), 0);
    assert_calls("snapshot-delete one\nsnapshot-save one\n");
    assert_snapshots(&w->rt, "two(memory) one(memory)*");
    assert_int_equal(engine_stop(&w->rt, false), 0);
    assert_int_equal(engine_snapshot_save(&w->rt, "cold", false, NULL), 0);
    sh(": > %s", log_path);
    /* a disk-only snapshot is restored stopped, and stays so with no_start */
    assert_int_equal(engine_snapshot_restore(&w->rt, "cold", &stay), 0);
    assert_int_equal(state_of(&w->rt), ROVE_STATE_STOPPED);
    assert_calls("snapshot-restore cold\n");
    assert_int_equal(engine_snapshot_delete(&w->rt, "two"), 0);
    assert_snapshots(&w->rt, "one(memory) cold*");
    capture_core_messages();
    assert_int_equal(engine_snapshot_delete(&w->rt, "two"), -1);
    assert_string_equal(last_message, "web: no snapshot 'two' (its snapshots: one, cold)");
    assert_int_equal(engine_snapshot_restore(&w->rt, "two", &stay), -1);
    log_set_sink(NULL);
    assert_calls("snapshot-delete two\n"); /* nothing asked of the provider for a missing one */
    assert_int_equal(engine_destroy(&w->rt), 0);
}

/* A snapshot with memory resumes the machine, and rove waits for its SSH: here the guest dies,
 * so the restore fails on the wait, as an up would. */
static void test_snapshot_restore_with_memory_waits_for_the_guest(void **state)
{
    struct world *w = *state;
    struct snapshot_restore_options o = {0};
    assert_int_equal(engine_create(&w->rt, false), 0);
    assert_int_equal(engine_start(&w->rt), 0);
    assert_int_equal(engine_snapshot_save(&w->rt, "warm", false, NULL), 0);
    sh(": > %s", log_path);
    setenv("FAKE_PROVIDER_DIES", "1", 1);
    assert_int_equal(engine_snapshot_restore(&w->rt, "warm", &o), -1);
    assert_calls("snapshot-restore warm\nstart\n");
    /* a failing provider fails the restore before any wait */
    setenv("FAKE_PROVIDER_FAIL", "snapshot-restore", 1);
    assert_int_equal(engine_snapshot_restore(&w->rt, "warm", &o), -1);
    assert_calls("snapshot-restore warm\nsnapshot-restore failed\n");
    unsetenv("FAKE_PROVIDER_FAIL");
    assert_int_equal(engine_destroy(&w->rt), 0);
}

static void test_snapshot_push_and_pop(void **state)
{
    struct world *w = *state;
    struct snapshot_restore_options stay = {.no_start = true},
                                    keep = {.no_start = true, .no_delete = true};
    assert_int_equal(engine_create(&w->rt, false), 0);
    assert_int_equal(engine_snapshot_pop(&w->rt, &stay), -1); /* nothing pushed */
    char *first, *second;
    assert_int_equal(engine_snapshot_save(&w->rt, NULL, false, &first), 0);
    assert_int_equal(engine_snapshot_save(&w->rt, "named", false, NULL), 0);
    assert_int_equal(engine_snapshot_save(&w->rt, NULL, false, &second), 0);
    assert_int_equal(strncmp(first, SNAPSHOT_PUSH_PREFIX, strlen(SNAPSHOT_PUSH_PREFIX)), 0);
    assert_string_not_equal(first, second);
    sh(": > %s", log_path);
    char expected[512];
    /* pop restores the newest pushed snapshot and deletes it; with no_delete it stays */
    assert_int_equal(engine_snapshot_pop(&w->rt, &keep), 0);
    snprintf(expected, sizeof expected, "snapshot-restore %s\n", second);
    assert_calls(expected);
    assert_int_equal(engine_snapshot_pop(&w->rt, &stay), 0);
    snprintf(expected, sizeof expected, "snapshot-restore %s\nsnapshot-delete %s\n", second,
             second);
    assert_calls(expected);
    assert_int_equal(engine_snapshot_pop(&w->rt, &stay), 0);
    snprintf(expected, sizeof expected, "snapshot-restore %s\nsnapshot-delete %s\n", first, first);
    assert_calls(expected);
    assert_snapshots(&w->rt, "named");
    assert_int_equal(engine_snapshot_pop(&w->rt, &stay), -1);
    free(first);
    free(second);
    assert_int_equal(engine_destroy(&w->rt), 0);
}

static void test_snapshot_names_are_checked_first(void **state)
{
    struct world *w = *state;
    struct snapshot_restore_options o = {.no_start = true};
    assert_int_equal(engine_create(&w->rt, false), 0);
    sh(": > %s", log_path);
    char long_name[SNAPSHOT_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    const char *bad[] = {"",      "-x",  ".hidden",     "a b",    "a/b",
                         "../up", "<x>", "caf\xc3\xa9", long_name};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(snapshot_name_valid("web", bad[i]));
        assert_int_equal(engine_snapshot_save(&w->rt, bad[i], false, NULL), -1);
        assert_int_equal(engine_snapshot_restore(&w->rt, bad[i], &o), -1);
        assert_int_equal(engine_snapshot_delete(&w->rt, bad[i]), -1);
    }
    long_name[SNAPSHOT_NAME_MAX] = '\0';
    assert_true(snapshot_name_valid("web", long_name));
    assert_true(snapshot_name_valid("web", "Clean-1.2_x"));
    assert_calls(""); /* none reached the provider */
    assert_int_equal(engine_destroy(&w->rt), 0);
}

/* A save that fails, or that the user interrupted, leaves no snapshot. */
static void test_snapshot_failed_or_interrupted_save_leaves_none(void **state)
{
    struct world *w = *state;
    assert_int_equal(engine_create(&w->rt, false), 0);
    setenv("FAKE_PROVIDER_FAIL", "snapshot-save", 1);
    assert_int_equal(engine_snapshot_save(&w->rt, "one", false, NULL), -1);
    unsetenv("FAKE_PROVIDER_FAIL");
    assert_snapshots(&w->rt, "");
    sh(": > %s", log_path);
    interrupt_install();
    raise(SIGINT);
    assert_int_equal(engine_snapshot_save(&w->rt, "one", false, NULL), -1);
    interrupt_reset();
    signal(SIGINT, SIG_DFL);
    assert_calls("snapshot-save one\nsnapshot-delete one\n");
    assert_snapshots(&w->rt, "");
    assert_int_equal(engine_destroy(&w->rt), 0);
}

/* No snapshots of a machine that is not created, nor with a provider that has none (vmm). */
static void test_snapshot_refusals(void **state)
{
    struct world *w = *state;
    struct snapshot_list l;
    assert_int_equal(engine_snapshot_list(&w->rt, &l), 0);
    assert_int_equal(l.count, 0);
    capture_core_messages();
    assert_int_equal(engine_snapshot_save(&w->rt, "one", false, NULL), -1);
    assert_string_equal(last_message,
                        "web: not created, so it has no snapshots ('rove up web' creates it)");
    provider_unload_all();
    setenv("FAKE_PROVIDER_NO_SNAPSHOTS", "1", 1);
    struct machine_runtime rt;
    runtime_init(&rt, w->mf, w->rt.m);
    assert_int_equal(engine_snapshot_list(&rt, &l), -1);
    assert_string_equal(last_message, "web: provider fake has no snapshots yet");
    assert_int_equal(engine_snapshot_save(&rt, "one", false, NULL), -1);
    log_set_sink(NULL);
    runtime_release(&rt);
    provider_unload_all();
    assert_calls("");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_start_stop_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_record_is_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe_failure_creates_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_failure_is_undone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_create_failure_removes_what_was_journaled, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_journal_failure_refuses_the_resource, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_start_failure_undoes_the_create, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failed_first_boot_keeps_or_destroys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_cleanup_keeps_the_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leftovers_of_an_interrupted_up_are_removed_first,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_failure_is_unknown_with_the_reason, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stop_leaves_a_machine_that_is_not_running_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_module_messages_reach_the_core_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_order_and_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_save_list_restore_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_restore_with_memory_waits_for_the_guest,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_push_and_pop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_names_are_checked_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_failed_or_interrupted_save_leaves_none, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_spec_is_recorded_at_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_up_applies_changes_to_a_stopped_machine, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reload_stops_applies_and_starts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_refuses_before_stopping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_apply_keeps_the_old_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_machine_without_a_record_is_left_as_it_is, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
