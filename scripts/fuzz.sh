#!/usr/bin/env bash
# Runs every fuzz target in BUILD/bin for SECONDS each, JOBS at a time (default: one per core),
# from a corpus of fuzz/corpus/<target> if one is shipped (a scratch copy: the shipped corpus is
# never written). Fails if any target crashes, and shows that target's log.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-30}
jobs=${3:-$(nproc)}
cd "$(dirname "$0")/.."
targets=$(find "$build/bin" -maxdepth 1 -type f -name '*fuzz_*' -perm -u+x | sort)
[ -n "$targets" ] || { echo "fuzz: no targets in $build/bin"; exit 1; }

# One target: prints its last status line, or FAILED and the end of its log; exit status says.
fuzz_one() {
  local t=$1 seconds=$2 name work
  name=$(basename "$t")
  work=$(mktemp -d)
  [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$work/"
  if "$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
       -artifact_prefix="$work/" "$work" > "$work/log" 2>&1; then
    echo "fuzz: $name ${seconds}s: $(grep -E '^#[0-9]+.*DONE' "$work/log" | tail -1 || true)"
    rm -rf "$work"
  else
    echo "fuzz: $name FAILED (artifacts in $work)"
    tail -40 "$work/log"
    return 1
  fi
}
export -f fuzz_one

n=$(echo "$targets" | wc -l)
if echo "$targets" | xargs -P "$jobs" -I{} bash -c 'fuzz_one "$@"' _ {} "$seconds"; then
  echo "fuzz: $n targets ran ${seconds}s each without a crash"
else
  echo "fuzz: a target crashed (see above)"
  exit 1
fi
