// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `json` stage parses a field's text (the message by default) as one JSON object and adds its
// members to the event as flattened fields ({"a":{"b":1}} becomes "a.b"). Numbers and arrays keep
// their exact text, so 1e400, 0.1 and 64-bit ids survive byte for byte. Once the text parsed, the
// field it came from is removed (the event does not carry it twice), unless the object has a key
// naming that field (a JSON line with its own "message"): that key decides the field, as any other
// key does (see ParsedField). A line that is not a JSON object is never dropped: it is shipped
// unchanged, field included, tagged error.type "json" with the reason in error.message, and
// nothing from it is added. Configuration:
//
//   - type: json
//     field: message        # the field holding the JSON text
//     target: app           # put the keys under "app." (default: at the event's root)
//     overwrite: true       # a key named like an existing field replaces it; false keeps the field
//     max_depth: 64         # deeper nesting fails the line (1..1024)
//     keep_original: false  # true: keep the parsed text as event.original

#include <memory>
#include <string>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/stage.h"

namespace logship {

struct JsonStageOptions {
  // Dotted path of the field holding the JSON text.
  std::string field = "message";
  // Dotted prefix for the parsed keys ("app" makes "app.level"); empty puts them at the root.
  std::string target;
  // When a key names a field the event already has (exactly: a built-in such as message or
  // @timestamp, or a field added earlier), true replaces that field and false keeps it and skips
  // the key. Duplicate keys inside one JSON object: the last one wins either way.
  bool overwrite = true;
  // Objects and arrays nested deeper than this fail the line; the root object is depth 1.
  int max_depth = 64;
  // After a successful parse the text is kept as event.original (the field itself is removed
  // either way, unless the JSON has a key naming it).
  bool keep_original = false;
};

// Reads and validates the options. Every problem goes to ctx.errors with its position; then the
// result is InvalidArgument(ctx.component, "invalid options"). No I/O.
Result<JsonStageOptions> ParseJsonStageOptions(const ConfigNode& node, PluginContext& ctx);

// The registry's factory for `type: json`.
Result<std::unique_ptr<Stage>> MakeJsonStage(const ConfigNode& node, PluginContext& ctx);

}  // namespace logship
