# Sourced by the bench/peers scripts: the configurations both programs get, so that every
# side-by-side run compares the same work.

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

# logship's stages for equal output (the parsed record only), by generator: $1 = json or nginx.
logship_stages() {
  if [ "$1" = json ]; then
    printf '%s\n' '      - {type: json}' '      - {type: timestamp, field: ts, formats: [iso8601]}'
  else
    printf '%s\n' '      - {type: regex, pattern: nginx_combined}' \
      '      - {type: timestamp, field: time_local, formats: [nginx]}'
  fi
  printf '%s\n' '      - {type: remove, fields: [message]}'
}

# logship's pipeline into $1/pipeline.yaml: the files of $1/logs, stages for $2 (json or nginx),
# into a spool.
write_logship_pipeline() {
  cat > "$1/pipeline.yaml" <<YAML
data_dir: ./data
pipelines:
  bench:
    inputs:
      - {type: file, include: ["logs/*.log"], max_open_files: 2048}
    stages:
$(logship_stages "$2")
    sinks:
      - {type: spool, path: ./out}
YAML
}
