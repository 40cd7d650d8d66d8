// SPDX-License-Identifier: Apache-2.0
#pragma once

// `logship checkpoints list|show|reset PIPELINE`: what the file inputs have acknowledged, and a
// way to move it.
//  - list: per pipeline and input, each checkpointed file with its acknowledged offset, its size
//    now and the lag (size - offset), where it is now if rotation renamed it, and the names of
//    the snapshots kept in the checkpoint history.
//  - show [--snapshot NAME_OR_TIME] [--json]: every record of one state (the live checkpoints, or
//    the newest snapshot at or before the given time) with device, inode and fingerprint.
//  - reset --file GLOB --to beginning|end|OFFSET: moves the checkpoints of the matching files
//    (and adds one for matching files not checkpointed yet). Only while the pipeline is stopped:
//    it holds the pipeline's state-directory lock while it writes, and refuses, naming the pid,
//    when a running logship holds it. `end` is the end of the file's last complete line; an OFFSET
//    must be the start of a line. Written through CheckpointStore (atomic; the generation goes on).
// list and show only read, with CheckpointStore::Peek: safe while the agent runs.
// Each returns the process exit code: 0, or 1 with the reason on stderr.

#include <string>

#include "src/pipeline/pipeline_config.h"

namespace logship {

struct CheckpointsCommand {
  std::string pipeline;   // empty: every pipeline
  std::string snapshot;   // show: a snapshot name or time; empty: the live checkpoints
  bool json = false;      // show: JSON instead of a table
  std::string file_glob;  // reset
  std::string to;         // reset: "beginning", "end" or a byte offset
};

int RunCheckpointsList(const AgentConfig& config, const CheckpointsCommand& command);
int RunCheckpointsShow(const AgentConfig& config, const CheckpointsCommand& command);
int RunCheckpointsReset(const AgentConfig& config, const CheckpointsCommand& command);

}  // namespace logship
