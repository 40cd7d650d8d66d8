// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `logfmt` stage parses a field holding logfmt ("level=info msg=\"user logged in\" ok") into
// fields, as the Go logfmt package reads it: space-separated key=value pairs; a value is bare (up
// to the next space) or double-quoted with backslash escapes (\" \\ \n \t \r \/ \b \f \uXXXX); a
// key without '=' is the boolean true; an empty value is the empty string. Values stay strings
// (no number guessing). Keys and bare or escape-free values are views into the parsed text; only
// quoted values with escapes are copied (unescaped) into the batch's arena, as are keys under a
// `target`. Once the whole text parsed, the field it came from is removed (the event does not
// carry it twice), unless a key names that field (message=...): that key decides the field, as any
// other key does. Malformed input never stops the event: what is well-formed is kept, the field
// stays untouched, and the event is tagged error.type "logfmt" with the first problem and its byte
// offset. Any text without quotes parses (a bare word is a flag), so plain-text lines lose their
// message too: select logfmt lines with `when:`, or keep the text with keep_original.
// Configuration:
//
//   - type: logfmt
//     field: message        # the field to parse (default message)
//     target: app           # put the keys under this dotted prefix (default: the root)
//     overwrite: true       # a key replaces a field of the same name; false keeps the old one
//     keep_original: false  # true: keep the parsed text as event.original

#include <memory>
#include <string>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/stage.h"

namespace logship {

struct LogfmtStageOptions {
  std::string field = "message";
  std::string target;  // empty: the event's root
  bool overwrite = true;
  bool keep_original = false;  // after a clean parse, the text becomes event.original
};

// Reads and validates the options. Every problem goes to ctx.errors with its position; then the
// result is InvalidArgument(component, "invalid options"). No I/O.
Result<LogfmtStageOptions> ParseLogfmtStageOptions(const ConfigNode& node, PluginContext& ctx);

// The registry's factory for `type: logfmt`.
Result<std::unique_ptr<Stage>> MakeLogfmtStage(const ConfigNode& node, PluginContext& ctx);

}  // namespace logship
