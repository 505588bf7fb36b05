#!/bin/sh
# check-out-of-tree.sh — proves a module builds and runs out of tree: installs the build into an
# empty temporary prefix, compiles examples/oot-module/beacon.c with nothing but
# `pkg-config --cflags --libs sg17tb-module` from that prefix, and runs its scenario with the
# installed sg17tb, expecting the verdict `holds`.
#
#   scripts/check-out-of-tree.sh [BUILD_DIR]      (default: build; it must be built already)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$here/$build ;; esac
cc=${CC:-cc}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name sg17tb-module.pc | head -n 1)
[ -n "$pc" ] || { echo "check-out-of-tree: no sg17tb-module.pc installed" >&2; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")"

# the installed .pc must point into the prefix, not where the build was configured for
includedir=$(pkg-config --variable=includedir sg17tb-module)
for h in module.h wire.h tool.h; do
    [ -f "$includedir/sg17tb/$h" ] || {
        echo "check-out-of-tree: $includedir/sg17tb/$h missing (is the .pc relocatable?)" >&2
        exit 1
    }
done

mkdir "$tmp/modules"
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
$cc -std=c11 -O2 -Wall -Wextra -Werror -o "$tmp/modules/beacon.so" \
    "$here/examples/oot-module/beacon.c" $(pkg-config --cflags --libs sg17tb-module)
cp "$here/examples/oot-module/requirements.yaml" "$tmp/modules/beacon.requirements.yaml"

SG17TB_MODULE_PATH="$tmp/modules" "$tmp/prefix/bin/sg17tb" run --out "$tmp/report" \
    "$here/examples/oot-module/spoof.yaml" >"$tmp/run.txt" 2>&1 || {
    cat "$tmp/run.txt" >&2
    echo "check-out-of-tree: sg17tb run failed" >&2
    exit 1
}
grep -q '"verdict": *"holds"' "$tmp/report/report.json" || {
    cat "$tmp/run.txt" >&2
    echo "check-out-of-tree: expected the verdict holds" >&2
    exit 1
}
echo "check-out-of-tree: beacon.so built from the installed SDK alone; spoof.yaml holds"
