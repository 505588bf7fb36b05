#!/usr/bin/env bash
# Static analysis: clang-tidy 14 (checks in .clang-tidy) over every C file of core/ and modules/
# that the build compiles, with the build's own flags (BUILD/compile_commands.json), JOBS at a
# time. Any finding fails: exit status 1 and the findings on stdout.
set -euo pipefail
build=${1:-build}
jobs=${2:-$(nproc)}
cd "$(dirname "$0")/.."
tidy=clang-tidy-14
command -v "$tidy" >/dev/null || { echo "lint: $tidy not found (scripts/install-deps.sh)"; exit 2; }
db="$build/compile_commands.json"
[ -f "$db" ] || { echo "lint: no $db (configure the build first)"; exit 2; }

# Every source file the build compiles under core/ or modules/ (a module's sources appear twice,
# for its .so and its static library: analysed once).
root=$(pwd)
files=$(sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$db" | grep -E "^$root/(core|modules)/" | sort -u)
[ -n "$files" ] || { echo "lint: $db lists no file under core/ or modules/"; exit 2; }
n=$(echo "$files" | wc -l)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if echo "$files" | xargs -P "$jobs" -n 4 "$tidy" -p "$build" --quiet >"$log" 2>&1; then
  echo "lint: $n files, no findings ($tidy)"
else
  grep -E '(warning|error):' "$log" | sed "s|^$root/||" | sort -u
  echo "lint: $tidy found the problems above in $n files"
  exit 1
fi
