// SPDX-License-Identifier: Apache-2.0
#include "src/host/host_metrics_source.h"
#include "src/pipeline/registry.h"
#include "src/tail/file_source.h"

namespace logship {

void RegisterCoreSources(Registry& registry) {
  registry.AddSource("file", &MakeFileSource);
  registry.AddSource("host_metrics", &MakeHostMetricsSource);
}

}  // namespace logship
