// SPDX-License-Identifier: Apache-2.0
#pragma once

// ReplaySource is the source `logship replay` runs in place of a file input: it reads the window
// [from, to) of each planned file once and emits its lines as the file input emitted them when it
// first shipped them: the same line splitting (max_line_bytes, `truncated`, `invalid_utf8`), the
// same multiline joining, and the same BatchSource file key and offsets, so that a sink deriving
// ids from them (Elasticsearch `id: offset`) overwrites rather than duplicates. It saves no
// checkpoint and takes no lock: the live agent's state is never touched. It checks each file's
// device, inode and first bytes again when it opens it, and skips (with a warning) one that
// changed since the plan. One thread; it ends by itself once every window is read.

#include <memory>
#include <string>
#include <vector>

#include "src/base/clock.h"
#include "src/pipeline/source.h"
#include "src/replay/replay_plan.h"
#include "src/tail/file_input_options.h"

namespace logship {

// `name` names the source in logs ("pipelines.app.inputs[0] (replay)").
std::unique_ptr<Source> MakeReplaySource(const FileInputOptions& options,
                                         std::vector<ReplayFile> files, std::string name,
                                         Clock& clock = RealClock());

}  // namespace logship
