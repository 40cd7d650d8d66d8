// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/registry.h"

namespace logship {

void RegisterCoreSources(Registry& registry) {}

}  // namespace logship
