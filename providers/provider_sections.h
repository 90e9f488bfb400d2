/* SPDX-License-Identifier: MIT */
/* The machinefile's provider sections checked against the providers' own schemas
 * (rove_provider.options), and handed over typed. */
#ifndef ROVE_PROVIDERS_PROVIDER_SECTIONS_H
#define ROVE_PROVIDERS_PROVIDER_SECTIONS_H

#include "machine/machinefile.h"
#include "providers/machine_spec.h"
#include "providers/provider.h"

#include <stddef.h>

/* Checks every section of every machine (and of `defaults`, merged into them) of mf, loading
 * the providers they name: a section of no installed provider, an unknown key, a value of the
 * wrong type or not among the choices, a path that does not exist are errors in errs at the
 * value's line and column of file (the machinefile as messages show it); so is a sync entry of
 * type: mount on a machine whose provider cannot mount. Returns the number of errors added. */
size_t provider_sections_check(const struct machinefile *mf, const char *file,
                               struct mf_errors *errs);

/* Adds m's section for provider p to s, typed (paths made absolute against dir). Returns 0, or
 * -1 after naming the machine, the key and what is wrong. */
int provider_spec_add_options(struct provider_spec *s, const struct machine *m, const char *dir,
                              const struct rove_provider *p);

#endif
