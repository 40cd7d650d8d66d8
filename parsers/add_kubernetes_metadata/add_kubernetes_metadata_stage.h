// SPDX-License-Identifier: Apache-2.0
#pragma once

// `add_kubernetes_metadata` adds what a container log file's path says about the pod and the
// container that wrote it, with Filebeat's ECS names (issue #13):
//
//   - type: add_kubernetes_metadata
//     overwrite: false   # true: replace fields an event already has
//
// From /var/log/containers/<pod>_<namespace>_<container>-<id>.log: kubernetes.pod.name,
// kubernetes.namespace, kubernetes.container.name, container.id. From
// /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log: the same with kubernetes.pod.uid
// instead of container.id. Events from other files are left as they are. The path is parsed once
// per file of a batch; the values are views into the batch's copy of the path, so nothing is
// allocated per event. Labels, annotations and owners from the Kubernetes API are not read yet.

#include <memory>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/stage.h"

namespace logship {

struct AddKubernetesMetadataOptions {
  bool overwrite = false;
};

// Reads and checks the options; every problem goes to ctx.errors with its position.
Result<AddKubernetesMetadataOptions> ParseAddKubernetesMetadataOptions(const ConfigNode& node,
                                                                       PluginContext& ctx);

// The registry's factory for `type: add_kubernetes_metadata`.
Result<std::unique_ptr<Stage>> MakeAddKubernetesMetadataStage(const ConfigNode& node,
                                                              PluginContext& ctx);

}  // namespace logship
