#!/usr/bin/env bash
# Runs every fuzz target in BUILD/bin for SECONDS each, from a corpus of fuzz/corpus/<target> if
# one is shipped (a scratch copy: the shipped corpus is never written). Fails on the first crash.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-30}
cd "$(dirname "$0")/.."
targets=$(find "$build/bin" -maxdepth 1 -type f -name '*fuzz_*' -perm -u+x | sort)
[ -n "$targets" ] || { echo "fuzz: no targets in $build/bin"; exit 1; }
n=0
for t in $targets; do
  name=$(basename "$t")
  work=$(mktemp -d)
  [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$work/"
  echo "fuzz: $name for ${seconds}s"
  "$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
       -artifact_prefix="$work/" "$work" > "$work/log" 2>&1 || {
    echo "fuzz: $name FAILED"; tail -40 "$work/log"; exit 1; }
  grep -E '^#[0-9]+.*DONE' "$work/log" | tail -1 || true
  rm -rf "$work"
  n=$((n + 1))
done
echo "fuzz: $n targets ran ${seconds}s each without a crash"
