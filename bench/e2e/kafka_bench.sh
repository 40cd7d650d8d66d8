#!/usr/bin/env bash
# End-to-end benchmark of the kafka sink (issue #4): `logship run --once` from 1,000,000 generated
# JSON lines (bench/gen/gen_json_logs, fixed seed) through `json` + `timestamp` into the
# kafka_test_broker tool (librdkafka's 3-broker mock cluster, in its own process on this machine),
# lz4, acks=all, idempotence on. Reports events/s, input MB/s, CPU seconds of logship and of the
# broker process, and logship's peak RSS: the median of RUNS runs.
#
# In the same run, against the same broker, a plain librdkafka producer loop
# (bench/kafka_producer_loop.cc) sends the same number of messages, cycling through messages
# logship produced (read back with kcat), with the same settings: the ceiling that producing into
# this broker on this machine allows, whatever logship does. A last case gives logship's own cost
# with no broker at all: the same pipeline into a spool on tmpfs.
#
#   bench/e2e/kafka_bench.sh [BUILD_DIR] [RUNS]      (BUILD_DIR defaults to build-rel-kafka, Release)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-rel-kafka}
runs=${2:-3}
lines=${LINES_TOTAL:-1000000}
compression=${COMPRESSION:-lz4}
work=${BENCH_TMPFS_DIR:-/dev/shm/logship-kafka-bench}
logship=$build/logship
broker_bin=$build/tests/tools/kafka_test_broker
loop_bin=$build/tests/tools/kafka_producer_loop
for tool in "$logship" "$build/bench/gen_json_logs" "$broker_bin" "$loop_bin"; do
  [ -x "$tool" ] || { echo "missing $tool: build first (cmake -DCMAKE_BUILD_TYPE=Release; ninja logship gen_json_logs kafka_test_broker kafka_producer_loop)" >&2; exit 1; }
done
command -v kcat > /dev/null || { echo "kcat is needed (apt-get install kcat)" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# CPU seconds (user + sys) a process has used so far, from /proc.
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }

rm -rf "$work" && mkdir -p "$work/logs"
broker_pid=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  if [ -n "$broker_pid" ]; then
    kill -TERM "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The broker reads commands from a FIFO we hold open; closing it (or SIGTERM) ends it. It must
# not hold our stdout, and its own PID is recorded (not a subshell's).
mkfifo "$work/broker.ctl"
"$broker_bin" --bootstrap-file "$work/bootstrap" --topic bench:16 --topic ceiling:16 \
  < "$work/broker.ctl" > "$work/broker.log" 2>&1 &
broker_pid=$!
exec 3> "$work/broker.ctl"
for _ in $(seq 500); do [ -s "$work/bootstrap" ] && break; sleep 0.01; done
[ -s "$work/bootstrap" ] || { echo "broker did not start: $(cat "$work/broker.log")" >&2; exit 1; }
brokers=$(cat "$work/bootstrap")

"$build/bench/gen_json_logs" --lines "$lines" --seed 42 > "$work/logs/app.log"
bytes=$(stat -c %s "$work/logs/app.log")

write_pipeline() {  # $1: sink lines
  cat > "$work/pipeline.yaml" <<YAML
data_dir: ./data
pipelines:
  bench:
    inputs:
      - {type: file, include: ["logs/*.log"]}
    stages:
      - {type: json}
      - {type: timestamp, field: ts, formats: [iso8601]}
    sinks:
$1
YAML
}

count() { "$loop_bin" --brokers "$brokers" --topic "$1" --count; }

# logship into the broker.
write_pipeline "      - {type: kafka, brokers: \"$brokers\", topic: bench, compression: $compression}"
walls=() cpus=() rss=() broker_cpus=()
for _ in $(seq "$runs"); do
  rm -rf "$work/data"
  before=$(count bench)
  b0=$(proc_cpu "$broker_pid")
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$logship" --log-level warn run --once \
    --no-progress "$work/pipeline.yaml"
  b1=$(proc_cpu "$broker_pid")
  after=$(count bench)
  [ $((after - before)) -eq "$lines" ] || { echo "expected $lines messages, the topic grew by $((after - before))" >&2; exit 1; }
  read -r wall user sys maxrss < "$work/time"
  walls+=("$wall"); rss+=("$maxrss")
  cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
  broker_cpus+=("$(awk -v a="$b0" -v b="$b1" 'BEGIN {print b - a}')")
done
l_wall=$(printf '%s\n' "${walls[@]}" | median)
l_cpu=$(printf '%s\n' "${cpus[@]}" | median)
l_bcpu=$(printf '%s\n' "${broker_cpus[@]}" | median)
l_rss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)

# What logship produced, as the plain producer's payload: the last 2,000 messages per partition.
kcat -C -b "$brokers" -t bench -o -2000 -e -q -f '%s\n' > "$work/sample.ndjson" 2>/dev/null
msg_bytes=$(awk '{n++; s+=length($0)} END {printf "%.0f", s/n}' "$work/sample.ndjson")

# The plain librdkafka producer loop, same broker, same settings.
walls=() cpus=() rss=() broker_cpus=()
for _ in $(seq "$runs"); do
  b0=$(proc_cpu "$broker_pid")
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$loop_bin" --brokers "$brokers" \
    --topic ceiling --input "$work/sample.ndjson" --messages "$lines" \
    --compression "$compression" > "$work/loop.out"
  b1=$(proc_cpu "$broker_pid")
  read -r wall user sys maxrss < "$work/time"
  walls+=("$wall"); rss+=("$maxrss")
  cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
  broker_cpus+=("$(awk -v a="$b0" -v b="$b1" 'BEGIN {print b - a}')")
done
p_wall=$(printf '%s\n' "${walls[@]}" | median)
p_cpu=$(printf '%s\n' "${cpus[@]}" | median)
p_bcpu=$(printf '%s\n' "${broker_cpus[@]}" | median)
p_rss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)

# logship alone: the same pipeline into a spool on tmpfs (no broker involved).
write_pipeline "      - {type: spool, path: ./out}"
walls=() cpus=() rss=()
for _ in $(seq "$runs"); do
  rm -rf "$work/data" "$work/out"
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$logship" --log-level warn run --once \
    --no-progress "$work/pipeline.yaml"
  read -r wall user sys maxrss < "$work/time"
  walls+=("$wall"); rss+=("$maxrss")
  cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
done
s_wall=$(printf '%s\n' "${walls[@]}" | median)
s_cpu=$(printf '%s\n' "${cpus[@]}" | median)
s_rss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)

echo "logship $("$logship" --version | cut -d' ' -f2), $lines events per case ($((bytes / lines)) B lines in, ~$msg_bytes B messages out), compression $compression, median of $runs runs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "| case | events/s | input MB/s | wall | CPU logship (user+sys) | CPU broker | peak RSS |"
echo "|---|---|---|---|---|---|---|"
row() {  # label wall cpu broker_cpu rss_kb
  awk -v label="$1" -v wall="$2" -v cpu="$3" -v bcpu="$4" -v rss="$5" -v lines="$lines" \
      -v bytes="$bytes" 'BEGIN {
    printf "| %s | %.0f | %.0f | %.2f s | %.2f s | %s | %.1f MB |\n", label, lines / wall,
      bytes / wall / 1e6, wall, cpu, bcpu == "-" ? "-" : sprintf("%.2f s", bcpu), rss / 1024 }'
}
row "logship: file → json + timestamp → kafka ($compression)" "$l_wall" "$l_cpu" "$l_bcpu" "$l_rss"
row "plain librdkafka producer loop, same messages ($compression)" "$p_wall" "$p_cpu" "$p_bcpu" "$p_rss"
row "logship: file → json + timestamp → spool (tmpfs), no broker" "$s_wall" "$s_cpu" "-" "$s_rss"
