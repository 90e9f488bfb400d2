/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the unpacker, fed any bytes as a box archive, must never crash or leak, and
 * must never create anything outside its folder (checked: the folder's parent holds only it). */
#include "boxes/unpack.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <archive.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char parent[] = "/tmp/rove-fuzz-unpack.XXXXXX";
static char *root;

static void check_parent_holds_only_root(void)
{
    DIR *d = opendir(parent);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "box")) {
            fprintf(stderr, "unpacker wrote outside its folder: %s\n", de->d_name);
            abort();
        }
    }
    if (d)
        closedir(d);
}

static void remove_parent(void)
{
    fs_remove_tree(parent);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!root) {
        if (!mkdtemp(parent))
            abort();
        atexit(remove_parent);
        root = fs_join(parent, "box");
    }
    fs_remove_tree(root);
    if (mkdir(root, 0755) < 0)
        abort();
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct archive *a = box_archive_reader_new(false);
    if (archive_read_open_memory(a, data, size) == ARCHIVE_OK) {
        struct unpack_report report;
        struct unpack_limits limits = {.max_unpacked = 1 << 20, .dir = root};
        char *err = NULL;
        if (box_unpack(a, fd, &limits, &report, &err) < 0 && (!err || !*err))
            abort();
        free(err);
    }
    archive_read_free(a);
    close(fd);
    check_parent_holds_only_root();
    return 0;
}
