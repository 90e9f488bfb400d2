#!/bin/sh
# SPDX-License-Identifier: MIT
# The one message shape (CONTRIBUTING.md, "Errors and messages"): a message given to error(),
# die(), log_error() or log_warn() starts lowercase (or with a name or an acronym: SSH, RT_FMT's
# machine name, a %s) and ends without a full stop.
cd "$(dirname "$0")/../.." || exit 1
calls='(error|die|log_error|log_warn)\((RT_FMT )?"'
bad=$(grep -rnE "$calls" --include=*.c boxes cli cmd engine machine provision providers util |
    grep -E "$calls"'([A-Z][a-z]|[^"]*\.(\\n)?"[,)])')
if [ -n "$bad" ]; then
    echo "messages not in the project's shape (lowercase start, no full stop):"
    echo "$bad"
    exit 1
fi
echo "every message is lowercase and has no full stop"
