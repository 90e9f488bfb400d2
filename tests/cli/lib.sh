# Helpers for the shell tests that drive the real rove binary. Each test script sources this,
# calls its checks, and ends with `finish`, which prints "N passed, N failed" and sets the exit code.
set -u

ROVE=${ROVE:?set ROVE to the rove binary}
PASSED=0
FAILED=0
WORK=$(mktemp -d /tmp/rove-cli-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
export ROVE_HOME="$WORK/home"
unset ROVE_MACHINEFILE

ok() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $1"; shift; for line in "$@"; do echo "#   $line"; done; }

# run CMD...: runs rove with the arguments, capturing OUT, ERR and RC.
run() {
    OUT=$("$ROVE" "$@" 2>"$WORK/.stderr")
    RC=$?
    ERR=$(cat "$WORK/.stderr")
}

# expect_rc NAME CODE: the last run exited with CODE.
expect_rc() {
    if [ "$RC" -eq "$2" ]; then ok "$1"; else not_ok "$1" "exit code $RC, expected $2" "stdout: $OUT" "stderr: $ERR"; fi
}

# expect_out NAME TEXT / expect_err NAME TEXT: stdout / stderr of the last run contains TEXT.
expect_out() {
    case "$OUT" in *"$2"*) ok "$1" ;; *) not_ok "$1" "stdout lacks: $2" "stdout: $OUT" "stderr: $ERR" ;; esac
}
expect_err() {
    case "$ERR" in *"$2"*) ok "$1" ;; *) not_ok "$1" "stderr lacks: $2" "stdout: $OUT" "stderr: $ERR" ;; esac
}

finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
