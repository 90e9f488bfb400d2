/* SPDX-License-Identifier: MIT */
#include "machine/global_index.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

struct index_edit {
    const struct machinefile *mf;
    const struct machine *m;
    struct json_object *entry; /* the replacement, or NULL to remove */
};

static bool is_entry_of(struct json_object *e, const struct index_edit *edit)
{
    struct json_object *project, *name;
    return json_object_object_get_ex(e, "project", &project) &&
           json_object_object_get_ex(e, "name", &name) &&
           !strcmp(json_object_get_string(project), edit->mf->dir) &&
           !strcmp(json_object_get_string(name), edit->m->name);
}

/* The machines list with edit applied: other entries kept, the machine's replaced or dropped. */
static struct json_object *edited_list(struct json_object *old, const struct index_edit *edit)
{
    struct json_object *list = json_object_new_array();
    struct json_object *machines;
    if (old && json_object_object_get_ex(old, "machines", &machines) &&
        json_object_is_type(machines, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(machines); i++) {
            struct json_object *e = json_object_array_get_idx(machines, i);
            if (json_object_is_type(e, json_type_object) && !is_entry_of(e, edit))
                json_object_array_add(list, json_object_get(e));
        }
    }
    if (edit->entry)
        json_object_array_add(list, json_object_get(edit->entry));
    return list;
}

static void apply(const struct index_edit *edit)
{
    char *dir = rove_data_dir();
    char *path = fs_join(dir, "index.json");
    char *lock_path = fs_join(dir, "index.lock");
    int fd = -1;
    if (fs_mkdir_p(dir, 0700) == 0)
        fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) {
        log_warn("cannot update the machine index %s: %s", path, strerror(errno));
    } else {
        struct json_object *old = fs_exists(path) ? json_object_from_file(path) : NULL;
        struct json_object *root = json_object_new_object();
        json_object_object_add(root, "machines", edited_list(old, edit));
        const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE);
        if (fs_write_atomic(path, text, strlen(text), 0600) < 0)
            log_warn("cannot write the machine index %s: %s", path, strerror(errno));
        json_object_put(root);
        json_object_put(old);
    }
    if (fd >= 0)
        close(fd);
    free(lock_path);
    free(path);
    free(dir);
}

void global_index_add(const struct machinefile *mf, const struct machine *m, const char *box,
                      const char *box_version, const char *state_dir)
{
    struct json_object *e = json_object_new_object();
    json_add_string(e, "project", mf->dir);
    json_add_string(e, "machinefile", mf->path);
    json_add_string(e, "name", m->name);
    json_add_string(e, "box", box);
    json_add_string(e, "box_version", box_version);
    json_add_string(e, "provider", m->provider);
    json_add_string(e, "state_dir", state_dir);
    struct index_edit edit = {mf, m, e};
    apply(&edit);
    json_object_put(e);
}

void global_index_remove(const struct machinefile *mf, const struct machine *m)
{
    struct index_edit edit = {mf, m, NULL};
    apply(&edit);
}
