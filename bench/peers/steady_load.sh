#!/usr/bin/env bash
# What an agent costs at the rate a host logs (issue #12, section 4): a writer appends JSON lines
# to one file at a fixed rate for SECONDS; the agent tails it, parses JSON and its time, and
# writes the parsed record to a file. Reported per rate and program: the agent's CPU over the
# writing window (utime+stime from /proc, in % of one core), its peak RSS, and lines out / lines
# written once it caught up. logship and Fluent Bit 5.1.1 alternate at each rate.
#
#   bench/peers/steady_load.sh [BUILD_DIR]
#
# Environment: RATES ("2000 20000 100000" lines/s), SECONDS_PER_RUN (20), FLUENT_BIT (as in
# fluentbit_compare.sh; without it logship alone), BENCH_DIR (/dev/shm/logship-steady).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
rates=${RATES:-2000 20000 100000}
secs=${SECONDS_PER_RUN:-20}
fb=${FLUENT_BIT:-$root/../shared/peers/fluent-bit/fluent-bit}
work=${BENCH_DIR:-/dev/shm/logship-steady}
logship=$build/logship
gen=$build/bench/gen_json_logs
[ -x "$logship" ] && [ -x "$gen" ] || { echo "build first: scripts/build.sh Release $build" >&2; exit 1; }
programs="logship"
if "$fb" --version >/dev/null 2>&1; then programs="logship fluent-bit"; else
  echo "Fluent Bit not runnable at '$fb': measuring logship alone" >&2; fi
tick=$(getconf CLK_TCK)

. "$root/bench/peers/peer_configs.sh"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
peak_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

setup() {
  rm -rf "$work" && mkdir -p "$work/logs" "$work/fb-out"
  : > "$work/logs/app.log"
  write_logship_pipeline "$work" json
  write_fb_config "$work" "json_iso" tail
}

out_lines() {
  if [ "$1" = logship ]; then cat "$work"/out/*.ndjson 2>/dev/null | wc -l
  else wc -l < "$work/fb-out/out" 2>/dev/null || echo 0; fi
}

"$gen" --lines 200000 --seed 7 > /tmp/steady-src.$$
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $secs s per run"
echo "| rate | program | CPU (% of a core) | peak RSS | lines out / written |"
echo "|---|---|---|---|---|"
for rate in $rates; do
  for p in $programs; do
    setup
    if [ "$p" = logship ]; then
      (cd "$work" && exec "$logship" --log-level warn run "$work/pipeline.yaml" > "$work/agent.log" 2>&1) &
    else
      (cd "$work" && exec "$fb" -c "$work/fluent-bit.conf" > "$work/agent.log" 2>&1) &
    fi
    pid=$!
    sleep 1
    c0=$(cpu_ticks "$pid")
    written=$(write_at_rate /tmp/steady-src.$$ "$work/logs/app.log" "$rate" "$secs")
    c1=$(cpu_ticks "$pid")
    for _ in $(seq 50); do [ "$(out_lines "$p")" -ge "$written" ] && break; sleep 0.2; done
    rss=$(peak_kib "$pid")
    out=$(out_lines "$p")
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
    awk -v r="$rate" -v p="$p" -v c=$((c1 - c0)) -v t="$tick" -v s="$secs" -v m="$rss" -v o="$out" \
      -v w="$written" 'BEGIN {printf "| %d lines/s | %s | %.1f %% | %.1f MiB | %d / %d |\n",
      r, p, 100 * c / t / s, m / 1024, o, w}'
  done
done
rm -f /tmp/steady-src.$$
rm -rf "$work"
