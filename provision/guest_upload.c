/* SPDX-License-Identifier: MIT */
#include "provision/guest_upload.h"
#include "provision/guest_conn.h"
#include "provision/prov_error.h"
#include "provision/sftp_symlink.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Each SFTP write is one request; 32 KiB stays within every server's packet limit. */
#define UPLOAD_CHUNK 32768

static int fail_remote(struct guest_conn *c, char **err, const char *what, const char *path)
{
    return prov_fail(err, "machine %s: cannot %s %s: %s", c->machine, what, path,
                     guest_sftp_reason(c));
}

static int write_remote(struct guest_conn *c, sftp_file f, const char *data, size_t len,
                        const char *remote, char **err)
{
    while (len > 0) {
        if (interrupt_requested())
            return prov_fail(err, "machine %s: interrupted while writing %s", c->machine, remote);
        size_t chunk = len < UPLOAD_CHUNK ? len : UPLOAD_CHUNK;
        ssize_t n = sftp_write(f, data, chunk);
        if (n <= 0)
            return fail_remote(c, err, "write", remote);
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The mode is set again after writing: the server applies its umask when creating the file. */
static int finish_file(struct guest_conn *c, sftp_file f, const char *remote, mode_t mode,
                       char **err)
{
    if (sftp_close(f) != SSH_OK)
        return fail_remote(c, err, "write", remote);
    if (sftp_chmod(c->sftp, remote, mode & 07777) < 0)
        return fail_remote(c, err, "set the mode of", remote);
    return 0;
}

int guest_upload_data(struct guest_conn *c, const void *data, size_t len, const char *remote,
                      mode_t mode, char **err)
{
    if (!guest_sftp(c, err))
        return -1;
    sftp_file f = sftp_open(c->sftp, remote, O_WRONLY | O_CREAT | O_TRUNC, mode & 07777);
    if (!f)
        return fail_remote(c, err, "create", remote);
    if (write_remote(c, f, data, len, remote, err) < 0) {
        sftp_close(f);
        return -1;
    }
    return finish_file(c, f, remote, mode, err);
}

static int upload_file(struct guest_conn *c, const char *local, const char *remote, mode_t mode,
                       char **err)
{
    int fd = open(local, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return prov_fail(err, "cannot read %s: %s", local, strerror(errno));
    sftp_file f = sftp_open(c->sftp, remote, O_WRONLY | O_CREAT | O_TRUNC, mode & 07777);
    if (!f) {
        close(fd);
        return fail_remote(c, err, "create", remote);
    }
    char buf[UPLOAD_CHUNK];
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = prov_fail(err, "cannot read %s: %s", local, strerror(errno));
            break;
        }
        if (n == 0 || (rc = write_remote(c, f, buf, (size_t)n, remote, err)) < 0)
            break;
    }
    close(fd);
    if (rc < 0) {
        sftp_close(f);
        return -1;
    }
    return finish_file(c, f, remote, mode, err);
}

static bool remote_is_dir(struct guest_conn *c, const char *remote)
{
    sftp_attributes a = sftp_stat(c->sftp, remote);
    bool dir = a && a->type == SSH_FILEXFER_TYPE_DIRECTORY;
    sftp_attributes_free(a);
    return dir;
}

int guest_mkdir(struct guest_conn *c, const char *remote, mode_t mode, char **err)
{
    if (!guest_sftp(c, err))
        return -1;
    if (sftp_mkdir(c->sftp, remote, mode & 07777) < 0)
        return fail_remote(c, err, "create folder", remote);
    return 0;
}

/* mkdir that accepts an existing folder (servers report that case with different codes). */
static int ensure_dir(struct guest_conn *c, const char *remote, mode_t mode, char **err)
{
    if (sftp_mkdir(c->sftp, remote, mode & 07777) == 0 || remote_is_dir(c, remote))
        return 0;
    return fail_remote(c, err, "create folder", remote);
}

int guest_mkdir_p(struct guest_conn *c, const char *remote, mode_t mode, char **err)
{
    if (!guest_sftp(c, err))
        return -1;
    char *path = xstrdup(remote);
    int rc = 0;
    for (char *p = path + 1; *p && rc == 0; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        rc = ensure_dir(c, path, 0755, err);
        *p = '/';
    }
    if (rc == 0)
        rc = ensure_dir(c, path, mode, err);
    free(path);
    return rc;
}

static int upload_entry(struct guest_conn *c, const char *local, const char *remote, char **err);

static int upload_dir(struct guest_conn *c, const char *local, const char *remote, mode_t mode,
                      char **err)
{
    /* Created writable for us first, given its own mode after its contents are in. */
    if (ensure_dir(c, remote, 0700, err) < 0)
        return -1;
    DIR *d = opendir(local);
    if (!d)
        return prov_fail(err, "cannot read folder %s: %s", local, strerror(errno));
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *child = fs_join(local, e->d_name);
        char *remote_child = xasprintf("%s/%s", remote, e->d_name);
        rc = upload_entry(c, child, remote_child, err);
        free(child);
        free(remote_child);
    }
    closedir(d);
    if (rc == 0 && sftp_chmod(c->sftp, remote, mode & 07777) < 0)
        return fail_remote(c, err, "set the mode of", remote);
    return rc;
}

static int upload_link(struct guest_conn *c, const char *local, const char *remote, char **err)
{
    char target[4096];
    ssize_t n = readlink(local, target, sizeof(target) - 1);
    if (n < 0)
        return prov_fail(err, "cannot read link %s: %s", local, strerror(errno));
    target[n] = '\0';
    sftp_unlink(c->sftp, remote); /* replace, like a file would be */
    return guest_symlink(c, target, remote, err);
}

static int upload_entry(struct guest_conn *c, const char *local, const char *remote, char **err)
{
    struct stat st;
    if (lstat(local, &st) < 0)
        return prov_fail(err, "cannot read %s: %s", local, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return upload_dir(c, local, remote, st.st_mode, err);
    if (S_ISREG(st.st_mode))
        return upload_file(c, local, remote, st.st_mode, err);
    if (S_ISLNK(st.st_mode))
        return upload_link(c, local, remote, err);
    return prov_fail(err, "cannot upload %s: not a regular file, folder or link", local);
}

int guest_upload(struct guest_conn *c, const char *local, const char *remote, char **err)
{
    if (!guest_sftp(c, err))
        return -1;
    struct stat st;
    /* The top level follows a link: uploading "conf" means what conf points to. */
    if (stat(local, &st) < 0)
        return prov_fail(err, "cannot read %s: %s", local, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return upload_dir(c, local, remote, st.st_mode, err);
    if (S_ISREG(st.st_mode))
        return upload_file(c, local, remote, st.st_mode, err);
    return prov_fail(err, "cannot upload %s: not a regular file or folder", local);
}
