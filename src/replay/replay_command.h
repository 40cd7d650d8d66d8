// SPDX-License-Identifier: Apache-2.0
#pragma once

// `logship replay PIPELINE --since SNAPSHOT_OR_TIME [--until …] [--file GLOB] [--sink ID]
// [--pipeline NAME]`: re-ships a window of the files of each file input (those still on disk,
// rotated names included; see ReplayPlan) through the pipeline's stages to its sinks, or to the
// one sink with that id, once, then exits. The live agent's checkpoints and lock are never
// touched, so it may run meanwhile; the replay runs as its own pipeline with a state directory of
// its own, <data_dir>/<pipeline>/replay-<UTC time>-<pid>, removed at the end unless something
// (dead letters) was left there. Returns the process exit code (RunAgent's; 1 for usage errors).

#include <string>

#include "src/pipeline/pipeline_config.h"

namespace logship {

struct ReplayCommand {
  std::string since;      // a snapshot name or an RFC 3339 time
  std::string until;      // the same; empty: the live checkpoints
  std::string file_glob;  // empty: every file
  std::string sink;       // a sink id (as in metrics: "spool", "spool-1"); empty: every sink
  std::string pipeline;   // empty: every pipeline
  bool progress = false;  // a progress line on stderr
  std::string version;
};

// `config` as LoadAgentConfig built it from the pipeline file.
int RunReplayCommand(AgentConfig config, const ReplayCommand& command);

}  // namespace logship
