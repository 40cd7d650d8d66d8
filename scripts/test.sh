#!/usr/bin/env bash
# Sets up (Debian packages), builds logship and its tests (Release), and runs the whole suite under
# ctest. Tests labelled `soak` (long runs) are skipped; run them with: scripts/test.sh --soak
# LOGSHIP_SANITIZE=1 scripts/test.sh builds and runs everything with ASan and UBSan instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

dir=build
args=()
if [ "${LOGSHIP_SANITIZE:-0}" = 1 ]; then
  dir=build-asan
  args+=(-DLOGSHIP_SANITIZE=ON)
fi
scripts/build.sh Release "$dir" "${args[@]}"

label=(-LE soak)
[ "${1:-}" = "--soak" ] && label=(-L soak)
ctest --test-dir "$dir" --no-tests=error --output-on-failure -j "$(nproc)" "${label[@]}"
