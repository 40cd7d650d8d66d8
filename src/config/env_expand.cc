// SPDX-License-Identifier: Apache-2.0
#include "src/config/env_expand.h"

#include <cstdlib>

namespace logship {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// Index of the '}' closing a reference whose body starts at `from`, skipping nested "${...}" and
// "$$"; npos when there is none.
size_t FindClose(std::string_view text, size_t from) {
  int depth = 0;
  for (size_t i = from; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && (text[i + 1] == '$' || text[i + 1] == '{')) {
      if (text[i + 1] == '{') ++depth;
      ++i;
    } else if (text[i] == '}') {
      if (depth == 0) return i;
      --depth;
    }
  }
  return std::string_view::npos;
}

Status Invalid(std::string message) { return Status::InvalidArgument("", message); }

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& lookup) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$' || i + 1 >= text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
      out.push_back(c);  // A '$' followed by anything else is kept as is.
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out.push_back('$');
      i += 2;
      continue;
    }
    // "${NAME}" or "${NAME:-default}".
    size_t close = FindClose(text, i + 2);
    if (close == std::string_view::npos) {
      return Invalid("unterminated reference '" + std::string(text.substr(i)) + "' (missing '}')");
    }
    std::string_view reference = text.substr(i, close + 1 - i);
    std::string_view body = text.substr(i + 2, close - i - 2);
    size_t name_end = 0;
    while (name_end < body.size() && IsNameChar(body[name_end])) ++name_end;
    std::string name(body.substr(0, name_end));
    std::string_view rest = body.substr(name_end);
    bool has_default = rest.substr(0, 2) == ":-";
    if (name.empty() || !IsNameStart(name[0]) || (!rest.empty() && !has_default)) {
      return Invalid("invalid reference '" + std::string(reference) +
                     "' (expected ${NAME} or ${NAME:-default})");
    }
    std::optional<std::string> value;
    if (lookup) value = lookup(name);
    if (value.has_value() && !(has_default && value->empty())) {
      out.append(*value);
    } else if (has_default) {
      Result<std::string> fallback = ExpandEnv(rest.substr(2), lookup);
      if (!fallback.ok()) return fallback.status();
      out.append(*fallback);
    } else {
      return Invalid("environment variable '" + name + "' is not set (use ${" + name +
                     ":-default} for a default)");
    }
    i = close + 1;
  }
  return out;
}

}  // namespace logship
