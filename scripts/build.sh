#!/usr/bin/env bash
# Configures and builds logship: scripts/build.sh [BUILD_TYPE] [BUILD_DIR] [extra cmake args...]
# BUILD_TYPE defaults to Release, BUILD_DIR to build. Uses Ninja and every core. Set BUILD_TARGET to
# build one target only (the quickstart builds just `logship`).
set -euo pipefail
cd "$(dirname "$0")/.."
type=${1:-Release}
dir=${2:-build}
shift $(( $# > 2 ? 2 : $# ))
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)" ${BUILD_TARGET:+--target "$BUILD_TARGET"}
