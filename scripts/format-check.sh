#!/usr/bin/env bash
# Format check: every tracked *.c and *.h must be exactly as clang-format 14 (the version
# scripts/install-deps.sh pins) formats it with the checked-in .clang-format. Prints the
# differences and fails if any file is not; `clang-format-14 -i FILE` fixes one.
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=clang-format-14
command -v "$fmt" >/dev/null || { echo "format-check: $fmt not found (scripts/install-deps.sh)"; exit 2; }
"$fmt" --version | grep -q 'version 14\.' || { echo "format-check: $fmt is not clang-format 14"; exit 2; }
mapfile -t files < <(git ls-files '*.c' '*.h')
[ ${#files[@]} -gt 0 ] || { echo "format-check: no tracked C files"; exit 2; }
if "$fmt" --dry-run --Werror "${files[@]}"; then
  echo "format-check: ${#files[@]} files formatted as .clang-format says ($fmt)"
else
  echo "format-check: the files above are not formatted; run: $fmt -i FILE"
  exit 1
fi
