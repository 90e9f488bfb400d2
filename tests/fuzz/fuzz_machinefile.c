/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the machinefile parser must never crash, leak or read out of bounds, and must
 * either return a machinefile or at least one error. */
#include "machine/machinefile.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mf_errors errs = {0};
    struct machinefile *mf =
        machinefile_parse("/nonexistent-fuzz/machinefile.yaml", (const char *)data, size, &errs);
    if (!mf && errs.count == 0)
        abort(); /* a rejected file must say why */
    machinefile_free(mf);
    mf_errors_free(&errs);
    return 0;
}
