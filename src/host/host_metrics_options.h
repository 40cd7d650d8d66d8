// SPDX-License-Identifier: Apache-2.0
#pragma once

// Options of one `type: host_metrics` input, parsed and checked at load time:
//
//   - type: host_metrics
//     interval: 10s                   # one sample per interval (the first at start)
//     metricsets: [cpu, load, memory, filesystem, diskio, network, uptime]   # the default: all
//     cpu: {per_core: false}          # true: also one `core` event per CPU
//     filesystem:
//       mounts: ["/", "/data*"]       # fnmatch patterns on mount points; default: every mount
//       ignore_types: [nfs]           # default: the kernel's nodev types; [] reports every type
//     diskio: {devices: ["sd*", "nvme*"]}      # default: every device that did I/O
//     network: {interfaces: ["eth*", "en*"]}   # default: every interface
//     proc_root: /proc                # where /proc is (a host's /proc mounted into a container)
//
// Options for a metricset that is not enabled are an error, not silently ignored.

#include <string>
#include <vector>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/config/duration.h"
#include "src/host/metricset.h"
#include "src/pipeline/plugin_context.h"

namespace logship {

// Every metricset, in the default order.
inline constexpr std::string_view kAllMetricsets[] = {"cpu",    "load",    "memory", "filesystem",
                                                      "diskio", "network", "uptime"};

struct HostMetricsOptions {
  Duration interval = Duration::Seconds(10);
  std::vector<std::string> metricsets;  // from kAllMetricsets, no repeats
  CpuReaderOptions cpu;
  FilesystemReaderOptions filesystem;
  DiskioReaderOptions diskio;
  NetworkReaderOptions network;
  std::string proc_root = "/proc";  // absolute, resolved against the pipeline file's directory
};

// Records every problem in ctx.errors (with its position) and returns InvalidArgument if there
// was any.
Result<HostMetricsOptions> ParseHostMetricsOptions(const ConfigNode& node, PluginContext& ctx);

}  // namespace logship
