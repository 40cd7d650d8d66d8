// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/plugin_context.h"

#include <vector>

namespace logship {

void ResourceClaims::Claim(const std::string& resource, const std::string& owner,
                           const ConfigNode& at, ConfigErrors& errors) {
  auto [it, inserted] = held_.emplace(resource, Holder{owner, at.position()});
  if (inserted || it->second.owner == owner) return;
  const ConfigPosition& first = it->second.where;
  errors.Add(at.position(), owner + ": '" + resource + "' is already used by " + it->second.owner +
                                " (" + first.file + ":" + std::to_string(first.line) + ":" +
                                std::to_string(first.column) + ")");
}

std::string MakeAbsolutePath(std::string_view base_dir, std::string_view path) {
  std::string joined;
  if (!path.empty() && path[0] == '/') {
    joined = std::string(path);
  } else {
    joined = std::string(base_dir) + "/" + std::string(path);
  }
  std::vector<std::string_view> parts;
  std::string_view rest(joined);
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view p : parts) {
    out.push_back('/');
    out.append(p);
  }
  return out.empty() ? "/" : out;
}

std::string PluginContext::ResolvePath(std::string_view path) const {
  return MakeAbsolutePath(base_dir, path);
}

}  // namespace logship
