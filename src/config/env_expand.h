// SPDX-License-Identifier: Apache-2.0
#pragma once

// Expands environment references in configuration values: ${VAR}, ${VAR:-default} (default when
// VAR is unset or empty) and $$ for a literal '$'. A '$' followed by anything else is kept as is.
// Expansion happens per scalar after YAML parsing, so positions in messages stay exact.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "src/base/result.h"

namespace logship {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
EnvLookup ProcessEnv();

// Returns the expanded text, or InvalidArgument naming the variable when it is unset and has no
// default, or when a reference is unterminated ("${FOO").
Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& lookup);

}  // namespace logship
