// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/pipeline/registry.h"

namespace logship {

// Adds every sink compiled into this binary: one line each in builtin_sinks.cc.
void RegisterBuiltinSinks(Registry& registry);

}  // namespace logship
