// SPDX-License-Identifier: Apache-2.0
#include "parsers/regex/builtin_patterns.h"

namespace logship {
namespace internal {
// Defined in the generated builtin_patterns_data.cc, sorted by name.
extern const BuiltinPattern kBuiltinPatterns[];
extern const size_t kBuiltinPatternCount;
}  // namespace internal

std::span<const BuiltinPattern> BuiltinPatterns() {
  return {internal::kBuiltinPatterns, internal::kBuiltinPatternCount};
}

const BuiltinPattern* FindBuiltinPattern(std::string_view name) {
  for (const BuiltinPattern& p : BuiltinPatterns()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace logship
