/* SPDX-License-Identifier: MIT */
#include "provision/guest_download.h"
#include "provision/guest_conn.h"
#include "provision/prov_error.h"
#include "util/interrupt.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DOWNLOAD_CHUNK 32768

/* Where an entry goes: a folder opened without following links, and a name in it. Every level is
 * reached through the descriptor of the one above, so a link the guest made cannot lead out. */
struct local_place {
    int dirfd;
    const char *name;
    const char *shown; /* the local path, for messages */
};

static int fail_remote(struct guest_conn *c, char **err, const char *what, const char *path)
{
    return prov_fail(err, "machine %s: cannot %s %s: %s", c->machine, what, path,
                     guest_sftp_reason(c));
}

static int fail_local(char **err, const char *what, const char *path)
{
    return prov_fail(err, "cannot %s %s: %s", what, path, strerror(errno));
}

static bool is_single_component(const char *name)
{
    return name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int copy_contents(struct guest_conn *c, sftp_file f, int fd, const char *remote,
                         const struct local_place *to, char **err)
{
    char buf[DOWNLOAD_CHUNK];
    for (;;) {
        if (interrupt_requested())
            return prov_fail(err, "machine %s: interrupted while reading %s", c->machine, remote);
        ssize_t n = sftp_read(f, buf, sizeof buf);
        if (n < 0)
            return fail_remote(c, err, "read", remote);
        if (n == 0)
            return 0;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(fd, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return fail_local(err, "write", to->shown);
            done += w;
        }
    }
}

static int download_file(struct guest_conn *c, const char *remote, mode_t mode,
                         const struct local_place *to, char **err)
{
    sftp_file f = sftp_open(c->sftp, remote, O_RDONLY, 0);
    if (!f)
        return fail_remote(c, err, "open", remote);
    /* O_NOFOLLOW: a link already in the place is not written through. */
    unlinkat(to->dirfd, to->name, 0);
    int fd =
        openat(to->dirfd, to->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc =
        fd < 0 ? fail_local(err, "create", to->shown) : copy_contents(c, f, fd, remote, to, err);
    if (fd >= 0 && rc == 0 && fchmod(fd, mode & 07777) < 0)
        rc = fail_local(err, "set the mode of", to->shown);
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = fail_local(err, "write", to->shown);
    sftp_close(f);
    return rc;
}

static int download_link(struct guest_conn *c, const char *remote, const struct local_place *to,
                         char **err)
{
    char *target = sftp_readlink(c->sftp, remote);
    if (!target)
        return fail_remote(c, err, "read link", remote);
    unlinkat(to->dirfd, to->name, 0);
    int rc =
        symlinkat(target, to->dirfd, to->name) < 0 ? fail_local(err, "create link", to->shown) : 0;
    ssh_string_free_char(target);
    return rc;
}

static int download_entry(struct guest_conn *c, const char *remote, const struct local_place *to,
                          char **err);

static int download_children(struct guest_conn *c, const char *remote, int dirfd, const char *shown,
                             char **err)
{
    sftp_dir d = sftp_opendir(c->sftp, remote);
    if (!d)
        return fail_remote(c, err, "read folder", remote);
    int rc = 0;
    sftp_attributes a;
    while (rc == 0 && (a = sftp_readdir(c->sftp, d))) {
        if (strcmp(a->name, ".") != 0 && strcmp(a->name, "..") != 0) {
            char *child = xasprintf("%s/%s", remote, a->name);
            char *child_shown = xasprintf("%s/%s", shown, a->name);
            struct local_place place = {dirfd, a->name, child_shown};
            rc = is_single_component(a->name)
                     ? download_entry(c, child, &place, err)
                     : prov_fail(err, "machine %s: refusing the name '%s' listed in %s", c->machine,
                                 a->name, remote);
            free(child);
            free(child_shown);
        }
        sftp_attributes_free(a);
    }
    if (rc == 0 && !sftp_dir_eof(d))
        rc = fail_remote(c, err, "read folder", remote);
    sftp_closedir(d);
    return rc;
}

static int download_dir(struct guest_conn *c, const char *remote, mode_t mode,
                        const struct local_place *to, char **err)
{
    /* Writable for us while its contents arrive; its own mode afterwards. */
    if (mkdirat(to->dirfd, to->name, 0700) < 0 && errno != EEXIST)
        return fail_local(err, "create folder", to->shown);
    int fd = openat(to->dirfd, to->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return fail_local(err, "open folder", to->shown);
    int rc = download_children(c, remote, fd, to->shown, err);
    if (rc == 0 && fchmod(fd, mode & 07777) < 0)
        rc = fail_local(err, "set the mode of", to->shown);
    close(fd);
    return rc;
}

static int download_entry(struct guest_conn *c, const char *remote, const struct local_place *to,
                          char **err)
{
    sftp_attributes a = sftp_lstat(c->sftp, remote);
    if (!a)
        return fail_remote(c, err, "read", remote);
    uint8_t type = a->type;
    mode_t mode = (mode_t)a->permissions;
    sftp_attributes_free(a);
    switch (type) {
    case SSH_FILEXFER_TYPE_REGULAR:
        return download_file(c, remote, mode, to, err);
    case SSH_FILEXFER_TYPE_DIRECTORY:
        return download_dir(c, remote, mode, to, err);
    case SSH_FILEXFER_TYPE_SYMLINK:
        return download_link(c, remote, to, err);
    default:
        return prov_fail(err, "machine %s: %s is neither a file, a folder nor a link", c->machine,
                         remote);
    }
}

/* The last component of remote, without trailing slashes; newly allocated. */
static char *remote_basename(const char *remote)
{
    size_t end = strlen(remote);
    while (end > 1 && remote[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && remote[start - 1] != '/')
        start--;
    return xstrndup(remote + start, end - start);
}

int guest_download(struct guest_conn *c, const char *remote, const char *local, char **err)
{
    if (!guest_sftp(c, err))
        return -1;
    struct stat st;
    char *dir, *name, *shown;
    if (stat(local, &st) == 0 && S_ISDIR(st.st_mode)) {
        dir = xstrdup(local);
        name = remote_basename(remote);
        shown = xasprintf("%s/%s", local, name);
    } else {
        char *slash = strrchr(local, '/');
        dir = slash ? xstrndup(local, slash == local ? 1 : (size_t)(slash - local)) : xstrdup(".");
        name = xstrdup(slash ? slash + 1 : local);
        shown = xstrdup(local);
    }
    int rc = -1;
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        fail_local(err, "open folder", dir);
    else if (!is_single_component(name))
        prov_fail(err, "cannot copy %s to %s: name the file or folder to write", remote, local);
    else
        rc = download_entry(c, remote, &(struct local_place){dirfd, name, shown}, err);
    if (dirfd >= 0)
        close(dirfd);
    free(dir);
    free(name);
    free(shown);
    return rc;
}
