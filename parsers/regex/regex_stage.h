// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `regex` stage matches a field against RE2 patterns and turns their named groups into fields
// of the event. The captured values are views into the matched text (no copy). After a match the
// matched field is removed (its text now lives in the captures), unless a group named like it
// captured something (syslog's `message`): that capture is the field's new value. A line that no
// pattern matches is shipped with the field untouched, tagged error.type "regex" (or dropped with
// on_mismatch: drop), and a capture that does not convert to its type stays a string and tags the
// event, which then keeps the field too; neither is fatal. Configuration:
//
//   - type: regex
//     field: message              # the field to match (default message)
//     pattern: nginx_combined     # one RE2 regex, or the name of a shipped pattern
//     patterns: [apache_combined, apache_common, '^(?P<level>\w+): (?P<text>.*)$']
//                                 # or a list tried in order, the first match wins (one of the two)
//     types: {status: int, bytes: int, latency: float, ok: bool}  # int, float, bool or string
//     target: http                # put the fields under this dotted prefix (default: the root)
//     on_mismatch: tag            # tag (default) or drop
//     keep_original: false        # true: keep the matched text as event.original
//
// Shipped patterns (parsers/patterns/*.yaml, compiled into the binary; see builtin_patterns.h):
// nginx_combined, apache_common, apache_combined, syslog_rfc3164, syslog_rfc5424. Their own types
// apply unless `types` overrides them. A named group that matched nothing is not set; in the
// shipped web and RFC 5424 patterns neither is one that matched '-', which those formats write for
// "absent". Every problem with the options (an invalid regex, an unknown pattern name or type, a
// type for a group no pattern has, a pattern without a named group) is a configuration error with
// its position.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/stage.h"

namespace re2 {
class RE2;
}

namespace logship {

enum class RegexFieldType : uint8_t { kString, kInt, kFloat, kBool };

// One pattern of the stage, resolved (a shipped name replaced by its definition) and compiled.
struct RegexPattern {
  std::string name;   // the shipped pattern's name; empty for a regex written in the file
  std::string regex;  // RE2 syntax
  // Shipped patterns match bytes (RE2 Latin-1), so any line matches whatever its encoding;
  // patterns written in the file use RE2's default, UTF-8.
  bool latin1 = false;
  std::vector<std::string> absent;  // a group that captured one of these is left unset
  std::string syslog_priority;      // the group holding a syslog PRI: facility and severity
  std::map<std::string, RegexFieldType> types;  // the shipped pattern's own types
  std::shared_ptr<const re2::RE2> re2;          // compiled with the options above
};

struct RegexStageOptions {
  enum class OnMismatch : uint8_t { kTag, kDrop };

  std::string field = "message";
  std::vector<RegexPattern> patterns;           // tried in order
  std::map<std::string, RegexFieldType> types;  // from `types:`; wins over a pattern's own
  std::string target;                           // empty: the event's root
  OnMismatch on_mismatch = OnMismatch::kTag;
  bool keep_original = false;  // after a clean match, the matched text becomes event.original
};

// Reads and validates the options and compiles every pattern. Every problem goes to ctx.errors
// with its position; then the result is InvalidArgument(component, "invalid options"). No I/O.
Result<RegexStageOptions> ParseRegexStageOptions(const ConfigNode& node, PluginContext& ctx);

// The registry's factory for `type: regex`.
Result<std::unique_ptr<Stage>> MakeRegexStage(const ConfigNode& node, PluginContext& ctx);

}  // namespace logship
