/* SPDX-License-Identifier: MIT */
/* rove validate: reads the machinefile and reports every error in it. */
#include "cli/cmd.h"
#include "providers/provider_sections.h"
#include "machine/machinefile.h"
#include "util/json.h"

#include <stdio.h>
#include <stdlib.h>

static void print_json(const struct mf_errors *errs)
{
    struct json_object *list = json_object_new_array();
    for (size_t i = 0; i < errs->count; i++) {
        const struct mf_error *e = &errs->items[i];
        struct json_object *o = json_object_new_object();
        json_add_string(o, "file", e->file);
        json_add_int(o, "line", e->line);
        json_add_int(o, "column", e->column);
        json_add_string(o, "message", e->message);
        json_object_array_add(list, o);
    }
    json_print_and_put(stdout, list);
}

static int run_validate(struct cmd_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        return cmd_usage_error(ctx->cmd, "too many arguments");
    char *path = cmd_machinefile_path(ctx);
    if (!path)
        return EXIT_USAGE;
    struct mf_errors errs = {0};
    struct machinefile *mf = machinefile_load(path, &errs);
    if (mf && provider_sections_check(mf, path, &errs) > 0) {
        machinefile_free(mf);
        mf = NULL;
    }
    if (ctx->common.json)
        print_json(&errs);
    else if (mf)
        printf("%s: OK (%zu machine%s)\n", path, mf->nmachines, mf->nmachines == 1 ? "" : "s");
    else
        mf_errors_print(&errs);
    int rc = mf ? EXIT_OK : EXIT_USAGE;
    machinefile_free(mf);
    mf_errors_free(&errs);
    free(path);
    return rc;
}

const struct cmd cmd_validate = {
    .name = "validate",
    .run = run_validate,
    .flags = CMD_JSON,
    .summary = "check the machinefile and report every error in it",
    .description =
        "Checks the machinefile and prints 'FILE: OK (N machines)', or every error found as\n"
        "FILE:LINE:COLUMN: error: MESSAGE. Exit code 0 when valid, 2 when not.\n",
    .json_help = "print a JSON list of {file, line, column, message} (empty when valid)",
};
