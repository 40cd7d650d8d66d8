#!/usr/bin/env bash
# End-to-end benchmark: `logship run --once` from 1,000,000 generated JSON lines (~220 bytes, fixed
# seed) into the spool sink, no parse stage. Reports MB/s and lines/s of input, CPU seconds and
# peak RSS, the median of RUNS runs, for a work directory on disk and one on tmpfs (/dev/shm), so
# the pipeline's own cost can be told from the disk's. For scale it also times `dd` writing the
# same number of bytes as the spool received, with one fdatasync, on each file system.
#
#   bench/e2e/spool_bench.sh [BUILD_DIR] [RUNS]      (BUILD_DIR defaults to build, a Release build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
runs=${2:-5}
lines=${LINES_TOTAL:-1000000}
logship=$build/logship
gen=$build/bench/gen_json_logs
[ -x "$logship" ] && [ -x "$gen" ] || { echo "build first: scripts/build.sh Release $build" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

bench_in() {
  local work=$1 label=$2
  rm -rf "$work" && mkdir -p "$work/logs"
  "$gen" --lines "$lines" --seed 42 > "$work/logs/app.log"
  local bytes
  bytes=$(stat -c %s "$work/logs/app.log")
  cat > "$work/pipeline.yaml" <<YAML
data_dir: ./data
pipelines:
  bench:
    inputs:
      - type: file
        include: ["logs/*.log"]
    sinks:
      - type: spool
        path: ./out
YAML
  local walls=() cpus=() rss=() out_bytes=0
  for _ in $(seq "$runs"); do
    rm -rf "$work/data" "$work/out"
    sync
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$logship" --log-level warn run --once \
      --no-progress "$work/pipeline.yaml"
    read -r wall user sys maxrss < "$work/time"
    walls+=("$wall"); cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')"); rss+=("$maxrss")
    local n
    n=$(cat "$work"/out/*.ndjson | wc -l)
    [ "$n" -eq "$lines" ] || { echo "expected $lines events in the spool, got $n" >&2; exit 1; }
    out_bytes=$(du -cb "$work"/out/*.ndjson | tail -1 | cut -f1)
  done
  local wall cpu maxrss
  wall=$(printf '%s\n' "${walls[@]}" | median)
  cpu=$(printf '%s\n' "${cpus[@]}" | median)
  maxrss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  local dd_wall
  dd_wall=$( { /usr/bin/time -f "%e" dd if=/dev/zero of="$work/dd.out" bs=1M \
      count=$((out_bytes / 1048576)) conv=fdatasync status=none; } 2>&1 | tail -1)
  rm -f "$work/dd.out"
  awk -v label="$label" -v bytes="$bytes" -v lines="$lines" -v wall="$wall" -v cpu="$cpu" \
      -v rss="$maxrss" -v out="$out_bytes" -v dd="$dd_wall" 'BEGIN {
    printf "| %s | %.0f MB/s | %.0f lines/s | %.2f s | %.2f s | %.1f MB | %.0f MB | %.0f MB/s |\n",
      label, bytes / wall / 1e6, lines / wall, wall, cpu, rss / 1024, out / 1e6, out / dd / 1e6 }'
  rm -rf "$work"
}

echo "logship $("$logship" --version | cut -d' ' -f2), $lines lines, median of $runs runs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "| work dir | input MB/s | lines/s | wall | CPU (user+sys) | peak RSS | spool written | dd same bytes |"
echo "|---|---|---|---|---|---|---|---|"
bench_in "${BENCH_DISK_DIR:-$root/build/bench-disk}" "disk (ext4)"
bench_in "${BENCH_TMPFS_DIR:-/dev/shm/logship-bench}" "tmpfs (/dev/shm)"
