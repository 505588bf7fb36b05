#!/usr/bin/env bash
# Runs every benchmark binary in BUILD/bin (bench_*); each prints RESULT lines.
set -euo pipefail
build=${1:-build}
for b in $(find "$build/bin" -maxdepth 1 -type f -name 'bench_*' -perm -u+x | sort); do
  echo "== $(basename "$b")"
  "$b"
done
