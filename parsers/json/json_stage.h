// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `json` stage parses a field's text (the message by default) as one JSON object and adds its
// members to the event as flattened fields ({"a":{"b":1}} becomes "a.b"). Numbers and arrays keep
// their exact text, so 1e400, 0.1 and 64-bit ids survive byte for byte. A line that is not a JSON
// object is never dropped: it is shipped unchanged, tagged error.type "json" with the reason in
// error.message, and nothing from it is added. Configuration:
//
//   - type: json
//     field: message     # the field holding the JSON text
//     target: app        # put the keys under "app." (default: at the event's root)
//     overwrite: true    # a key named like an existing field replaces it; false keeps the field
//     max_depth: 64      # deeper nesting fails the line (1..1024)

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
};

// Reads and validates the options. Every problem goes to ctx.errors with its position; then the
// result is InvalidArgument(ctx.component, "invalid options"). No I/O.
Result<JsonStageOptions> ParseJsonStageOptions(const ConfigNode& node, PluginContext& ctx);

// The registry's factory for `type: json`.
Result<std::unique_ptr<Stage>> MakeJsonStage(const ConfigNode& node, PluginContext& ctx);

}  // namespace logship
