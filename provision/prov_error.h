/* SPDX-License-Identifier: MIT */
/* Error reporting inside provision/: functions that can fail take `char **err` and, on failure,
 * leave there one complete message for the caller to print (naming the machine, file or command).
 * The library never prints errors itself, so callers decide how they are shown; only progress
 * (provisioner started or skipped, SSH wait phases without a callback) goes through log_info(). */
#ifndef ROVE_PROVISION_PROV_ERROR_H
#define ROVE_PROVISION_PROV_ERROR_H

/* Replaces *err (when err is not NULL) with the formatted message. Always returns -1, so a
 * failure reads `return prov_fail(err, "...", ...);`. */
int prov_fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
