// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `type: file` inputs of a loaded pipeline file, with their options and where their
// checkpoints live: what `logship checkpoints` and `logship replay` work on. Reading them does no
// I/O beyond the pipeline file itself.

#include <string>
#include <vector>

#include "src/base/result.h"
#include "src/config/config_error.h"
#include "src/config/glob.h"
#include "src/pipeline/pipeline_config.h"
#include "src/tail/file_input_options.h"

namespace logship {

struct FileInput {
  std::string pipeline;   // "app"
  std::string state_dir;  // <data_dir>/<pipeline>: the checkpoints and the pipeline's lock
  int input_index = 0;    // position among the pipeline's inputs (of any type)
  FileInputOptions options;

  // The live checkpoint file's name in state_dir (its snapshots are "<store>.<time>").
  std::string store() const { return options.id + ".checkpoints"; }
  // "app/input-0", for messages and tables.
  std::string label() const { return pipeline + "/" + options.id; }
};

// Reads the file inputs of `config` (which LoadAgentConfig built and checked) from its file again.
// Only `pipeline` when it is not empty (NotFound naming the known ones when there is no such
// pipeline). Problems go to `errors` (none are expected: the file was checked).
Result<std::vector<FileInput>> LoadFileInputs(const AgentConfig& config,
                                              const std::string& pipeline, ConfigErrors& errors);

// The --file GLOB of `logship checkpoints reset` and `logship replay`: a pattern with a '/' is a
// path (relative ones resolve against the working directory), one without matches a file's name
// in any directory. InvalidArgument naming the pattern when it does not compile.
Result<Glob> CompileFileGlob(const std::string& pattern);

}  // namespace logship
