// SPDX-License-Identifier: Apache-2.0
#include "parsers/add_kubernetes_metadata/kubernetes_path.h"

#include <vector>

namespace logship {
namespace {

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return !s.empty();
}

// Splits "a_b_c" into exactly three non-empty parts; names of pods, namespaces and containers
// cannot hold '_' (they are DNS names), so the split is unambiguous.
bool SplitThree(std::string_view s, std::string_view* a, std::string_view* b, std::string_view* c) {
  size_t u1 = s.find('_');
  if (u1 == std::string_view::npos) return false;
  size_t u2 = s.find('_', u1 + 1);
  if (u2 == std::string_view::npos || s.find('_', u2 + 1) != std::string_view::npos) return false;
  *a = s.substr(0, u1);
  *b = s.substr(u1 + 1, u2 - u1 - 1);
  *c = s.substr(u2 + 1);
  return !a->empty() && !b->empty() && !c->empty();
}

// The last `n` components of `path` (fewer when it has fewer), last first.
std::vector<std::string_view> LastComponents(std::string_view path, size_t n) {
  std::vector<std::string_view> out;
  while (!path.empty() && out.size() < n) {
    size_t slash = path.rfind('/');
    std::string_view part = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (!part.empty()) out.push_back(part);
    if (slash == std::string_view::npos) break;
    path = path.substr(0, slash);
  }
  return out;
}

}  // namespace

bool ParseKubernetesPath(std::string_view path, KubernetesPath* out) {
  *out = KubernetesPath{};
  std::vector<std::string_view> parts = LastComponents(path, 4);
  // /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log[.suffix]
  if (parts.size() >= 4 && parts[3] == "pods") {
    std::string_view file = parts[0];
    size_t dot = file.find(".log");
    bool restart_number = dot != std::string_view::npos && dot > 0;
    for (size_t i = 0; restart_number && i < dot; ++i) {
      restart_number = file[i] >= '0' && file[i] <= '9';
    }
    if (restart_number &&
        SplitThree(parts[2], &out->namespace_name, &out->pod_name, &out->pod_uid)) {
      out->container_name = parts[1];
      return true;
    }
  }
  // /var/log/containers/<pod>_<namespace>_<container>-<id>.log
  if (parts.size() >= 2 && parts[1] == "containers") {
    std::string_view file = parts[0];
    if (file.size() > 4 && file.substr(file.size() - 4) == ".log") {
      file.remove_suffix(4);
      std::string_view rest;
      if (SplitThree(file, &out->pod_name, &out->namespace_name, &rest)) {
        size_t dash = rest.rfind('-');
        if (dash != std::string_view::npos && dash > 0 && rest.size() - dash - 1 == 64 &&
            IsHex(rest.substr(dash + 1))) {
          out->container_name = rest.substr(0, dash);
          out->container_id = rest.substr(dash + 1);
          return true;
        }
      }
    }
  }
  *out = KubernetesPath{};
  return false;
}

}  // namespace logship
