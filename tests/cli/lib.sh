# SPDX-License-Identifier: MIT
# Helpers for the shell tests that drive the real rove binary. Each test script sources this,
# calls its checks (tests/lib/checks.sh), and ends with `finish`.
set -u
CHECKS_LIB=$(cd "$(dirname "$0")/../lib" && pwd)

WORK=$(mktemp -d /tmp/rove-cli-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
export ROVE_HOME="$WORK/home"
unset ROVE_MACHINEFILE

CHECKS_DIR=$WORK
. "$CHECKS_LIB/checks.sh"

# use_fake_provider: machines of provider "fake" run on the engine's fake provider module
# (tests/unit/engine/fake_provider.c), whose calls go to $WORK/calls and whose guest stops at once
# (it never answers SSH); ./fake.box is a box for it. Skips (exit 77) without the module.
use_fake_provider() {
    : "${FAKE_PROVIDER_DIR:?set FAKE_PROVIDER_DIR to the fake provider module's folder}"
    if [ ! -f "$FAKE_PROVIDER_DIR/rove-provider-fake.so" ]; then
        echo "SKIP: the fake provider module is built with the unit tests (ROVE_TESTS=ON)"
        exit 77
    fi
    export ROVE_PROVIDER_PATH=$FAKE_PROVIDER_DIR FAKE_PROVIDER_LOG=$WORK/calls FAKE_PROVIDER_DIES=1
    mkdir box && (cd box && truncate -s 1M box.img &&
        printf '{"provider":"fake","format":"raw","virtual_size":1}' >metadata.json &&
        tar -cf ../fake.box metadata.json box.img)
}
