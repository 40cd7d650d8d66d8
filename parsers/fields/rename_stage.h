// SPDX-License-Identifier: Apache-2.0
#pragma once

// `rename` moves fields on the events its `when:` selects, in the order written:
//
//   - type: rename
//     fields:               # required: old name -> new name
//       msg: message        # a string landing on `message` becomes the message
//       req: http.request   # renaming an object moves its whole subtree
//
// A field that is not there is skipped silently, as Filebeat's rename with ignore_missing does:
// one rename list serves events that have the field and events that do not. An existing target
// (and everything below it) is replaced, not merged. The read-only built-ins (@timestamp,
// log.file.path, log.offset, host.name) cannot be renamed: that is a config error; copy them
// with add_fields instead. Renaming "log" or "host" moves only the fields a stage added there.
// Semantics in detail: RenameField in src/event/field_ref.h.

#include <memory>
#include <utility>
#include <vector>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/event/field_ref.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/stage.h"

namespace logship {

struct RenameOptions {
  struct Move {
    FieldRef from;
    FieldRef to;
  };
  std::vector<Move> fields;  // applied in this order
};

// Reads and validates the options; every problem goes to ctx.errors with its position, and then
// the result is InvalidArgument(component).
Result<RenameOptions> ParseRenameOptions(const ConfigNode& node, PluginContext& ctx);

// The registry's factory for `type: rename`.
Result<std::unique_ptr<Stage>> MakeRenameStage(const ConfigNode& node, PluginContext& ctx);

}  // namespace logship
