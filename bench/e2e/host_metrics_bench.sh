#!/usr/bin/env bash
# What the host_metrics input costs (issue #6), two measurements:
#   (1) Idle: `logship run` for DURATION seconds (60) with no log traffic, host_metrics sampling
#       every metricset each second into a spool, the HTTP server on and /metrics scraped each
#       second. CPU seconds (utime+stime of /proc/<pid>/stat) over the window, after a warm-up,
#       as a share of one core; beside it the same agent with an idle file input and no
#       host_metrics, for what the agent costs anyway.
#   (2) Throughput: LINES (2,000,000) generated JSON lines (bench/gen/gen_json_logs, seed 42)
#       through `json` + `timestamp` into a spool on tmpfs, with and without a host_metrics input
#       sampling each second in the same pipeline. `logship run` (not --once: with --once the input
#       takes one sample and ends), timed until the log spool holds every event; the two cases
#       run in pairs, RUNS (5) times each, the order swapped every other pair; medians compared,
#       and the paired differences (the rest of a shared machine loads both runs of a pair alike).
#
#   bench/e2e/host_metrics_bench.sh [BUILD_DIR] [RUNS]     (BUILD_DIR defaults to build, Release)
# Environment: DURATION (60), LINES (2000000), BENCH_DIR (/dev/shm/logship-host-bench),
# BENCH_DISK_DIR (build/bench-host-disk: where the idle agent's spool and state go), PORT (19180),
# PARTS ("idle throughput": which measurements to run), HOST_INTERVAL (1s: the host_metrics
# interval of the throughput runs; 10ms magnifies its cost a hundredfold).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
runs=${2:-5}
duration=${DURATION:-60}
lines=${LINES:-2000000}
bench=${BENCH_DIR:-/dev/shm/logship-host-bench}
disk=${BENCH_DISK_DIR:-$root/build/bench-host-disk}
port=${PORT:-19180}
parts=${PARTS:-idle throughput}
host_interval=${HOST_INTERVAL:-1s}
logship=$build/logship
for tool in "$logship" "$build/bench/gen_json_logs"; do
  [ -x "$tool" ] || { echo "missing $tool: build first (Release)" >&2; exit 1; }
done
tck=$(getconf CLK_TCK)

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Nanoseconds on a CPU, summed over the process's threads (finer than the ticks above; threads
# that ended are not counted, so this is a cross-check, not the figure).
sched_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s+=$1} END {printf "%.0f", s}'; }
now() { date +%s.%N; }
# Total bytes of the .ndjson files under a directory.
spool_bytes() { find "$1" -name '*.ndjson' -printf '%s\n' 2>/dev/null | awk '{s+=$1} END {print s+0}'; }
stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# --- (1) idle cost ----------------------------------------------------------------------------
idle_case() {
  local label=$1 input=$2 work=$disk/idle
  rm -rf "$work" && mkdir -p "$work/logs"
  local http=""
  cat > "$work/probe.yaml" <<EOF
data_dir: ./data
http: {listen: "127.0.0.1:$port"}
pipelines:
  p:
    inputs: [{type: host_metrics}]
    sinks: [{type: spool, path: ./out}]
EOF
  if "$logship" validate "$work/probe.yaml" > /dev/null 2>&1; then
    http="http: {listen: \"127.0.0.1:$port\"}"
  fi
  {
    echo "data_dir: ./data"
    [ -n "$http" ] && echo "$http"
    echo "pipelines:"
    echo "  idle:"
    echo "    inputs:"
    printf '%s\n' "$input"
    echo "    sinks:"
    echo "      - {type: spool, path: ./out}"
  } > "$work/pipeline.yaml"
  "$logship" --log-level warn run "$work/pipeline.yaml" < /dev/null > "$work/log" 2>&1 &
  local pid=$!
  sleep 3  # start-up and the first samples are not the steady state
  local t0 c0 n0 scrapes=0 failed=0
  t0=$(now)
  c0=$(cpu_ticks "$pid")
  n0=$(sched_ns "$pid")
  for _ in $(seq "$duration"); do
    if [ -n "$http" ]; then
      if curl -sf "http://127.0.0.1:$port/metrics" -o /dev/null; then
        scrapes=$((scrapes + 1))
      else
        failed=$((failed + 1))
      fi
    fi
    sleep 1
  done
  local c1 n1 t1 events
  c1=$(cpu_ticks "$pid")
  n1=$(sched_ns "$pid")
  t1=$(now)
  stop "$pid"
  events=$( (cat "$work"/out/*.ndjson 2>/dev/null || true) | wc -l)
  awk -v label="$label" -v c="$((c1 - c0))" -v ns="$((n1 - n0))" -v tck="$tck" -v t0="$t0" -v t1="$t1" \
      -v events="$events" -v scrapes="$scrapes" -v failed="$failed" -v http="${http:+on}" 'BEGIN {
    cpu = c / tck; wall = t1 - t0
    printf "| %s | %.1f s | %.2f s | %.3f %% | %.1f ms (%.3f %%) | %d | %s |\n", label, wall, cpu,
      100 * cpu / wall, ns / 1e6, 100 * ns / 1e9 / wall, events, (http == "on") ? sprintf("%d scrapes, %d failed", scrapes, failed) : "no http: server"
  }'
  rm -rf "$work"
}

# --- (2) throughput ---------------------------------------------------------------------------
write_pipeline() {
  local file=$1 with_metrics=$2
  {
    echo "data_dir: ./data"
    echo "pipelines:"
    echo "  bench:"
    echo "    inputs:"
    echo "      - {type: file, include: [\"logs/*.log\"]}"
    [ "$with_metrics" = 1 ] && echo "      - {type: host_metrics, interval: $host_interval}"
    echo "    stages:"
    echo "      - {type: json, when: {not: {field: metricset.name, exists: true}}}"
    echo "      - {type: timestamp, field: ts, formats: [iso8601], when: {not: {field: metricset.name, exists: true}}}"
    echo "    sinks:"
    echo "      - {type: spool, path: ./out/logs, when: {not: {field: metricset.name, exists: true}}}"
    echo "      - {type: spool, path: ./out/metrics, when: {field: event.module, equals: system}}"
  } > "$file"
}

# Runs `logship run` until the log spool holds `expect` bytes; prints "wall cpu_seconds samples"
# (CPU from schedstat).
timed_run() {
  local work=$1 pipeline=$2 expect=$3
  rm -rf "$work/data" "$work/out"
  sync
  local t0 t1 pid
  t0=$(now)
  "$logship" --log-level warn run "$pipeline" < /dev/null > "$work/log" 2>&1 &
  pid=$!
  while [ "$(spool_bytes "$work/out/logs")" -lt "$expect" ]; do
    kill -0 "$pid" 2>/dev/null || { echo "logship ended early: $(cat "$work/log")" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(now)
  # Every thread of the agent lives until shutdown, so schedstat counts all of its CPU here, to
  # the nanosecond (the ticks of /proc/pid/stat are 10 ms).
  local ns
  ns=$(sched_ns "$pid")
  stop "$pid"
  local samples
  samples=$( (cat "$work"/out/metrics/*.ndjson 2>/dev/null || true) | grep -c '"name":"load"' || true)
  awk -v t0="$t0" -v t1="$t1" -v ns="$ns" -v s="$samples" \
    'BEGIN {printf "%.3f %.4f %d\n", t1 - t0, ns / 1e9, s}'
}

throughput() {
  local work=$bench/throughput
  rm -rf "$work" && mkdir -p "$work/logs"
  "$build/bench/gen_json_logs" --lines "$lines" --seed 42 > "$work/logs/app.log"
  write_pipeline "$work/without.yaml" 0
  write_pipeline "$work/with.yaml" 1
  # What the log spool holds once every line is through (the output is deterministic).
  rm -rf "$work/data" "$work/out"
  "$logship" --log-level warn run --once --no-progress "$work/without.yaml"
  local expect n
  expect=$(spool_bytes "$work/out/logs")
  n=$(cat "$work"/out/logs/*.ndjson | wc -l)
  [ "$n" -eq "$lines" ] || { echo "expected $lines events, got $n" >&2; exit 1; }
  local wa=() ca=() wb=() cb=() sb=()
  # Pairs, the order swapped every other time, so neither case always runs first.
  local w c s
  for i in $(seq "$runs"); do
    if [ $((i % 2)) = 1 ]; then
      read -r w c _ < <(timed_run "$work" "$work/without.yaml" "$expect")
      wa+=("$w"); ca+=("$c")
    fi
    read -r w c s < <(timed_run "$work" "$work/with.yaml" "$expect")
    wb+=("$w"); cb+=("$c"); sb+=("$s")
    if [ $((i % 2)) = 0 ]; then
      read -r w c _ < <(timed_run "$work" "$work/without.yaml" "$expect")
      wa+=("$w"); ca+=("$c")
    fi
  done
  [ "${#wa[@]}" -eq "$runs" ] && [ "${#wb[@]}" -eq "$runs" ] || { echo "a run failed" >&2; exit 1; }
  local mwa mca mwb mcb msb bwa bwb
  mwa=$(printf '%s\n' "${wa[@]}" | median); mca=$(printf '%s\n' "${ca[@]}" | median)
  mwb=$(printf '%s\n' "${wb[@]}" | median); mcb=$(printf '%s\n' "${cb[@]}" | median)
  msb=$(printf '%s\n' "${sb[@]}" | median)
  bwa=$(printf '%s\n' "${wa[@]}" | sort -g | head -1)
  bwb=$(printf '%s\n' "${wb[@]}" | sort -g | head -1)
  echo "walls without: ${wa[*]}"
  echo "walls with:    ${wb[*]}"
  echo "CPU without:   ${ca[*]}"
  echo "CPU with:      ${cb[*]}"
  echo
  echo "| case | events/s (median) | events/s (best run) | CPU (user+sys, median) | CPU per event | host samples taken |"
  echo "|---|---|---|---|---|---|"
  awk -v n="$lines" -v w="$mwa" -v b="$bwa" -v c="$mca" 'BEGIN {
    printf "| json + timestamp, no host_metrics | %.0f | %.0f | %.2f s | %.3f µs | - |\n", n / w, n / b, c, c / n * 1e6 }'
  awk -v n="$lines" -v w="$mwb" -v b="$bwb" -v c="$mcb" -v s="$msb" -v hi="$host_interval" 'BEGIN {
    printf "| json + timestamp, host_metrics every %s | %.0f | %.0f | %.2f s | %.3f µs | %d |\n", hi, n / w, n / b, c, c / n * 1e6, s }'
  awk -v a="$mwa" -v b="$mwb" -v ba="$bwa" -v bb="$bwb" -v ca="$mca" -v cb="$mcb" 'BEGIN {
    printf "\nwith/without: throughput %.3f (median), %.3f (best run); CPU per event %.3f\n", a / b, ba / bb, cb / ca }'
  # Runs alternate, so each pair ran under about the same load from the rest of the machine: the
  # mean of the paired differences, with its standard error, says how far apart the cases are.
  paired() {
    awk -v xs="$1" -v ys="$2" 'BEGIN {
      n = split(xs, x, " "); split(ys, y, " ")
      for (i = 1; i <= n; i++) { d[i] = (y[i] - x[i]) / x[i]; m += d[i] }
      m /= n
      for (i = 1; i <= n; i++) v += (d[i] - m) ^ 2
      se = (n > 1) ? sqrt(v / (n - 1) / n) : 0
      printf "%+.1f %% +- %.1f %%", 100 * m, 100 * se }'
  }
  echo "paired (with - without) / without, mean +- standard error: wall $(paired "${wa[*]}" "${wb[*]}"), CPU $(paired "${ca[*]}" "${cb[*]}")"
  rm -rf "$work"
}

echo "logship $("$logship" --version | cut -d' ' -f2), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
if [[ " $parts " == *" idle "* ]]; then
  echo
  echo "(1) idle, ${duration} s window"
  echo
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| agent | window | CPU (user+sys, /proc/pid/stat) | of one core | CPU (schedstat) | events shipped | /metrics |"
  echo "|---|---|---|---|---|---|---|"
  idle_case "idle file input only" "      - {type: file, include: [\"logs/*.log\"]}"
  idle_case "host_metrics every 1s, all metricsets" "      - {type: host_metrics, interval: 1s}"
fi
if [[ " $parts " == *" throughput "* ]]; then
  echo
  echo "(2) throughput, $lines JSON lines, host_metrics every $host_interval, median of $runs pairs"
  echo
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  throughput
fi
