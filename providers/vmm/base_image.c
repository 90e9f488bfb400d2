/* SPDX-License-Identifier: MIT */
#include "providers/vmm/base_image.h"
#include "providers/vmm/qcow2.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static int convert_into(const char *image, const char *tmp, const char *machine)
{
    int in_fd = open(image, O_RDONLY | O_CLOEXEC);
    if (in_fd < 0)
        return error("machine %s: cannot open the box image %s: %s", machine, image,
                     strerror(errno));
    int out_fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0) {
        log_error("machine %s: cannot create %s: %s", machine, tmp, strerror(errno));
        close(in_fd);
        return -1;
    }
    char err[QCOW2_ERROR_MAX];
    int rc = qcow2_convert_to_raw(in_fd, out_fd, err, sizeof err);
    if (rc != 0)
        log_error("machine %s: cannot convert the box image %s to raw: %s", machine, image, err);
    else if (fsync(out_fd) != 0) {
        log_error("machine %s: cannot write %s: %s", machine, tmp, strerror(errno));
        rc = -1;
    }
    close(in_fd);
    close(out_fd);
    return rc;
}

/* Converts under the lock unless another machine already did. */
static int convert_locked(const char *image, const char *raw, const char *machine)
{
    if (fs_exists(raw))
        return 0;
    log_info("machine %s: converting the box image %s to raw (once per box version)", machine,
             image);
    char *tmp = xasprintf("%s.tmp.%ld", raw, (long)getpid());
    int rc = convert_into(image, tmp, machine);
    if (rc == 0 && rename(tmp, raw) != 0) {
        log_error("machine %s: cannot rename %s to %s: %s", machine, tmp, raw, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

char *base_image_ensure(const struct rove_box *box, const char *machine)
{
    const char *format = box->format ? box->format : "qcow2";
    if (strcmp(format, "raw") == 0)
        return xstrdup(box->image);
    if (strcmp(format, "qcow2") != 0) {
        log_error("machine %s: box image %s has format '%s'; the vmm provider takes qcow2 or raw",
                  machine, box->image, format);
        return NULL;
    }
    char *dir = box->dir ? xstrdup(box->dir) : fs_dirname(box->image);
    char *raw = fs_join(dir, BASE_IMAGE_NAME);
    char *lock_path = fs_join(dir, BASE_IMAGE_NAME ".lock");
    free(dir);
    int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    int rc = -1;
    if (lock < 0 || flock(lock, LOCK_EX) != 0)
        log_error("machine %s: cannot lock %s: %s", machine, lock_path, strerror(errno));
    else
        rc = convert_locked(box->image, raw, machine);
    if (lock >= 0)
        close(lock);
    free(lock_path);
    if (rc != 0) {
        free(raw);
        return NULL;
    }
    return raw;
}
