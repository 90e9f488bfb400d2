# SPDX-License-Identifier: MIT
# Shared set-up for the `rove box` CLI tests: a private ROVE_HOME, the test HTTP server on
# 127.0.0.1 serving $WWW, and small assertions. Source it; it cleans up on exit.
set -u
: "${ROVE:?set ROVE to the rove binary}"
: "${ROVE_SRC:?set ROVE_SRC to the source tree}"
HERE="$ROVE_SRC/tests/cli/box"
T=$(mktemp -d /tmp/rove-box-test.XXXXXX)
export ROVE_HOME="$T/home"
export ROVE_HTTP_RETRY_MAX_WAIT=2
unset ROVE_BOX_CATALOG VAGRANT_SERVER_URL ROVE_BOX_TOKEN VAGRANT_CLOUD_TOKEN
# Box names no test serves go to a port nothing listens on, never to the public registry.
export ROVE_BOX_REGISTRY=http://127.0.0.1:9
WWW="$T/www"
mkdir -p "$WWW"
SERVER_PID=

EXTRA_PIDS=
cleanup() {
    for pid in $SERVER_PID $EXTRA_PIDS; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if [ "${FAILED:-0}" = 0 ]; then rm -rf "$T"; else echo "kept $T for inspection"; fi
}
trap cleanup EXIT

start_server() {
    python3 "$ROVE_SRC/tests/http/server.py" --root "$WWW" --port-file "$T/port" \
        --log "$T/server.log" &
    SERVER_PID=$!
    for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
    PORT=$(cat "$T/port")
    URL="http://127.0.0.1:$PORT"
}

# start_extra_server NAME ROOT [SERVER ARGS...]: another server on 127.0.0.1 serving ROOT and
# logging to $T/NAME.log; sets EXTRA_URL.
start_extra_server() {
    local name=$1 root=$2
    shift 2
    python3 "$ROVE_SRC/tests/http/server.py" --root "$root" --port-file "$T/$name.port" \
        --log "$T/$name.log" "$@" &
    EXTRA_PIDS="$EXTRA_PIDS $!"
    for _ in $(seq 100); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
    EXTRA_URL="http://127.0.0.1:$(cat "$T/$name.port")"
}

fault() { curl -fsS "$URL/_fault?$1" >/dev/null; }
# Waits until the server has logged every request it was serving (a client can finish first).
server_idle() { curl -fsS "$URL/_idle" >/dev/null; }
clear_faults() { curl -fsS "$URL/_clear" >/dev/null; server_idle; : >"$T/server.log"; }
mkbox() { python3 "$HERE/mkbox.py" "$@"; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }

CHECKS_DIR=$T
CHECKS_FAIL_FAST=1
. "$ROVE_SRC/tests/lib/checks.sh"

# The store lists exactly these "NAME VERSION PROVIDER" lines (sorted), each with rove's record.
expect_store() {
    "$ROVE" box list --json | python3 -c '
import json, sys
for b in json.load(sys.stdin): print(b["name"], b["version"], b["provider"])' >"$T/store"
    printf '%s\n' "$@" | sed '/^$/d' >"$T/store.want"
    diff -u "$T/store.want" "$T/store" >&2 || fail "store differs"
    for d in "$ROVE_HOME"/boxes/[!.]*/*/*; do
        [ -d "$d" ] || continue
        [ -f "$d/.rove-box.json" ] || fail "half-made entry $d"
    done
}

# Nothing is left in the store's temporary folder (only a killed rove leaves something there,
# and the next add of that box clears it).
expect_no_temp() {
    if [ -d "$ROVE_HOME/boxes/.tmp" ] && [ -n "$(ls -A "$ROVE_HOME/boxes/.tmp")" ]; then
        ls -la "$ROVE_HOME/boxes/.tmp" >&2
        fail "leftovers in the store's .tmp"
    fi
}

# Requests logged by the server for a path, as "STATUS RANGE SENT" lines (once the server has
# logged every request it was serving).
requests() {
    server_idle
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["path"] == sys.argv[2]: print(e["status"], e["range"], e["sent"])' "$T/server.log" "$1"
}
