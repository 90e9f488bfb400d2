#!/bin/sh
# SPDX-License-Identifier: MIT
# Every source file and script says its licence on an SPDX line near its top (LICENSE: MIT).
cd "$(dirname "$0")/../.." || exit 1
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "not a git checkout: no list of the files to check"; exit 77; }
missing=$(git ls-files '*.c' '*.h' '*.sh' '*.py' '*.cmake' '*CMakeLists.txt' | grep -v '/recipes/' |
    while read -r f; do head -n 3 "$f" | grep -q 'SPDX-License-Identifier: MIT' || echo "$f"; done)
if [ -n "$missing" ]; then
    echo "files without an SPDX line:"
    echo "$missing"
    exit 1
fi
echo "every source file has its SPDX line"
