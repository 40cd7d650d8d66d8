// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `spool` sink writes every event as one JSON line to a directory of NDJSON files (see
// src/pipeline/spool_writer.h) and acknowledges a batch only once its lines are fsync'd. One worker
// thread per sink commits whatever is queued as one group (one write, one fsync); write errors are
// retried with backoff, never dropped. Configuration:
//
//   - type: spool
//     path: spool/app            # required; relative to the pipeline file; one sink per path
//     max_file_bytes: 64MiB      # rotate before a file would pass this (>= 4KiB)
//     max_file_age: 1h           # rotate a file older than this (> 0)
//     queue_batches: 4           # batches queued before Submit blocks (1..1024)

#include <memory>
#include <string>

#include "src/base/file_system.h"
#include "src/base/result.h"
#include "src/config/byte_size.h"
#include "src/config/config_node.h"
#include "src/config/duration.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/sink.h"

namespace logship {

struct SpoolSinkOptions {
  std::string path;  // absolute (resolved against the pipeline file's directory)
  ByteSize max_file_bytes = ByteSize::MiB(64);
  Duration max_file_age = Duration::Seconds(3600);
  int queue_batches = 4;
};

// Reads and validates the options, resolves `path` and claims it for ctx.component. Every problem
// goes to ctx.errors with its position; then the result is InvalidArgument(component, "invalid
// options"). No I/O.
Result<SpoolSinkOptions> ParseSpoolSinkOptions(const ConfigNode& node, PluginContext& ctx);

// The registry's factory for `type: spool`. No I/O: Start() opens the spool directory.
Result<std::unique_ptr<Sink>> MakeSpoolSink(const ConfigNode& node, PluginContext& ctx);

// Builds the sink from parsed options, doing its I/O through `fs` (tests inject faults there).
// `fs` and ctx.clock (RealClock() when null) must outlive the sink. No I/O.
std::unique_ptr<Sink> MakeSpoolSinkWithFileSystem(SpoolSinkOptions options, PluginContext& ctx,
                                                  FileSystem& fs);

}  // namespace logship
