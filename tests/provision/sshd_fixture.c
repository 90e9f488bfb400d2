/* SPDX-License-Identifier: MIT */
#include "sshd_fixture.h"
#include "provision/keys.h"
#include "provision/known_hosts.h"
#include "provision/seed.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SSHD "/usr/sbin/sshd"

int sh_run(const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    int rc = system(sb.buf);
    sb_release(&sb);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

char *slurp(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    if (fs_read_file(path, &data, &len) < 0) {
        fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
        abort();
    }
    return data;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        perror("free port");
        exit(1);
    }
    close(fd);
    return ntohs(a.sin_port);
}

static int skip(const char *why)
{
    printf("SKIP: %s\n", why);
    return 77;
}

/* The test user, with a password field sshd accepts for key logins and passwordless sudo. */
static int ensure_user(struct sshd_fixture *f)
{
    if (!getpwnam(FIXTURE_USER) && sh_run("useradd -m -s /bin/sh %s", FIXTURE_USER) != 0)
        return 1;
    if (sh_run("usermod -p '*' %s", FIXTURE_USER) != 0)
        return 1;
    const char *sudoers = "/etc/sudoers.d/" FIXTURE_USER;
    if (!fs_exists(sudoers)) {
        const char *rule = FIXTURE_USER " ALL=(ALL) NOPASSWD:ALL\n";
        if (fs_mkdir_p("/etc/sudoers.d", 0755) < 0 ||
            fs_write_atomic(sudoers, rule, strlen(rule), 0440) < 0)
            return 1;
    }
    struct passwd *pw = getpwnam(FIXTURE_USER);
    if (!pw)
        return 1;
    struct stat st;
    if (strlen(pw->pw_dir) < 2 || stat(pw->pw_dir, &st) < 0 || st.st_uid != pw->pw_uid) {
        fprintf(stderr, "user %s exists with home %s not owned by it: refusing to use it\n",
                FIXTURE_USER, pw->pw_dir);
        return 1;
    }
    f->home = xstrdup(pw->pw_dir);
    /* Fresh keys and work folder for every run: earlier runs leave files behind. */
    return sh_run("rm -rf '%s/.ssh' '%s/" FIXTURE_WORK "' && install -d -m 0700 -o %s -g %s "
                  "'%s/.ssh' && install -d -m 0755 -o %s -g %s '%s/" FIXTURE_WORK "'",
                  f->home, f->home, FIXTURE_USER, FIXTURE_USER, f->home, FIXTURE_USER, FIXTURE_USER,
                  f->home) != 0;
}

void sshd_fixture_set_authorized_keys(struct sshd_fixture *f, const char *data)
{
    char *path = xasprintf("%s/.ssh/authorized_keys", f->home);
    if (fs_write_atomic(path, data, strlen(data), 0600) < 0 ||
        sh_run("chown %s:%s %s", FIXTURE_USER, FIXTURE_USER, path) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        abort();
    }
    free(path);
}

void write_foreign_known_hosts(struct sshd_fixture *f, const char *path)
{
    char *dir = fs_join(f->dir, "foreign");
    char *pub_path = fs_join(dir, KEYS_HOST_PUBLIC);
    char *err = NULL;
    char *key = NULL;
    if (keys_ensure_machine(dir, "foreign", &err) < 0 ||
        !(key = keys_read_public(pub_path, &err)) || known_hosts_write(path, key, &err) < 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    free(key);
    free(pub_path);
    free(dir);
}

static int write_config(struct sshd_fixture *f, const char *path)
{
    char *config = xasprintf("Port %d\n"
                             "ListenAddress 127.0.0.1\n"
                             "HostKey %s/" KEYS_HOST_PRIVATE "\n"
                             "PidFile none\n"
                             "AuthorizedKeysFile .ssh/authorized_keys\n"
                             "PasswordAuthentication no\n"
                             "KbdInteractiveAuthentication no\n"
                             "UsePAM no\n"
                             "PermitRootLogin no\n"
                             "AllowUsers " FIXTURE_USER "\n"
                             "Subsystem sftp internal-sftp\n"
                             "MaxStartups 100\n"
                             "LogLevel VERBOSE\n",
                             f->port, f->state_dir);
    int rc = fs_write_atomic(path, config, strlen(config), 0600);
    free(config);
    return rc;
}

static bool port_accepts(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

static pid_t spawn_sshd(const char *config, const char *log)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, STDERR_FILENO);
        execl(SSHD, SSHD, "-D", "-e", "-f", config, (char *)NULL);
        _exit(127);
    }
    return pid;
}

int sshd_fixture_start(struct sshd_fixture *f)
{
    memset(f, 0, sizeof(*f));
    if (geteuid() != 0)
        return skip("the SSH integration tests need root (they run sshd and add a test user)");
    if (access(SSHD, X_OK) != 0)
        return skip(SSHD " is missing: apt-get install openssh-server");
    if (sh_run("command -v sudo >/dev/null") != 0)
        return skip("sudo is missing (privileged provisioners need it): apt-get install sudo");
    char tmpl[] = "/tmp/rove-sshd-test.XXXXXX";
    if (!mkdtemp(tmpl) || ensure_user(f) != 0)
        return 1;
    f->dir = xstrdup(tmpl);
    f->state_dir = fs_join(f->dir, "state");
    f->key_path = fs_join(f->state_dir, KEYS_CLIENT_PRIVATE);
    f->known_hosts = fs_join(f->state_dir, KEYS_KNOWN_HOSTS);
    char *err = NULL;
    /* As `up` does for a cloud-init box: keys, then the seed, which also writes known_hosts. */
    if (keys_ensure_machine(f->state_dir, FIXTURE_MACHINE, &err) < 0 ||
        seed_create_for_machine(f->state_dir, FIXTURE_MACHINE, FIXTURE_MACHINE, &err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    char *pub_path = fs_join(f->state_dir, KEYS_CLIENT_PUBLIC);
    char *pub = slurp(pub_path);
    sshd_fixture_set_authorized_keys(f, pub);
    free(pub);
    free(pub_path);
    mkdir("/run/sshd", 0755); /* sshd's privilege separation folder */
    char *config = fs_join(f->dir, "sshd_config");
    char *log = fs_join(f->dir, "sshd.log");
    f->port = free_port();
    if (write_config(f, config) < 0)
        return 1;
    f->pid = spawn_sshd(config, log);
    for (int i = 0; i < 100 && !port_accepts(f->port); i++) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (!port_accepts(f->port)) {
        fprintf(stderr, "sshd did not start; its log:\n");
        sh_run("cat %s >&2", log);
        return 1;
    }
    free(config);
    free(log);
    f->target = (struct guest_target){
        .machine = FIXTURE_MACHINE,
        .host = "127.0.0.1",
        .port = f->port,
        .user = FIXTURE_USER,
        .key_path = f->key_path,
        .known_hosts = f->known_hosts,
        .timeout_s = 10,
    };
    return 0;
}

void sshd_fixture_stop(struct sshd_fixture *f)
{
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        waitpid(f->pid, NULL, 0);
    }
    if (f->dir && !getenv("ROVE_KEEP_TEST_FILES"))
        fs_remove_tree(f->dir);
    free(f->dir);
    free(f->state_dir);
    free(f->home);
    free(f->key_path);
    free(f->known_hosts);
}
