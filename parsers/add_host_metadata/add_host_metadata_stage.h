// SPDX-License-Identifier: Apache-2.0
#pragma once

// `add_host_metadata` adds what describes the host to the events its `when:` selects, with
// Metricbeat's add_host_metadata names:
//
//   - type: add_host_metadata
//     refresh: 5m        # how often the description is read again (addresses change)
//     netinfo: true      # host.ip (every non-loopback address) and host.mac
//     overwrite: true    # false: fields an event already has are kept
//
// Fields: host.name, host.hostname, host.architecture, host.os.{type,family,name,version,platform,
// kernel,codename}, host.id (machine id), host.ip and host.mac (arrays). The description is read
// (os-release, uname, getifaddrs) on the first batch and again every `refresh`, never per event; a
// failed read keeps the previous one. Per event the stage only links the values, copied once per
// batch into the batch's arena: no allocation per event.

#include <functional>
#include <memory>

#include "src/base/clock.h"
#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/config/duration.h"
#include "src/host/host_info.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/stage.h"

namespace logship {

struct AddHostMetadataOptions {
  Duration refresh = Duration::Seconds(300);
  bool netinfo = true;
  bool overwrite = true;
};

// Reads and checks the options; every problem goes to ctx.errors with its position, and then the
// result is InvalidArgument(component).
Result<AddHostMetadataOptions> ParseAddHostMetadataOptions(const ConfigNode& node,
                                                           PluginContext& ctx);

// The registry's factory for `type: add_host_metadata`.
Result<std::unique_ptr<Stage>> MakeAddHostMetadataStage(const ConfigNode& node, PluginContext& ctx);

// The stage with its description read by `read` rather than from the running host, and its
// refresh timed by `clock` (tests). `clock` must outlive the stage.
using HostInfoReadFn = std::function<Result<HostInfo>()>;
std::unique_ptr<Stage> NewAddHostMetadataStage(const AddHostMetadataOptions& options,
                                               HostInfoReadFn read, Clock& clock);

}  // namespace logship
