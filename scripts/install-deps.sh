#!/usr/bin/env bash
# Installs the Debian packages sg17tb builds and tests with, only those that are missing.
# Idempotent: a second run installs nothing and prints nothing but the final line.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libssl-dev
  libzmq3-dev libczmq-dev         # the message bus
  libprotobuf-c-dev protobuf-c-compiler  # bus envelopes
  libyaml-dev
  libjansson-dev
  libcriterion-dev
  iproute2 nftables util-linux    # naas's linux data-plane backend (ip, bridge, nft; setpriv in its test)
  git clang-format-14 clang-tidy-14      # make format-check, make lint: pinned to LLVM 14
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
