// SPDX-License-Identifier: Apache-2.0
#pragma once

// AgentStatus is a point-in-time picture of the running agent, as /status and /health show it and
// `logship status` prints it: the lifecycle state, every tailed file with its acknowledged offset
// and lag, every sink with its health. Building one takes locks briefly and never blocks the
// pipelines; rendering it is pure.

#include <cstdint>
#include <string>
#include <vector>

#include "src/metrics/sink_stats.h"
#include "src/pipeline/source.h"

namespace logship {

struct SinkStatus {
  std::string id;    // as in metrics: "kafka", or "spool-1" when a type appears twice
  std::string type;  // the sink's `type:`
  SinkHealth::Snapshot health;
  uint64_t events_out = 0;
};

struct FileStatus {
  std::string input;  // the input's component path
  InputFileStatus file;
  uint64_t lag() const { return file.size > file.acked_offset ? file.size - file.acked_offset : 0; }
};

// An input that cannot keep its promises (Source::Problem): its checkpoints cannot be saved.
struct InputProblem {
  std::string input;  // the input's component path
  std::string error;  // names the checkpoint store and the reason
};

struct PipelineStatus {
  std::string name;
  std::vector<FileStatus> files;
  std::vector<SinkStatus> sinks;
  std::vector<InputProblem> failing_inputs;
};

struct AgentStatus {
  std::string state;  // starting, running, reloading, draining, stopped
  std::string version;
  std::string config_file;
  int64_t config_loaded_unix_ns = 0;
  int64_t started_unix_ns = 0;
  int64_t now_unix_ns = 0;
  // The last reload (SIGHUP or a change of the file): "" (none yet), "ok" or "failed".
  std::string reload_result;
  std::string reload_error;  // with FILE:LINE:COL, when it failed
  int64_t reload_unix_ns = 0;
  std::vector<PipelineStatus> pipelines;
};

// The /status document (JSON object; times in RFC 3339 UTC and seconds).
std::string RenderStatusJson(const AgentStatus& status);

// /health: 200 {"status":"ok"} when every sink delivers and every input saves its checkpoints;
// otherwise 503 with the failing sinks and inputs.
struct HealthResponse {
  int http_status = 200;
  std::string body;
};
HealthResponse RenderHealth(const AgentStatus& status);

// RFC 3339 UTC with milliseconds, e.g. 2026-11-24T10:00:00.123Z; "" for 0.
std::string FormatUnixNanos(int64_t unix_ns);

}  // namespace logship
