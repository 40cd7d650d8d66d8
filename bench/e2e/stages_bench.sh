#!/usr/bin/env bash
# End-to-end benchmark of the parsing stages (issue #3): `logship run --once` into a spool on
# tmpfs and on disk, from 1,000,000 generated lines (fixed seeds):
#   (a) JSON lines through `json` + `timestamp`        (bench/gen/gen_json_logs)
#   (b) nginx combined lines through `regex nginx_combined` + `timestamp` (bench/gen/gen_nginx_logs)
#   (c) as (a) with no stage, for the cost of the stages alone
# Reports events/s, CPU seconds (user+sys) and CPU µs per event, and peak RSS: the median of RUNS.
#
#   bench/e2e/stages_bench.sh [BUILD_DIR] [RUNS]      (BUILD_DIR defaults to build, Release)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
runs=${2:-5}
lines=${LINES_TOTAL:-1000000}
logship=$build/logship
for tool in "$logship" "$build/bench/gen_json_logs" "$build/bench/gen_nginx_logs"; do
  [ -x "$tool" ] || { echo "missing $tool: build first (scripts/build.sh Release $build)" >&2; exit 1; }
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run_case() {
  local label=$1 work=$2 gen=$3 stages=$4
  rm -rf "$work" && mkdir -p "$work/logs"
  "$build/bench/$gen" --lines "$lines" --seed 42 > "$work/logs/app.log"
  local bytes
  bytes=$(stat -c %s "$work/logs/app.log")
  {
    echo "data_dir: ./data"
    echo "pipelines:"
    echo "  bench:"
    echo "    inputs:"
    echo "      - {type: file, include: [\"logs/*.log\"]}"
    echo "    stages:"
    printf '%s\n' "$stages"
    echo "    sinks:"
    echo "      - {type: spool, path: ./out}"
  } > "$work/pipeline.yaml"
  local walls=() cpus=() rss=()
  for _ in $(seq "$runs"); do
    rm -rf "$work/data" "$work/out"
    sync
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$logship" --log-level warn run --once \
      --no-progress "$work/pipeline.yaml"
    read -r wall user sys maxrss < "$work/time"
    walls+=("$wall"); rss+=("$maxrss")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
    local n
    n=$(cat "$work"/out/*.ndjson | wc -l)
    [ "$n" -eq "$lines" ] || { echo "$label: expected $lines events, got $n" >&2; exit 1; }
  done
  local errors
  errors=$( (grep -c '"error":{' "$work"/out/*.ndjson || true) | awk -F: '{s+=$NF} END {print s+0}')
  local wall cpu maxrss
  wall=$(printf '%s\n' "${walls[@]}" | median)
  cpu=$(printf '%s\n' "${cpus[@]}" | median)
  maxrss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  awk -v label="$label" -v bytes="$bytes" -v lines="$lines" -v wall="$wall" -v cpu="$cpu" \
      -v rss="$maxrss" -v errors="$errors" 'BEGIN {
    printf "| %s | %.0f events/s | %.0f MB/s | %.2f s | %.2f s | %.2f µs | %.1f MB | %d |\n",
      label, lines / wall, bytes / wall / 1e6, wall, cpu, cpu / lines * 1e6, rss / 1024, errors }'
  rm -rf "$work"
}

json_stages='      - {type: json}
      - {type: timestamp, field: ts, formats: [iso8601]}'
nginx_stages='      - {type: regex, pattern: nginx_combined}
      - {type: timestamp, field: time_local, formats: [nginx]}'

echo "logship $("$logship" --version | cut -d' ' -f2), $lines lines per case, median of $runs runs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "| case | events/s | input MB/s | wall | CPU (user+sys) | CPU per event | peak RSS | events tagged error |"
echo "|---|---|---|---|---|---|---|---|"
for fs in "tmpfs:${BENCH_TMPFS_DIR:-/dev/shm/logship-bench}" "disk:${BENCH_DISK_DIR:-$root/build/bench-disk}"; do
  name=${fs%%:*}; dir=${fs#*:}
  run_case "(a) json + timestamp, $name" "$dir" gen_json_logs "$json_stages"
  run_case "(b) regex nginx_combined + timestamp, $name" "$dir" gen_nginx_logs "$nginx_stages"
  run_case "(c) JSON lines, no stage, $name" "$dir" gen_json_logs "      []"
done
