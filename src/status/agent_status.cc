// SPDX-License-Identifier: Apache-2.0
#include "src/status/agent_status.h"

#include <cstdio>
#include <ctime>

#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"

namespace logship {
namespace {

// A small JSON document writer over OutputBuffer: the documents here are a few kilobytes, built
// at scrape time, so clarity wins over speed. Strings go through the event serializer's escaper.
class Doc {
 public:
  void Key(std::string_view k) {
    Comma();
    JsonWriter::WriteString(k, out_);
    out_.Push(':');
    after_key_ = true;
  }
  void Str(std::string_view v) {
    Comma();
    JsonWriter::WriteString(v, out_);
  }
  void Num(uint64_t v) { Raw(std::to_string(v)); }
  void Num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.3f", v);
    Raw(buf);
  }
  void Bool(bool v) { Raw(v ? "true" : "false"); }
  void Time(int64_t unix_ns) {
    if (unix_ns == 0) {
      Raw("null");
    } else {
      Str(FormatUnixNanos(unix_ns));
    }
  }
  void Open(char c) {
    Comma();
    out_.Push(c);
    first_ = true;
  }
  void Close(char c) {
    out_.Push(c);
    first_ = false;
  }
  std::string Take() { return std::string(out_.view()); }

 private:
  void Raw(std::string_view v) {
    Comma();
    out_.Append(v);
  }
  void Comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_.Push(',');
    first_ = false;
  }
  OutputBuffer out_;
  bool first_ = true;
  bool after_key_ = false;
};

void WriteSink(Doc& d, const std::string& pipeline, const SinkStatus& s) {
  d.Open('{');
  d.Key("pipeline");
  d.Str(pipeline);
  d.Key("id");
  d.Str(s.id);
  d.Key("type");
  d.Str(s.type);
  d.Key("state");
  d.Str(s.health.ok ? "ok" : "failing");
  d.Key("events_out");
  d.Num(s.events_out);
  d.Key("last_success");
  d.Time(s.health.last_success_unix_ns);
  d.Key("last_error");
  d.Str(s.health.last_error);
  d.Key("last_error_at");
  d.Time(s.health.last_error_unix_ns);
  d.Close('}');
}

void WriteInputProblem(Doc& d, const std::string& pipeline, const InputProblem& i) {
  d.Open('{');
  d.Key("pipeline");
  d.Str(pipeline);
  d.Key("input");
  d.Str(i.input);
  d.Key("error");
  d.Str(i.error);
  d.Close('}');
}

}  // namespace

std::string FormatUnixNanos(int64_t unix_ns) {
  if (unix_ns == 0) return "";
  time_t secs = static_cast<time_t>(unix_ns / 1'000'000'000);
  int millis = static_cast<int>((unix_ns % 1'000'000'000) / 1'000'000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string RenderStatusJson(const AgentStatus& status) {
  Doc d;
  d.Open('{');
  d.Key("state");
  d.Str(status.state);
  d.Key("version");
  d.Str(status.version);
  d.Key("uptime_seconds");
  d.Num(static_cast<double>(status.now_unix_ns - status.started_unix_ns) / 1e9);
  d.Key("started_at");
  d.Time(status.started_unix_ns);
  d.Key("config_file");
  d.Str(status.config_file);
  d.Key("config_loaded_at");
  d.Time(status.config_loaded_unix_ns);
  d.Key("last_reload");
  d.Open('{');
  d.Key("result");
  d.Str(status.reload_result);
  d.Key("at");
  d.Time(status.reload_unix_ns);
  d.Key("error");
  d.Str(status.reload_error);
  d.Close('}');
  d.Key("pipelines");
  d.Open('[');
  for (const PipelineStatus& p : status.pipelines) {
    d.Open('{');
    d.Key("name");
    d.Str(p.name);
    d.Key("files");
    d.Open('[');
    for (const FileStatus& f : p.files) {
      d.Open('{');
      d.Key("input");
      d.Str(f.input);
      d.Key("path");
      d.Str(f.file.path);
      d.Key("inode");
      d.Num(f.file.inode);
      d.Key("size");
      d.Num(f.file.size);
      d.Key("acked_offset");
      d.Num(f.file.acked_offset);
      d.Key("lag_bytes");
      d.Num(f.lag());
      d.Key("held_bytes");
      d.Num(f.file.held_bytes);
      d.Key("state");
      d.Str(f.file.state);
      d.Close('}');
    }
    d.Close(']');
    d.Key("sinks");
    d.Open('[');
    for (const SinkStatus& s : p.sinks) WriteSink(d, p.name, s);
    d.Close(']');
    d.Key("failing_inputs");
    d.Open('[');
    for (const InputProblem& i : p.failing_inputs) WriteInputProblem(d, p.name, i);
    d.Close(']');
    d.Close('}');
  }
  d.Close(']');
  d.Close('}');
  return d.Take() + "\n";
}

HealthResponse RenderHealth(const AgentStatus& status) {
  Doc sinks;
  Doc inputs;
  sinks.Open('[');
  inputs.Open('[');
  bool sinks_ok = true;
  bool inputs_ok = true;
  for (const PipelineStatus& p : status.pipelines) {
    for (const SinkStatus& s : p.sinks) {
      if (s.health.ok) continue;
      sinks_ok = false;
      WriteSink(sinks, p.name, s);
    }
    for (const InputProblem& i : p.failing_inputs) {
      inputs_ok = false;
      WriteInputProblem(inputs, p.name, i);
    }
  }
  sinks.Close(']');
  inputs.Close(']');
  if (sinks_ok && inputs_ok) return {200, "{\"status\":\"ok\"}\n"};
  std::string body = "{\"status\":\"failing\"";
  if (!sinks_ok) body += ",\"failing_sinks\":" + sinks.Take();
  if (!inputs_ok) body += ",\"failing_inputs\":" + inputs.Take();
  return {503, body + "}\n"};
}

}  // namespace logship
