// SPDX-License-Identifier: Apache-2.0
#include "parsers/builtin_parsers.h"

namespace logship {

// Stages arrive with the parsers issue; the `stages:` list and its dispatch already work.
void RegisterBuiltinParsers(Registry& registry) {}

}  // namespace logship
