/* SPDX-License-Identifier: MIT */
/* Machine locks: a second holder waits or fails at once, and a lock file removed while someone
 * waited is not trusted. */
#include "machine/lock.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static char root[] = "/tmp/rove-lock-XXXXXX";

static int setup(void **state)
{
    (void)state;
    log_set_level(LOG_QUIET);
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return fs_remove_tree(root);
}

/* A child that holds the lock for hold_ms, then optionally removes the lock file, then exits. */
static pid_t holder(int ready_fd, int hold_ms, bool remove_file)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct machine_lock lock;
        if (machine_lock_acquire(root, "web", true, &lock) != LOCK_ACQUIRED)
            _exit(3);
        if (write(ready_fd, "x", 1) != 1)
            _exit(4);
        usleep((useconds_t)hold_ms * 1000);
        if (remove_file)
            unlink(lock.path);
        machine_lock_release(&lock);
        _exit(0);
    }
    return pid;
}

static void wait_ready(int fd)
{
    char c;
    assert_int_equal(read(fd, &c, 1), 1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_no_wait_fails_at_once(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t child = holder(p[1], 300, false);
    wait_ready(p[0]);
    struct machine_lock lock;
    char *path = xasprintf("%s/locks/web.lock", root);
    assert_int_equal(machine_lock_holder(path), child);
    assert_int_equal(machine_lock_acquire(root, "web", true, &lock), LOCK_BUSY);
    machine_lock_release(&lock);
    int status;
    waitpid(child, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(machine_lock_holder(path), 0); /* cleared on release */
    free(path);
    close(p[0]);
    close(p[1]);
}

static void test_waits_for_holder(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t child = holder(p[1], 300, false);
    wait_ready(p[0]);
    double start = now();
    struct machine_lock lock;
    assert_int_equal(machine_lock_acquire(root, "web", false, &lock), LOCK_ACQUIRED);
    assert_true(now() - start > 0.2);
    machine_lock_release(&lock);
    waitpid(child, NULL, 0);
    close(p[0]);
    close(p[1]);
}

static void test_removed_lock_file_is_retried(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t child = holder(p[1], 200, true);
    wait_ready(p[0]);
    struct machine_lock lock;
    assert_int_equal(machine_lock_acquire(root, "web", false, &lock), LOCK_ACQUIRED);
    /* we hold the file that the path names now, not the unlinked one */
    assert_true(fs_exists(lock.path));
    assert_int_equal(machine_lock_holder(lock.path), getpid());
    machine_lock_release(&lock);
    waitpid(child, NULL, 0);
    close(p[0]);
    close(p[1]);
}

static void test_machines_lock_independently(void **state)
{
    (void)state;
    struct machine_lock a, b;
    assert_int_equal(machine_lock_acquire(root, "web", true, &a), LOCK_ACQUIRED);
    assert_int_equal(machine_lock_acquire(root, "db", true, &b), LOCK_ACQUIRED);
    machine_lock_release(&a);
    machine_lock_release(&b);
}

/* A lock path planted as a symbolic link is refused, and what it points at stays untouched. */
static void test_symlinked_lock_is_refused(void **state)
{
    (void)state;
    char locks[100], target[200], link[200];
    snprintf(locks, sizeof locks, "%s/locks", root);
    snprintf(target, sizeof target, "%s/precious", root);
    snprintf(link, sizeof link, "%s/planted.lock", locks);
    assert_int_equal(fs_mkdir_p(locks, 0700), 0);
    assert_int_equal(fs_write_atomic(target, "keep\n", 5, 0600), 0);
    assert_int_equal(symlink(target, link), 0);
    struct machine_lock lock;
    assert_int_equal(machine_lock_acquire(root, "planted", true, &lock), LOCK_ERROR);
    machine_lock_release(&lock);
    char *data;
    assert_int_equal(fs_read_file(target, &data, NULL), 0);
    assert_string_equal(data, "keep\n");
    free(data);
    assert_int_equal(unlink(link), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_wait_fails_at_once),
        cmocka_unit_test(test_waits_for_holder),
        cmocka_unit_test(test_removed_lock_file_is_retried),
        cmocka_unit_test(test_machines_lock_independently),
        cmocka_unit_test(test_symlinked_lock_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
