// SPDX-License-Identifier: Apache-2.0
#include "src/tail/file_input_options.h"

#include <algorithm>

#include "src/config/byte_size.h"
#include "src/config/config_reader.h"

namespace logship {
namespace {

bool ValidId(const std::string& id) {
  if (id.empty() || id[0] == '.') return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Where the i-th pattern of a list option is written (the option itself for a single scalar).
ConfigPosition ElementPosition(const ConfigNode& list, size_t i) {
  if (list.IsSequence()) {
    std::vector<ConfigNode> elements = list.Elements();
    if (i < elements.size()) return elements[i].position();
  }
  return list.position();
}

// Reads `multiline:` (a map) into o->multiline; every problem goes to `errors` at its position.
void ParseMultiline(const ConfigNode& node, ConfigErrors& errors, FileInputOptions* o) {
  ConfigReader r(node, errors);
  ConfigNode start, cont;
  r.Optional("start", &start, ConfigNode());
  r.Optional("continue", &cont, ConfigNode());
  uint64_t max_lines = 500;
  ByteSize max_bytes;
  Duration timeout;
  r.Optional("max_lines", &max_lines, uint64_t{500});
  r.Optional("max_bytes", &max_bytes, ByteSize::MiB(1));
  r.Optional("timeout", &timeout, Duration::Seconds(2));
  r.Check(max_lines >= 1 && max_lines <= 1'000'000, "max_lines", "must be between 1 and 1000000");
  r.Check(max_bytes.bytes >= 64 && max_bytes.bytes <= (uint64_t{1} << 30), "max_bytes",
          "must be between 64B and 1GiB");
  r.Check(timeout.nanos >= Duration::Millis(1).nanos, "timeout", "must be at least 1ms");
  bool has_start = !start.IsNull();
  bool has_continue = !cont.IsNull();
  if (has_start == has_continue) {
    r.Error("", has_start ? "option 'multiline': set 'start' or 'continue', not both"
                          : "option 'multiline': set 'start' (a regex for an event's first "
                            "line) or 'continue' (a regex for the lines that continue it)");
  } else {
    const char* key = has_start ? "start" : "continue";
    std::string pattern;
    size_t before = errors.size();
    r.Decode(has_start ? start : cont, &pattern);
    if (errors.size() == before) {
      if (pattern.empty()) {
        r.Error(key, "must not be empty");
      } else {
        Result<MultilineOptions> m = MultilineOptions::Make(
            has_start ? MultilineOptions::Mode::kStart : MultilineOptions::Mode::kContinue,
            pattern);
        if (!m.ok()) {
          r.Error(key, "invalid " + std::string(m.status().message()));
        } else {
          m->max_lines = max_lines;
          m->max_bytes = max_bytes.bytes;
          m->timeout_ns = timeout.nanos;
          o->multiline = std::move(*m);
        }
      }
    }
  }
  if (!r.Finish()) o->multiline.reset();
}

// Reads `checkpoint_history:` (a map) into o->checkpoint_history.
void ParseCheckpointHistory(const ConfigNode& node, ConfigErrors& errors, FileInputOptions* o) {
  ConfigReader r(node, errors);
  uint64_t keep = 12;
  r.Optional("interval", &o->checkpoint_history.interval, Duration::Seconds(300));
  r.Optional("keep", &keep, uint64_t{12});
  r.Check(o->checkpoint_history.interval.nanos >= Duration::Seconds(1).nanos &&
              o->checkpoint_history.interval.nanos <= Duration::Seconds(7 * 86400).nanos,
          "interval", "must be between 1s and 7 days (168h)");
  r.Check(keep <= 10000, "keep", "must be between 0 (no history) and 10000");
  o->checkpoint_history.keep = static_cast<uint32_t>(std::min<uint64_t>(keep, 10000));
  r.Finish();
}

}  // namespace

Result<FileInputOptions> ParseFileInputOptions(const ConfigNode& node, PluginContext& ctx,
                                               int input_index) {
  FileInputOptions o;
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  std::vector<std::string> include, exclude;
  std::string start_at;
  ByteSize max_line, read_buffer;
  r.Optional("id", &o.id, "input-" + std::to_string(input_index));
  r.Required("include", &include);
  r.Optional("exclude", &exclude, std::vector<std::string>{});
  r.OptionalEnum("start_at", &start_at, "beginning", {"beginning", "end"});
  r.Optional("max_line_bytes", &max_line, ByteSize::MiB(1));
  r.Optional("read_buffer_bytes", &read_buffer, ByteSize::KiB(256));
  r.Optional("rescan_interval", &o.rescan_interval, Duration::Seconds(1));
  r.Optional("rotate_wait", &o.rotate_wait, Duration::Seconds(5));
  r.Optional("max_open_files", &o.max_open_files, uint64_t{1024});
  r.Optional("checkpoint_interval", &o.checkpoint_interval, Duration::Seconds(1));
  ConfigNode multiline, history;
  r.Optional("multiline", &multiline, ConfigNode());
  r.Optional("checkpoint_history", &history, ConfigNode());
  o.start_at_end = start_at == "end";
  o.max_line_bytes = max_line.bytes;
  o.read_buffer_bytes = read_buffer.bytes;

  r.Check(ValidId(o.id), "id", "must be letters, digits, '-', '_' or '.', not starting with '.'");
  r.Check(o.max_line_bytes >= 64 && o.max_line_bytes <= (uint64_t{1} << 30), "max_line_bytes",
          "must be between 64B and 1GiB");
  r.Check(o.read_buffer_bytes >= 4096 && o.read_buffer_bytes <= (uint64_t{64} << 20),
          "read_buffer_bytes", "must be between 4KiB and 64MiB");
  r.Check(o.rescan_interval.nanos >= Duration::Millis(10).nanos, "rescan_interval",
          "must be at least 10ms");
  r.Check(o.max_open_files >= 1, "max_open_files", "must be at least 1");
  r.Check(o.checkpoint_interval.nanos >= Duration::Millis(10).nanos, "checkpoint_interval",
          "must be at least 10ms");
  r.Check(!include.empty(), "include", "must list at least one pattern");

  size_t errors_before_history = ctx.errors->size();
  if (!history.IsNull()) ParseCheckpointHistory(history, *ctx.errors, &o);
  bool history_ok = ctx.errors->size() == errors_before_history;

  size_t errors_before_multiline = ctx.errors->size();
  if (!multiline.IsNull()) ParseMultiline(multiline, *ctx.errors, &o);
  bool multiline_ok = ctx.errors->size() == errors_before_multiline;

  ConfigNode include_node = node.Get("include");
  ConfigNode exclude_node = node.Get("exclude");
  for (size_t i = 0; i < exclude.size(); ++i) {
    const std::string& text = exclude[i];
    // A pattern with no '/' matches file names anywhere; others are paths.
    std::string pattern = text.find('/') == std::string::npos ? text : ctx.ResolvePath(text);
    Result<Glob> g = Glob::Compile(pattern);
    if (!g.ok()) {
      ctx.errors->Add(ElementPosition(exclude_node, i),
                      "option 'exclude': " + std::string(g.status().message()));
      continue;
    }
    o.exclude.push_back(std::move(*g));
  }
  for (size_t i = 0; i < include.size(); ++i) {
    // Checked before resolving: "" or "logs/" would otherwise resolve to a directory's path.
    if (include[i].empty() || include[i].back() == '/') {
      ctx.errors->Add(ElementPosition(include_node, i),
                      "option 'include': pattern '" + include[i] +
                          "' can never match a file: it names a directory (add a file pattern, "
                          "e.g. '" +
                          include[i] + "*.log')");
      continue;
    }
    Result<Glob> g = Glob::Compile(ctx.ResolvePath(include[i]));
    if (!g.ok()) {
      ctx.errors->Add(ElementPosition(include_node, i),
                      "option 'include': " + std::string(g.status().message()));
      continue;
    }
    for (const Glob& ex : o.exclude) {
      if (GlobAlwaysExcluded(*g, ex)) {
        ctx.errors->Add(ElementPosition(include_node, i),
                        "option 'include': pattern '" + g->pattern() +
                            "' can never match: every file it matches is excluded by '" +
                            ex.pattern() + "'");
      }
    }
    o.include.push_back(std::move(*g));
  }
  if (!r.Finish() || !multiline_ok || !history_ok || o.include.size() != include.size() ||
      o.exclude.size() != exclude.size()) {
    return Status::InvalidArgument(ctx.component, "invalid options");
  }
  return o;
}

}  // namespace logship
