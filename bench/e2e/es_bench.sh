#!/usr/bin/env bash
# End-to-end benchmark of the elasticsearch sink (issue #5): `logship run --once` from 1,000,000
# generated JSON lines (bench/gen/gen_json_logs, fixed seed) through `json` + `timestamp` into
# tests/tools/es_bulk_server.py over HTTPS on loopback (a CA and server certificate made by openssl
# here), batch 5000 events / 5MiB, concurrency 4. Cases:
#   fast server, no gzip   the server counts lines and answers errors:false: logship's own speed
#   fast server, gzip      the same with compression: gzip (level 1)
#   full server, no gzip   the server parses every action and document and stores them, as the
#                          tests use it: shows where a Python peer, not logship, is the limit
# Reports documents/s, input MB/s, logship CPU (user+sys) and peak RSS, and the server's CPU
# seconds over the same wall time (one Python process: about 1.0 s per second means it is
# saturated). The median of RUNS runs; every run checks the server counted every document.
#
#   bench/e2e/es_bench.sh [BUILD_DIR] [RUNS]     (BUILD_DIR defaults to build, a Release build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
runs=${2:-3}
lines=${LINES_TOTAL:-1000000}
work=${BENCH_DIR:-/dev/shm/logship-es-bench}
logship=$build/logship
gen=$build/bench/gen_json_logs
server_py=$root/tests/tools/es_bulk_server.py
[ -x "$logship" ] && [ -x "$gen" ] || { echo "build first: scripts/build.sh Release $build" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

rm -rf "$work" && mkdir -p "$work/logs" "$work/certs"
(
  cd "$work/certs"
  ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
  openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj /CN=bench-ca \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
  openssl req $ec -keyout server.key -out server.csr -subj /CN=localhost
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
    -days 2 -extfile server.ext
) > "$work/certs/openssl.log" 2>&1
"$gen" --lines "$lines" --seed 42 > "$work/logs/app.log"
bytes=$(stat -c %s "$work/logs/app.log")

server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap stop_server EXIT

run_case() {
  local label=$1 mode=$2 compression=$3
  local walls=() cpus=() rss=() server_cpus=() body_mb=() wire_mb=()
  for _ in $(seq "$runs"); do
    rm -rf "$work/data" "$work/server" "$work/port"
    python3 "$server_py" --dir "$work/server" --port-file "$work/port" \
      --cert "$work/certs/server.pem" --key "$work/certs/server.key" --auth basic:bench:bench \
      $([ "$mode" = fast ] && echo --fast) </dev/null >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
    local port
    port=$(cat "$work/port")
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
      - type: elasticsearch
        urls: ["https://localhost:$port"]
        index: "logs-bench-%Y.%m.%d"
        auth: {basic: {user: bench, password: bench}}
        tls: {ca_file: certs/ca.pem}
        compression: $compression
        batch: {max_events: 5000, max_bytes: 5MiB}
        concurrency: 4
YAML
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$logship" --log-level warn run --once \
      --no-progress "$work/pipeline.yaml"
    stop_server
    read -r wall user sys maxrss < "$work/time"
    walls+=("$wall"); rss+=("$maxrss")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
    local docs
    docs=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["docs"], s["cpu_user_seconds"] + s["cpu_system_seconds"], s["body_bytes"], s["bytes_in"])' "$work/server/stats.json")
    read -r n scpu body wire <<< "$docs"
    [ "$n" -eq "$lines" ] || { echo "$label: the server counted $n documents, expected $lines" >&2; exit 1; }
    server_cpus+=("$scpu")
    body_mb+=("$(awk -v b="$body" 'BEGIN {print b / 1e6}')")
    wire_mb+=("$(awk -v b="$wire" 'BEGIN {print b / 1e6}')")
  done
  local wall cpu maxrss scpu body wire
  wall=$(printf '%s\n' "${walls[@]}" | median)
  cpu=$(printf '%s\n' "${cpus[@]}" | median)
  scpu=$(printf '%s\n' "${server_cpus[@]}" | median)
  body=$(printf '%s\n' "${body_mb[@]}" | median)
  wire=$(printf '%s\n' "${wire_mb[@]}" | median)
  maxrss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  awk -v label="$label" -v bytes="$bytes" -v lines="$lines" -v wall="$wall" -v cpu="$cpu" \
      -v rss="$maxrss" -v scpu="$scpu" -v body="$body" -v wire="$wire" 'BEGIN {
    printf "| %s | %.0f docs/s | %.0f MB/s | %.0f MB / %.0f MB | %.2f s | %.2f s (%.2f µs/doc) | %.1f MB | %.2f s (%.2f per wall s) |\n",
      label, lines / wall, bytes / wall / 1e6, body, wire, wall, cpu, cpu / lines * 1e6, rss / 1024,
      scpu, scpu / wall }'
}

echo "logship $("$logship" --version | cut -d' ' -f2), $lines lines ($((bytes / 1000000)) MB), median of $runs runs, $(date -u +%Y-%m-%dT%H:%MZ), work dir $work"
echo "| case | docs/s | input MB/s | bulk bodies / sent | wall | logship CPU | logship peak RSS | server CPU |"
echo "|---|---|---|---|---|---|---|---|"
run_case "fast server, no gzip" fast none
run_case "fast server, gzip" fast gzip
run_case "full server, no gzip" full none
rm -rf "$work"
