/* SPDX-License-Identifier: MIT */
#include "providers/libvirt/connection.h"
#include "util/log.h"

#include <libvirt/virterror.h>
#include <string.h>

static void quiet_error_handler(void *data, virErrorPtr error)
{
    (void)data;
    (void)error;
}

void lv_quiet_errors(void)
{
    virSetErrorFunc(NULL, quiet_error_handler);
}

virConnectPtr lv_connect(const char *uri, const char *machine)
{
    lv_quiet_errors();
    virConnectPtr conn = virConnectOpen(uri);
    if (!conn) {
        log_error("machine %s: cannot connect to libvirt at %s: %s", machine, uri, lv_last_error());
        if (lv_uri_is_local(uri))
            log_error("is libvirtd running? Start it with your service manager, or by hand: "
                      "virtlogd -d; virtlockd -d; libvirtd -d");
    }
    return conn;
}

const char *lv_last_error(void)
{
    virErrorPtr err = virGetLastError();
    return err && err->message ? err->message : "unknown error";
}

bool lv_last_error_is_missing(void)
{
    virErrorPtr err = virGetLastError();
    if (!err)
        return false;
    return err->code == VIR_ERR_NO_DOMAIN || err->code == VIR_ERR_NO_STORAGE_VOL ||
           err->code == VIR_ERR_NO_STORAGE_POOL;
}

bool lv_uri_is_local(const char *uri)
{
    const char *sep = strstr(uri, "://");
    return sep && sep[3] == '/';
}
