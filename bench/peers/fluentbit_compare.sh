#!/usr/bin/env bash
# logship and Fluent Bit 5.1.1 side by side on the same generated files (issue #12): each case is
# run RUNS times per program, the two alternating run by run, page cache warm. Equal output: both
# parse the line (JSON + its time, or nginx combined + its time) and write only the parsed record
# to a file (logship: its parse stages drop the line they parsed, into the spool; Fluent Bit: the
# `file` output, Format plain). "Done" is the process exit for logship, and for Fluent Bit (which
# lingers after EOF) the output file's last write. Prints, per case, medians of lines/s, MB/s of
# input, CPU µs per line (user+sys), the largest peak RSS, lines out / lines in, and the ratios.
#
#   bench/peers/fluentbit_compare.sh [BUILD_DIR] [RUNS]
#
# BUILD_DIR defaults to build (a Release build with bench/gen), RUNS to 3. Environment:
#   LINES_TOTAL  lines per case (2000000), split evenly over the case's files
#   CASES        which cases ("json1 json8 json1000 nginx1 workers-json1 workers-nginx1
#                stdout-json1"). The last three are logship alone: `workers: 1` against the
#                default (one per CPU), and the JSON case into stdout piped to `wc -l` (no page
#                cache writes) against the spool.
#   FLUENT_BIT   the Fluent Bit binary (../shared/peers/fluent-bit/fluent-bit beside the repo).
#                Its runtime libraries: apt-get install libyaml-0-2 libsqlite3-0 libcurl4 libssl3
#                libzstd1. Without a runnable Fluent Bit, only logship is measured (said so).
#   BENCH_DIR    work directory (/dev/shm/logship-peers: tmpfs, so the disk does not dominate)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
runs=${2:-3}
lines=${LINES_TOTAL:-2000000}
cases=${CASES:-json1 json8 json1000 nginx1 workers-json1 workers-nginx1 stdout-json1}
fb=${FLUENT_BIT:-$root/../shared/peers/fluent-bit/fluent-bit}
work=${BENCH_DIR:-/dev/shm/logship-peers}
logship=$build/logship
for tool in "$logship" "$build/bench/gen_json_logs" "$build/bench/gen_nginx_logs"; do
  [ -x "$tool" ] || { echo "missing $tool: build first (scripts/build.sh Release $build)" >&2; exit 1; }
done
have_fb=1
if ! "$fb" --version >/dev/null 2>&1; then
  have_fb=0
  echo "Fluent Bit not runnable at '$fb' (missing, or its libraries: apt-get install libyaml-0-2" \
    "libsqlite3-0 libcurl4 libssl3 libzstd1): measuring logship alone" >&2
fi

. "$root/bench/peers/peer_configs.sh"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

# generate CASE: logs/ for the case, and the two programs' configurations.
generate() {
  local case=$1 files gen parser_fb
  case ${case#*-} in
    json1) files=1 gen=gen_json_logs ;;
    json8) files=8 gen=gen_json_logs ;;
    json1000) files=1000 gen=gen_json_logs ;;
    nginx1) files=1 gen=gen_nginx_logs ;;
    *) echo "unknown case $case" >&2; exit 1 ;;
  esac
  rm -rf "$work" && mkdir -p "$work/logs"
  local per=$((lines / files))
  for i in $(seq "$files"); do
    "$build/bench/$gen" --lines "$per" --seed "$i" > "$work/logs/app-$i.log"
  done
  in_lines=$((per * files))
  in_bytes=$(cat "$work"/logs/*.log | wc -c)
  local kind=json
  parser_fb=json_iso
  if [ "$gen" = gen_nginx_logs ]; then kind=nginx parser_fb=nginx; fi
  write_logship_pipeline "$work" "$kind" "$([ "${case%%-*}" = stdout ] && echo stdout)"
  write_fb_config "$work" "$parser_fb" once
  cat "$work"/logs/*.log > /dev/null  # warm the page cache
}

# run_logship [LABEL [WORKERS]]: one run; appends "wall cpu rss out_lines" to $work/LABEL.runs
# (default logship). WORKERS sets LOGSHIP_WORKERS (default: unset, one worker per CPU). With the
# stdout pipeline, the output goes to `wc -l`.
run_logship() {
  local label=${1:-logship} workers=${2:-}
  rm -rf "$work/data" "$work/out"
  if grep -q 'type: stdout' "$work/pipeline.yaml"; then
    LOGSHIP_WORKERS=$workers /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$logship" \
      --log-level warn run --once --no-progress "$work/pipeline.yaml" | wc -l > "$work/count"
  else
    LOGSHIP_WORKERS=$workers /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$logship" \
      --log-level warn run --once --no-progress "$work/pipeline.yaml"
    cat "$work"/out/*.ndjson | wc -l > "$work/count"
  fi
  local wall user sys rss out
  read -r wall user sys rss < "$work/time"
  out=$(cat "$work/count")
  echo "$wall $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}') $rss $out" >> "$work/$label.runs"
}

# run_fb: one run; appends "wall cpu rss out_lines" to $work/fb.runs

run_fb() {
  rm -rf "$work/fb-out" && mkdir -p "$work/fb-out"
  local start wall user sys rss out last
  start=$(now)
  (cd "$work" && /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$fb" -c "$work/fluent-bit.conf" \
    > "$work/fb.log" 2>&1) || true
  read -r wall user sys rss < "$work/time"
  last=$(stat -c '%.9Y' "$work/fb-out/out" 2>/dev/null || echo "$start")
  wall=$(awk -v a="$start" -v b="$last" 'BEGIN {printf "%.3f", b - a}')
  out=$(wc -l < "$work/fb-out/out" 2>/dev/null || echo 0)
  echo "$wall $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}') $rss $out" >> "$work/fb.runs"
}

# summarize PROGRAM: "lines/s MB/s cpu_us rss_mib out_lines"
summarize() {
  local f=$work/$1.runs wall cpu rss out
  wall=$(cut -d' ' -f1 "$f" | median)
  cpu=$(cut -d' ' -f2 "$f" | median)
  rss=$(cut -d' ' -f3 "$f" | sort -n | tail -1)
  out=$(cut -d' ' -f4 "$f" | sort -n | head -1)
  awk -v w="$wall" -v c="$cpu" -v r="$rss" -v o="$out" -v n="$in_lines" -v b="$in_bytes" \
    'BEGIN {printf "%.0f %.1f %.2f %.1f %d", n / w, b / w / 1e6, c / n * 1e6, r / 1024, o}'
}

echo "logship $("$logship" --version | cut -d' ' -f2) vs $( [ $have_fb = 1 ] && "$fb" --version | head -1 || echo 'no Fluent Bit'),"
echo "$lines lines per case, median of $runs alternating runs, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
echo "| case | program | lines/s | input MB/s | CPU µs/line | peak RSS | lines out / in |"
echo "|---|---|---|---|---|---|---|"
# logship_alone CASE LABEL_A WORKERS_A LABEL_B WORKERS_B: two logship variants, alternating.
logship_alone() {
  local case=$1 a=$2 wa=$3 b=$4 wb=$5
  rm -f "$work/$a.runs" "$work/$b.runs"
  for _ in $(seq "$runs"); do
    run_logship "$a" "$wa"
    run_logship "$b" "$wb"
  done
  local ra ma ca sa oa rb mb cb sb ob
  read -r ra ma ca sa oa <<< "$(summarize "$a")"
  read -r rb mb cb sb ob <<< "$(summarize "$b")"
  echo "| $case | logship $a | $ra | $ma | $ca | $sa MiB | $oa / $in_lines |"
  echo "| $case | logship $b | $rb | $mb | $cb | $sb MiB | $ob / $in_lines |"
  awk -v x="$rb" -v y="$ra" -v cx="$cb" -v cy="$ca" -v c="$case" -v a="$a" -v b="$b" \
    'BEGIN {printf "| %s | %s / %s | %.2f× the lines/s | | %.2f× the CPU/line | | |\n", c, b, a, x / y, cx / cy}'
}

for case in $cases; do
  generate "$case"
  case $case in
    workers-*) logship_alone "$case" workers-1 1 workers-default ""; continue ;;
    stdout-*)
      rm -f "$work/spool.runs" "$work/stdout.runs"
      for _ in $(seq "$runs"); do
        write_logship_pipeline "$work" json; run_logship spool ""
        write_logship_pipeline "$work" json stdout; run_logship stdout ""
      done
      read -r ra ma ca sa oa <<< "$(summarize spool)"
      read -r rb mb cb sb ob <<< "$(summarize stdout)"
      echo "| $case | logship → spool | $ra | $ma | $ca | $sa MiB | $oa / $in_lines |"
      echo "| $case | logship → stdout \| wc -l | $rb | $mb | $cb | $sb MiB | $ob / $in_lines |"
      continue ;;
  esac
  rm -f "$work/logship.runs" "$work/fb.runs"
  for _ in $(seq "$runs"); do
    [ $have_fb = 1 ] && run_fb
    run_logship
  done
  read -r l_rate l_mbs l_cpu l_rss l_out <<< "$(summarize logship)"
  echo "| $case | logship | $l_rate | $l_mbs | $l_cpu | $l_rss MiB | $l_out / $in_lines |"
  if [ $have_fb = 1 ]; then
    read -r f_rate f_mbs f_cpu f_rss f_out <<< "$(summarize fb)"
    echo "| $case | Fluent Bit | $f_rate | $f_mbs | $f_cpu | $f_rss MiB | $f_out / $in_lines |"
    awk -v lr="$l_rate" -v fr="$f_rate" -v lc="$l_cpu" -v fc="$f_cpu" -v c="$case" \
      'BEGIN {printf "| %s | ratio | %.2f× faster | | %.2f× less CPU | | |\n", c, lr / fr, fc / lc}'
  fi
done
rm -rf "$work"
