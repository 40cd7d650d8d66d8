// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `logship` command line: `run`, `validate`, `--help`, `--version`. The only file that includes
// CLI11 (it is slow to compile). Returns the process exit code.

#include "src/pipeline/registry.h"

namespace logship {

int RunCli(int argc, char** argv, const Registry& registry);

}  // namespace logship
