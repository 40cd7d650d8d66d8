// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/pipeline/registry.h"

namespace logship {

// Adds every stage compiled into this binary: one line each in builtin_parsers.cc.
void RegisterBuiltinParsers(Registry& registry);

}  // namespace logship
