#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every libFuzzer target built in BUILD_DIR for SECONDS each, starting from the checked-in
# seed corpus, and fails on any crash or leak. Prints each target's executions.
#   tests/fuzz/run.sh BUILD_DIR [SECONDS]
set -eu
build=$1
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for target in $(find "$build/tests/fuzz" -type f -name 'fuzz_*' -perm -u+x | sort); do
    name=$(basename "$target")
    seeds="$here/corpus/${name#fuzz_}"
    [ -d "$seeds" ] || seeds=$(find "$here" -type d -path "*/corpus/${name#fuzz_}" | head -n 1)
    work=$(mktemp -d)
    [ -d "$seeds" ] && cp -r "$seeds/." "$work/"
    log=$(mktemp)
    if "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$work/" -print_final_stats=1 "$work" >"$log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "$name: $execs executions in ${seconds}s, no crash or leak"
    else
        echo "$name: FAILED"
        tail -50 "$log"
        status=1
    fi
    rm -rf "$work" "$log"
done
exit $status
