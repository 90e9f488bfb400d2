#include "cli/cmd.h"
#include "engine/engine.h"

int provision_mode_option(const struct cmd *cmd, int opt, enum provision_mode *mode)
{
    enum provision_mode wanted = opt == OPT_PROVISION ? PROVISION_FORCE : PROVISION_NONE;
    if (*mode != PROVISION_DEFAULT && *mode != wanted)
        return cmd_usage_error(cmd, "--provision and --no-provision exclude each other");
    *mode = wanted;
    return 0;
}
