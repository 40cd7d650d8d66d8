// SPDX-License-Identifier: Apache-2.0
#pragma once

// HostMetricsSource is the `type: host_metrics` input: every `interval` it samples the host's
// metricsets (metricset.h) and injects the samples as events into its pipeline, which runs them
// through its stages (where their `when:` lets them) to its sinks, like lines of a file. Events
// carry @timestamp (the sample's time), host.name, metricset.name, metricset.period (ms),
// event.module/event.dataset and service.type, plus the metricset's system.* fields. Samples are
// not checkpointed: their batches need no acknowledgement. A metricset that fails to read is
// logged (at most once per minute per message) and the others go on. One thread per input; with
// `run --once` it takes one sample (counter-based metricsets have nothing to say yet) and ends.

#include <memory>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/source.h"

namespace logship {

Result<std::unique_ptr<Source>> MakeHostMetricsSource(const ConfigNode& node, PluginContext& ctx);

}  // namespace logship
