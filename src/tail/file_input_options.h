// SPDX-License-Identifier: Apache-2.0
#pragma once

// Options of one `type: file` input, parsed and checked at load time (globs compiled, relative
// paths resolved against the pipeline file's directory), so a bad pattern is a config error with
// its position rather than a surprise at run time.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/config/duration.h"
#include "src/config/glob.h"
#include "src/pipeline/plugin_context.h"
#include "src/tail/multiline_joiner.h"

namespace logship {

// `checkpoint_history:` of a file input: every `interval` (aligned on UTC multiples of it) the
// acknowledged offsets are also kept as a snapshot named by its UTC time, the newest `keep` of
// them, for `logship replay --since` and `logship checkpoints show --snapshot`. keep 0: none.
struct CheckpointHistoryOptions {
  Duration interval = Duration::Seconds(300);
  uint32_t keep = 12;
};

struct FileInputOptions {
  std::string id;  // names the checkpoint file; defaults to "input-<index>"
  std::vector<Glob> include;
  std::vector<Glob> exclude;
  bool start_at_end = false;  // start_at: end (only for files seen for the first time at start)
  uint64_t max_line_bytes = 1 << 20;
  uint64_t read_buffer_bytes = 256 << 10;
  Duration rescan_interval = Duration::Seconds(1);
  Duration rotate_wait = Duration::Seconds(5);  // a renamed/deleted file stays open this long idle
  uint64_t max_open_files = 1024;
  // Saves are coalesced to one per interval: each costs a write, two fsyncs and two renames, and a
  // crash replays at most this long of acknowledged lines (never loses any).
  Duration checkpoint_interval = Duration::Seconds(1);
  CheckpointHistoryOptions checkpoint_history;
  // multiline: {start|continue: REGEX, max_lines, max_bytes, timeout}; unset: one event per line.
  std::optional<MultilineOptions> multiline;
};

// Records every problem in ctx.errors (with positions) and returns InvalidArgument if there was
// any.
Result<FileInputOptions> ParseFileInputOptions(const ConfigNode& node, PluginContext& ctx,
                                               int input_index);

}  // namespace logship
