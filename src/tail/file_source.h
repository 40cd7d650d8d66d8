// SPDX-License-Identifier: Apache-2.0
#pragma once

// FileSource tails the files one `type: file` input matches and emits their lines as events. It
// follows rotation (rename: the old file is read to its end while the new one is read from 0;
// copytruncate: reading starts again at 0; deletion: the open file is finished), and keeps a
// checkpoint per file that only ever moves past lines every sink has acknowledged, saved atomically
// every checkpoint_interval and at Finish(). One thread per input; see source.h for the lifecycle.

#include <memory>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/source.h"
#include "src/tail/file_input_options.h"

namespace logship {

Result<std::unique_ptr<Source>> MakeFileSource(const ConfigNode& node, PluginContext& ctx);

}  // namespace logship
