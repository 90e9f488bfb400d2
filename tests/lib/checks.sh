# SPDX-License-Identifier: MIT
# The checks of every shell test (sourced; CHECKS_DIR names a folder the test owns):
#   run ARGS...               runs $ROVE ARGS, keeping stdout and stderr in $CHECKS_DIR/out and
#                             $CHECKS_DIR/err (and in $OUT, $ERR) and the exit code in $RC
#   run_expect WHAT RC ARGS...  run, then expect_rc WHAT RC
#   expect_rc NAME CODE       the last run exited with CODE
#   expect_out [NAME] TEXT    its stdout contains TEXT;  expect_err [NAME] TEXT: its stderr
#   ok NAME / pass NAME, not_ok NAME [DETAIL...], fail NAME (not_ok, then exit 1)
#   finish                    prints "N passed, N failed"; the exit code says whether all passed
# With CHECKS_FAIL_FAST=1 the first failed check ends the test (for tests whose steps build on
# each other).
: "${ROVE:?set ROVE to the rove binary}"
: "${CHECKS_DIR:?set CHECKS_DIR before sourcing checks.sh}"
PASSED=0
FAILED=0

ok() {
    PASSED=$((PASSED + 1))
    echo "ok - $1"
}
pass() { ok "$@"; }
not_ok() {
    FAILED=$((FAILED + 1))
    echo "not ok - $1"
    shift
    for line in "$@"; do echo "#   $line"; done
    [ "${CHECKS_FAIL_FAST:-0}" != 1 ] || exit 1
}
fail() {
    not_ok "$@"
    exit 1
}

run() {
    "$ROVE" "$@" >"$CHECKS_DIR/out" 2>"$CHECKS_DIR/err"
    RC=$?
    OUT=$(cat "$CHECKS_DIR/out")
    ERR=$(cat "$CHECKS_DIR/err")
}

expect_rc() {
    if [ "$RC" -eq "$2" ]; then ok "$1"; else not_ok "$1" "exit code $RC, expected $2" "stdout: $OUT" "stderr: $ERR"; fi
}

run_expect() {
    what=$1 want=$2
    shift 2
    run "$@"
    expect_rc "$what (rove $*)" "$want"
}

# expect_in STREAM NAME TEXT: $OUT or $ERR (the last run's, unless a test set them) has TEXT.
expect_in() {
    if [ "$1" = out ]; then text=$OUT; else text=$ERR; fi
    case "$text" in
    *"$3"*) ok "$2" ;;
    *) not_ok "$2" "std$1 lacks: $3" "stdout: $OUT" "stderr: $ERR" ;;
    esac
}
expect_out() { if [ $# -eq 1 ]; then expect_in out "stdout has '$1'" "$1"; else expect_in out "$1" "$2"; fi; }
expect_err() { if [ $# -eq 1 ]; then expect_in err "stderr has '$1'" "$1"; else expect_in err "$1" "$2"; fi; }

finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
