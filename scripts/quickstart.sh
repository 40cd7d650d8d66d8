#!/usr/bin/env bash
# Sets up (Debian packages), builds logship (Release), and runs pipelines/quickstart.yaml once over
# the sample logs in pipelines/sample/ into a local spool directory; then shows what was shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_TARGET=logship scripts/build.sh Release build

# A fresh demo each time: forget the previous run's checkpoints and spool.
rm -rf build/quickstart
./build/logship run --once pipelines/quickstart.yaml

out=build/quickstart/out
echo
echo "Shipped $(cat "$out"/*.ndjson | wc -l) events into $(pwd)/$out:"
ls -l "$out"
echo
echo "The first three events:"
head -n 3 "$out"/*.ndjson
echo
echo "Checkpoints (device, inode, head fingerprint length and hash, offset, offset marker length and hash, size, path) in $(pwd)/build/quickstart/data/quickstart:"
grep '^file ' build/quickstart/data/quickstart/*.checkpoints
