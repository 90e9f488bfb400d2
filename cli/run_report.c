/* SPDX-License-Identifier: MIT */
#include "cli/run_report.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static struct json_object *seconds(double s)
{
    /* Milliseconds are enough, and keep the output short. */
    return json_object_new_double((double)(long long)(s * 1000 + 0.5) / 1000);
}

static struct json_object *machine_object(const struct run_report_machine *m)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(m->name ? m->name : ""));
    json_object_object_add(o, "up", json_object_new_boolean(m->up));
    json_object_object_add(o, "destroyed", json_object_new_boolean(m->destroyed));
    struct json_object *t = json_object_new_object();
    json_object_object_add(t, "box", seconds(m->times.box));
    json_object_object_add(t, "create", seconds(m->times.create));
    json_object_object_add(t, "boot", seconds(m->times.boot));
    json_object_object_add(t, "provision", seconds(m->times.provision));
    json_object_object_add(t, "destroy", seconds(m->destroy_seconds));
    json_object_object_add(o, "seconds", t);
    return o;
}

static struct json_object *command_object(const struct run_report *r)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "exit_status",
                           r->command_exit_status >= 0 ? json_object_new_int(r->command_exit_status)
                                                       : NULL);
    json_object_object_add(o, "timed_out", json_object_new_boolean(r->timed_out));
    json_object_object_add(o, "seconds", seconds(r->command_seconds));
    json_object_object_add(o, "copied_out", json_object_new_int((int)r->copied));
    json_object_object_add(o, "copy_out_seconds", seconds(r->copy_out_seconds));
    return o;
}

int run_report_print(const struct run_report *r)
{
    struct json_object *o = json_object_new_object();
    struct json_object *machines = json_object_new_array();
    for (size_t i = 0; i < r->nmachines; i++)
        if (r->machines[i].name)
            json_object_array_add(machines, machine_object(&r->machines[i]));
    json_object_object_add(o, "machines", machines);
    json_object_object_add(o, "command", command_object(r));
    struct json_object *sig = NULL;
    if (r->interrupt_signal) {
        char name[32];
        const char *abbrev = sigabbrev_np(r->interrupt_signal);
        snprintf(name, sizeof name, "SIG%s", abbrev ? abbrev : "?");
        sig = json_object_new_string(name);
    }
    json_object_object_add(o, "interrupted_by", sig);
    json_object_object_add(o, "exit_status", json_object_new_int(r->exit_status));
    json_object_object_add(o, "seconds", seconds(r->seconds));
    int rc = puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY)) < 0 ? -1 : 0;
    if (fflush(stdout) != 0)
        rc = -1;
    json_object_put(o);
    return rc;
}
