/* SPDX-License-Identifier: MIT */
/* Reads confined by Landlock, for real in a child process per case: files in the folder of the
 * given file (after symbolic links) open, files elsewhere are refused. Where the kernel has no
 * Landlock, the test says so and exits 77. */
#include "read_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define SKIP_EXIT_CODE 77

static char root[] = "/tmp/rove-read-sandbox-XXXXXX";

static void path_in(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", root, name);
}

static void make_file(const char *name)
{
    char path[128];
    path_in(path, sizeof path, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "nameserver 127.0.0.1\n", 21), 21);
    close(fd);
}

/* In a child confined to the folder of `given`: 0 when `readable` opens and `unreadable` is
 * refused with EACCES, 1 otherwise. */
static int confined_child(const char *given, const char *readable, const char *unreadable)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char path[128];
        path_in(path, sizeof path, given);
        if (!read_sandbox_install(path))
            _exit(1);
        path_in(path, sizeof path, readable);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            _exit(1);
        path_in(path, sizeof path, unreadable);
        _exit(open(path, O_RDONLY | O_CLOEXEC) < 0 && errno == EACCES ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_reads_stay_in_the_folder(void **state)
{
    (void)state;
    assert_int_equal(confined_child("etc/resolv.conf", "etc/resolv.conf", "private/key"), 0);
    /* A file replaced by another in the same folder is still readable. */
    assert_int_equal(confined_child("etc/resolv.conf", "etc/resolv.conf.new", "private/key"), 0);
}

static void test_links_are_followed(void **state)
{
    (void)state;
    /* etc/link -> run/resolv.conf: the folder that counts is run/, as for systemd-resolved. */
    assert_int_equal(confined_child("etc/link", "run/resolv.conf", "etc/resolv.conf"), 0);
}

static void test_missing_file_confines_to_its_folder(void **state)
{
    (void)state;
    assert_int_equal(confined_child("etc/missing", "etc/resolv.conf", "private/key"), 0);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(root))
        return -1;
    char path[128];
    for (const char *const *dir = (const char *const[]){"etc", "run", "private", NULL}; *dir;
         dir++) {
        path_in(path, sizeof path, *dir);
        if (mkdir(path, 0700) < 0)
            return -1;
    }
    make_file("etc/resolv.conf");
    make_file("etc/resolv.conf.new");
    make_file("run/resolv.conf");
    make_file("private/key");
    path_in(path, sizeof path, "etc/link");
    return symlink("../run/resolv.conf", path);
}

static int teardown(void **state)
{
    (void)state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    return system(command);
}

int main(void)
{
    if (syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) < 0) {
        printf("SKIP: this kernel has no Landlock (%s)\n", strerror(errno));
        return SKIP_EXIT_CODE;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_stay_in_the_folder),
        cmocka_unit_test(test_links_are_followed),
        cmocka_unit_test(test_missing_file_confines_to_its_folder),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
