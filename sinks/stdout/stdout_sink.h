// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `stdout` sink writes every event as one JSON line to standard output, with one write per
// batch, and acknowledges the batch once that write has returned: for trying pipelines out and for
// piping into other tools, with no durability beyond the pipe. If standard output fails for good
// (a closed pipe), batches are acknowledged as rejected, never silently as delivered.
//
//   - type: stdout

#include <memory>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/sink.h"

namespace logship {

// The registry's factory for `type: stdout`. No I/O.
Result<std::unique_ptr<Sink>> MakeStdoutSink(const ConfigNode& node, PluginContext& ctx);

// The same sink writing to `fd` instead of 1 (tests pass a pipe). Does not own `fd`.
std::unique_ptr<Sink> MakeStdoutSinkForFd(int fd, PluginContext& ctx);

}  // namespace logship
