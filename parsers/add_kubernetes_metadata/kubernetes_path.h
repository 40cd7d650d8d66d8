// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the kubelet's log paths say about the container that wrote a file:
//   /var/log/containers/<pod>_<namespace>_<container>-<64 hex container id>.log
//   /var/log/pods/<namespace>_<pod>_<pod uid>/<container>/<restart>.log[.<rotation suffix>]
// The parts are views into `path`; a part the path does not carry is empty.

#include <string_view>

namespace logship {

struct KubernetesPath {
  std::string_view pod_name;
  std::string_view namespace_name;
  std::string_view pod_uid;
  std::string_view container_name;
  std::string_view container_id;
};

// False when `path` is in neither layout (any directory prefix is accepted, so a node's /var/log
// mounted elsewhere in the agent's container still works).
bool ParseKubernetesPath(std::string_view path, KubernetesPath* out);

}  // namespace logship
