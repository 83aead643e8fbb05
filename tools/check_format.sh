#!/usr/bin/env bash
# Checks that every C++ file of the project is formatted by .clang-format (Google style, 100
# columns). Usage: tools/check_format.sh [--fix]
#   (no argument)  list the files that differ and exit 1 if there is one
#   --fix          rewrite them in place
# Generated code (build/) and third-party files are not checked.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v clang-format >/dev/null || { echo "check_format.sh: clang-format is not installed" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.h' '*.cc' | grep -E '^(services|tests|tools)/')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i --style=file "${files[@]}"
  exit 0
fi
bad=0
for f in "${files[@]}"; do
  if ! clang-format --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "check_format.sh: not formatted: $f (run tools/check_format.sh --fix)"
    bad=1
  fi
done
exit "$bad"
