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
