/* SPDX-License-Identifier: MIT */
/* A libvirt domain state in rove's terms and words, whichever way it was read (the client
 * library, or the daemon's socket directly). Uses libvirt's constants, not its library. */
#ifndef ROVE_PROVIDERS_LIBVIRT_STATE_WORDS_H
#define ROVE_PROVIDERS_LIBVIRT_STATE_WORDS_H

#include "providers/provider.h"

/* state and reason: virDomainState and its reason, as virDomainGetState() gives them. */
void lv_describe_state(int state, int reason, struct rove_state_report *out);
/* Appends which accelerator the domain uses, " (KVM)" or " (TCG, software emulation)", read
 * from its XML description (nothing when that is NULL): `status` says it of a running machine. */
void lv_describe_accelerator(const char *domain_xml, struct rove_state_report *out);

#endif
