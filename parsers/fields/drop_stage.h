// SPDX-License-Identifier: Apache-2.0
#pragma once

// `drop` discards the events its `when:` selects; they reach no sink, and their lines still
// count as read (their batch is acknowledged with the rest, so checkpoints move past them):
//
//   - type: drop
//     when: {field: log.level, in: [debug, trace]}   # required
//
// `when` is required: a drop without one would discard every event, which is a config error
// ("add a condition"), not something to find out from an empty index. The stage counts what it
// drops (DroppedEventCount), once per batch.

#include <cstdint>
#include <memory>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/stage.h"

namespace logship {

struct DropOptions {};  // nothing but `when`, which the pipeline reads

// Validates the options: no keys but `type` and `when`, and `when` present. Every problem goes to
// ctx.errors with its position, and then the result is InvalidArgument(component).
Result<DropOptions> ParseDropOptions(const ConfigNode& node, PluginContext& ctx);

// The registry's factory for `type: drop`.
Result<std::unique_ptr<Stage>> MakeDropStage(const ConfigNode& node, PluginContext& ctx);

// Events dropped so far by `stage`, which MakeDropStage built (0 for any other stage). Safe to
// call from any thread (a relaxed atomic: for metrics).
uint64_t DroppedEventCount(const Stage& stage);

}  // namespace logship
