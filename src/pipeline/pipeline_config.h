// SPDX-License-Identifier: Apache-2.0
#pragma once

// Loads a pipeline file: parses the YAML, checks the top level, and builds every pipeline's
// inputs, stages and sinks through the Registry, collecting every problem (with FILE:LINE:COL) in
// ConfigErrors. Nothing is started and no I/O happens beyond reading the file, so `validate` and
// `run` share this code and `run` refuses exactly what `validate` reports.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/base/clock.h"
#include "src/base/result.h"
#include "src/config/config_error.h"
#include "src/config/duration.h"
#include "src/metrics/metrics_registry.h"
#include "src/metrics/sink_stats.h"
#include "src/pipeline/condition.h"
#include "src/pipeline/registry.h"
#include "src/pipeline/stage_chain.h"

namespace logship {

// One sink of a pipeline, with what the pipeline keeps about it for routing, logs and /status.
struct SinkSlot {
  std::string name;               // component path, for logs: "pipelines.app.sinks[0]"
  std::string id;                 // "spool", or "spool-1" when a type appears twice
  std::string type;               // its `type:`
  std::optional<Condition> when;  // the events it receives; none: every event
  std::unique_ptr<SinkHealth> health;
  std::unique_ptr<SinkStats> stats;  // pointing into the metrics registry
  // Declared last, so destroyed first: the sink holds pointers to health and stats.
  std::unique_ptr<Sink> sink;
};

struct PipelineParts {
  std::string name;
  std::string data_dir;  // <data_dir>/<name>
  // The pipeline's own YAML (canonical form) and data_dir: equal fingerprints across a reload
  // mean the pipeline did not change and keeps running untouched.
  std::string fingerprint;
  std::vector<std::unique_ptr<Source>> sources;
  // One chain of stage instances per worker (`workers:`), all built from the same `stages:`; a
  // pipeline without stages has one empty chain, or none when built by hand.
  std::vector<StageChain> stage_chains;
  std::vector<std::string> source_names;  // component paths, for logs
  std::vector<SinkSlot> sinks;
  size_t batch_max_events = 2048;
  size_t batch_max_bytes = 1 << 20;
  int64_t batch_timeout_ns = 200'000'000;
  size_t max_batches_in_flight = 8;
};

struct HttpOptions {
  std::string host;  // empty: the status server is off
  int port = 0;
};

struct AgentConfig {
  std::string file;      // absolute path of the pipeline file
  std::string data_dir;  // absolute
  Duration shutdown_timeout = Duration::Seconds(30);
  HttpOptions http;  // `http: {listen: 127.0.0.1:9180}`
  int64_t loaded_unix_ns = 0;
  // Every instrument of every component. Declared before `pipelines`, so it is destroyed after
  // them: components keep references to their instruments.
  std::shared_ptr<MetricsRegistry> metrics;
  std::vector<PipelineParts> pipelines;
};

// On success every pipeline is built. On failure returns InvalidArgument and `errors` holds the
// details (a file that cannot be read or parsed is one error at its position).
// `metrics`: the registry to build into (a reload keeps the running one, so counters carry on);
// null makes a new one.
Result<AgentConfig> LoadAgentConfig(const std::string& path, const Registry& registry,
                                    ConfigErrors& errors, Clock& clock = RealClock(),
                                    std::shared_ptr<MetricsRegistry> metrics = nullptr);

}  // namespace logship
