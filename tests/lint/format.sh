#!/bin/sh
# SPDX-License-Identifier: MIT
# The tree is clang-format clean (the repository's .clang-format); skipped, saying why, where
# clang-format is not installed.
cd "$(dirname "$0")/../.." || exit 1
command -v clang-format >/dev/null || { echo "clang-format is not installed"; exit 77; }
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "not a git checkout: no list of the files to check"; exit 77; }
git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror || exit 1
echo "every C file is clang-format clean"
