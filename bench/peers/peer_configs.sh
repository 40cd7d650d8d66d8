# Sourced by the bench/peers scripts: the configurations both programs get, so that every
# side-by-side run compares the same work, and the writer that feeds them at a fixed rate.

# Fluent Bit's parsers into $1/parsers.conf: `json_iso` (the generator's `ts`) and its stock `nginx`
# (from its conf/parsers.conf, with Time_Keep On).
write_fb_parsers() {
  cat > "$1/parsers.conf" <<'CONF'
[PARSER]
    Name        json_iso
    Format      json
    Time_Key    ts
    Time_Format %Y-%m-%dT%H:%M:%S.%LZ
    Time_Keep   On
[PARSER]
    Name        nginx
    Format      regex
    Regex       ^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)")
    Time_Key    time
    Time_Format %d/%b/%Y:%H:%M:%S %z
    Time_Keep   On
CONF
}

# logship's stages for equal output (the parsed record only: json and regex remove the line they
# parsed), by generator: $1 = json or nginx.
logship_stages() {
  if [ "$1" = json ]; then
    printf '%s\n' '      - {type: json}' '      - {type: timestamp, field: ts, formats: [iso8601]}'
  else
    printf '%s\n' '      - {type: regex, pattern: nginx_combined}' \
      '      - {type: timestamp, field: time_local, formats: [nginx]}'
  fi
}

# logship's pipeline into $1/pipeline.yaml: the files of $1/logs, stages for $2 (json or nginx),
# into a spool, or into standard output when $3 is "stdout".
write_logship_pipeline() {
  local sink='{type: spool, path: ./out}'
  [ "${3:-}" = stdout ] && sink='{type: stdout}'

  cat > "$1/pipeline.yaml" <<YAML
data_dir: ./data
pipelines:
  bench:
    inputs:
      - {type: file, include: ["logs/*.log"], max_open_files: 2048}
    stages:
$(logship_stages "$2")
    sinks:
      - $sink
YAML
}

# Fluent Bit's configuration (and parsers) into $1: tail $1/logs/*.log with parser $2 into the file
# $1/fb-out/out (Format plain: the parsed record only). $3 = once: read to the end and exit
# (Exit_On_Eof), else keep tailing.
write_fb_config() {
  write_fb_parsers "$1"
  local service_extra="" input_extra=""
  if [ "$3" = once ]; then
    service_extra="    Grace        300"
    input_extra="    Exit_On_Eof       On"
  fi
  {
    printf '%s\n' '[SERVICE]' '    Flush        0.2'
    [ -n "$service_extra" ] && printf '%s\n' "$service_extra"
    printf '%s\n' '    Log_Level    warn' "    Parsers_File $1/parsers.conf" '    HTTP_Server  Off'
    printf '%s\n' '[INPUT]' '    Name              tail' "    Path              $1/logs/*.log" \
      "    Parser            $2" '    Read_from_Head    On'
    [ -n "$input_extra" ] && printf '%s\n' "$input_extra"
    printf '%s\n' '    Buffer_Chunk_Size 1M' '    Buffer_Max_Size   1M'
    printf '%s\n' '[OUTPUT]' '    Name   file' '    Match  *' "    Path   $1/fb-out" '    File   out' \
      '    Format plain'
  } > "$1/fluent-bit.conf"
}

# The writer: appends `rate` lines a second from `src`, in 100 slices a second, for `secs`.
write_at_rate() {
  python3 - "$1" "$2" "$3" "$4" <<'PY'
import sys, time
src, dst, rate, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
lines = open(src, 'rb').read().splitlines(keepends=True)
per_slice = max(1, rate // 100)
start = time.monotonic()
i = 0
with open(dst, 'ab', buffering=0) as out:
    slice_no = 0
    while time.monotonic() - start < secs:
        chunk = b''.join(lines[(i + k) % len(lines)] for k in range(per_slice))
        out.write(chunk)
        i += per_slice
        slice_no += 1
        delay = start + slice_no / 100 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
print(i)
PY
}
