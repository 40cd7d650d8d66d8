#!/usr/bin/env bash
# Where logship's CPU goes at a steady rate (issue #12, section 4): the setup of steady_load.sh
# (one file, JSON + time parsed, the record into a spool), logship alone. Per rate (0: nothing is
# written, the agent idles) two runs of SECONDS each:
#   1. clean: CPU (utime+stime from /proc, % of one core) and `perf stat` context switches
#      (wake-ups), CPU migrations and task-clock over the writing window;
#   2. under `strace -f -c`: system calls per second, in total and by name (fsync, fdatasync,
#      write, rename, poll...). strace slows every call, so CPU is taken from run 1 only.
# Prints one markdown table; the full `strace -c` tables go to OUT_DIR.
#
#   bench/peers/steady_probe.sh [BUILD_DIR]
#
# Environment: RATES ("0 2000 20000 100000" lines/s), SECONDS_PER_RUN (10), OUT_DIR
# (/tmp/logship-probe), BENCH_DIR (/dev/shm/logship-probe). Needs perf and strace, and rights to
# attach to the agent (root, or kernel.perf_event_paranoid <= 1 and ptrace allowed).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
rates=${RATES:-0 2000 20000 100000}
secs=${SECONDS_PER_RUN:-10}
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
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $secs s per run, $("$logship" --version 2>/dev/null | head -1)"
echo "| rate | CPU (% of a core) | wake-ups/s | migrations/s | syscalls/s | fsync/s | fdatasync/s | write/s | rename/s | poll+epoll/s | futex/s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for rate in $rates; do
  # Run 1: clean.
  start_agent
  c0=$(cpu_ticks "$pid")
  perf stat -x, -e context-switches,cpu-migrations,task-clock -p "$pid" -o "$work/perf.csv" \
    -- sleep "$secs" &
  perf_pid=$!
  load "$rate"
  wait "$perf_pid" || true
  c1=$(cpu_ticks "$pid")
  stop_agent
  cs=$(awk -F, '$3 == "context-switches" {print $1}' "$work/perf.csv")
  mig=$(awk -F, '$3 == "cpu-migrations" {print $1}' "$work/perf.csv")
  # Run 2: under strace.
  start_agent
  strace -f -c -p "$pid" -o "$out_dir/strace-$rate.txt" 2>/dev/null &
  strace_pid=$!
  sleep 0.5  # attached
  load "$rate"
  kill -INT "$strace_pid"
  wait "$strace_pid" 2>/dev/null || true
  stop_agent
  t="$out_dir/strace-$rate.txt"
  total=$(awk -v s="$secs" '$NF == "total" {printf "%.1f", $4 / s}' "$t")
  awk -v r="$rate" -v c=$((c1 - c0)) -v t="$tick" -v s="$secs" -v cs="$cs" -v mig="$mig" \
    -v total="$total" -v fs="$(calls "$t" fsync)" -v fds="$(calls "$t" fdatasync)" \
    -v w="$(calls "$t" 'write|pwrite64|writev')" -v rn="$(calls "$t" 'rename|renameat|renameat2')" \
    -v po="$(calls "$t" 'poll|ppoll|epoll_wait|epoll_pwait|select|pselect6')" \
    -v fu="$(calls "$t" futex)" \
    'BEGIN {printf "| %d lines/s | %.1f %% | %.1f | %.1f | %s | %s | %s | %s | %s | %s | %s |\n",
      r, 100 * c / t / s, cs / s, mig / s, total, fs, fds, w, rn, po, fu}'
done
rm -f /tmp/probe-src.$$
rm -rf "$work"
