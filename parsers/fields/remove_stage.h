// SPDX-License-Identifier: Apache-2.0
#pragma once

// `remove` deletes fields, with everything below them, from the events its `when:` selects:
//
//   - type: remove
//     fields: [password, http.request.headers]   # required; a single name works too
//
// A field that is not there is skipped. `message` and `error` (or error.type / error.message,
// which go together) can be removed; the read-only built-ins (@timestamp, log.file.path,
// log.offset, host.name) cannot: that is a config error. Removing "log" or "host" removes only
// the fields a stage added there (a parsed Docker line's "log", say).

#include <memory>
#include <vector>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/event/field_ref.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/stage.h"

namespace logship {

struct RemoveOptions {
  std::vector<FieldRef> fields;
};

// Reads and validates the options; every problem goes to ctx.errors with its position, and then
// the result is InvalidArgument(component).
Result<RemoveOptions> ParseRemoveOptions(const ConfigNode& node, PluginContext& ctx);

// The registry's factory for `type: remove`.
Result<std::unique_ptr<Stage>> MakeRemoveStage(const ConfigNode& node, PluginContext& ctx);

}  // namespace logship
