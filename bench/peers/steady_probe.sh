#!/usr/bin/env bash
# Where logship's CPU goes at a steady rate (issue #12, section 4): the setup of steady_load.sh
# (one file, JSON + time parsed, the record into a spool), logship alone. Per rate (0: nothing is
# written, the agent idles):
#   1. ROUNDS clean runs of SECONDS each: CPU (task-clock from `perf stat`, and utime+stime from
#      /proc as steady_load.sh takes it, both in % of one core), context switches (wake-ups) and
#      CPU migrations per second over the writing window; the median round by task-clock is shown;
#   2. one run under `strace -f -c` (unless STRACE=0): system calls per second, in total and by
#      name. strace slows every call, so CPU is taken from the clean runs only.
# Prints one markdown table; the full `strace -c` tables go to OUT_DIR.
#
#   bench/peers/steady_probe.sh [BUILD_DIR]
#
# Environment: RATES ("0 2000 20000 100000" lines/s), SECONDS_PER_RUN (10), ROUNDS (3), STRACE (1),
# OUT_DIR (/tmp/logship-probe), BENCH_DIR (/dev/shm/logship-probe). Needs perf and strace, and
# rights to attach to the agent (root, or perf_event_paranoid <= 1 and ptrace allowed).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
rates=${RATES:-0 2000 20000 100000}
secs=${SECONDS_PER_RUN:-10}
rounds=${ROUNDS:-3}
use_strace=${STRACE:-1}
out_dir=${OUT_DIR:-/tmp/logship-probe}
work=${BENCH_DIR:-/dev/shm/logship-probe}
logship=$build/logship
gen=$build/bench/gen_json_logs
[ -x "$logship" ] && [ -x "$gen" ] || { echo "build first: scripts/build.sh Release $build" >&2; exit 1; }
command -v perf >/dev/null && command -v strace >/dev/null || { echo "needs perf and strace" >&2; exit 1; }
tick=$(getconf CLK_TCK)
mkdir -p "$out_dir"

. "$root/bench/peers/peer_configs.sh"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start_agent() {
  rm -rf "$work" && mkdir -p "$work/logs"
  : > "$work/logs/app.log"
  write_logship_pipeline "$work" json
  (cd "$work" && exec "$logship" --log-level warn run "$work/pipeline.yaml" > "$work/agent.log" 2>&1) &
  pid=$!
  sleep 1
}

stop_agent() {
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
}

# Writes at `rate` for `secs` (rate 0: sleeps as long).
load() {
  if [ "$1" = 0 ]; then sleep "$secs"; else
    write_at_rate /tmp/probe-src.$$ "$work/logs/app.log" "$1" "$secs" > /dev/null; fi
}

# Calls per second of the syscalls named in $2 (a regex) in the strace -c table $1.
calls() {
  awk -v re="^($2)\$" -v s="$secs" '$NF ~ re && $4 ~ /^[0-9]+$/ {n += $4}
    END {printf "%.1f", n / s}' "$1"
}

"$gen" --lines 200000 --seed 7 > /tmp/probe-src.$$
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $secs s per run, median of $rounds rounds, $build"
echo "| rate | CPU task-clock | CPU /proc | wake-ups/s | migrations/s | syscalls/s | fsync/s | fdatasync/s | write/s | rename/s | poll/s | futex/s | pread/s | fstat/s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for rate in $rates; do
  # Clean runs: one line each (task-clock %, /proc %, wake-ups/s, migrations/s), then the median.
  : > "$work.rounds"
  for _ in $(seq "$rounds"); do
    start_agent
    c0=$(cpu_ticks "$pid")
    perf stat -x, -e context-switches,cpu-migrations,task-clock -p "$pid" -o "$work/perf.csv" \
      -- sleep "$secs" &
    perf_pid=$!
    load "$rate"
    wait "$perf_pid" || true
    c1=$(cpu_ticks "$pid")
    stop_agent
    awk -F, -v c=$((c1 - c0)) -v t="$tick" -v s="$secs" '
      $3 == "context-switches" {cs = $1} $3 == "cpu-migrations" {mig = $1}
      $3 == "task-clock" {tc = $1}
      END {printf "%.2f %.1f %.1f %.1f\n", tc / s / 10, 100 * c / t / s, cs / s, mig / s}' \
      "$work/perf.csv" >> "$work.rounds"
  done
  median=$(sort -n "$work.rounds" | awk -v n="$rounds" 'NR == int((n + 1) / 2)')
  rm -f "$work.rounds"
  read -r tc proc cs mig <<< "$median"
  row="| $rate lines/s | $tc % | $proc % | $cs | $mig |"
  if [ "$use_strace" = 1 ]; then
    start_agent
    strace -f -c -p "$pid" -o "$out_dir/strace-$rate.txt" 2>/dev/null &
    strace_pid=$!
    sleep 0.5  # attached (the half second idle before the load adds a few calls)
    load "$rate"
    kill -INT "$strace_pid"
    wait "$strace_pid" 2>/dev/null || true
    stop_agent
    t="$out_dir/strace-$rate.txt"
    row="$row $(awk -v s="$secs" '$NF == "total" {printf "%.1f", $4 / s}' "$t") |"
    for re in fsync fdatasync 'write|pwrite64|writev' 'rename|renameat|renameat2' \
        'poll|ppoll|epoll_wait|epoll_pwait|select|pselect6' futex pread64 'fstat|newfstatat|statx'; do
      row="$row $(calls "$t" "$re") |"
    done
  else
    row="$row | | | | | | | | |"
  fi
  echo "$row"
done
rm -f /tmp/probe-src.$$
rm -rf "$work"
