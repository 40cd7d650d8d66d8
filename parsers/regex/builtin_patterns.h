// SPDX-License-Identifier: Apache-2.0
#pragma once

// The named patterns shipped with logship (parsers/patterns/<name>.yaml), compiled into the binary
// at build time (embed_patterns.cmake), so `pattern: nginx_combined` never reads a file at run
// time. Each is a small YAML document: `pattern` (RE2, matched byte-wise as Latin-1), `types`,
// `description`, and optionally `absent` (captured values that mean "not set", e.g. '-') and
// `syslog_priority` (the group holding a syslog PRI, from which facility and severity are derived).
// Static data: thread-safe.

#include <cstddef>
#include <span>
#include <string_view>

namespace logship {

struct BuiltinPattern {
  std::string_view name;  // the file name without .yaml: "nginx_combined"
  std::string_view yaml;  // the whole file
};

// Every shipped pattern, sorted by name.
std::span<const BuiltinPattern> BuiltinPatterns();

// The shipped pattern called `name`, or nullptr.
const BuiltinPattern* FindBuiltinPattern(std::string_view name);

}  // namespace logship
