// SPDX-License-Identifier: Apache-2.0
#include "sinks/builtin_sinks.h"

namespace logship {

void RegisterBuiltinSinks(Registry& registry) {}

}  // namespace logship
