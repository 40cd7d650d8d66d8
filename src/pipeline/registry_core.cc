// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/registry.h"
#include "src/tail/file_source.h"

namespace logship {

void RegisterCoreSources(Registry& registry) { registry.AddSource("file", &MakeFileSource); }

}  // namespace logship
