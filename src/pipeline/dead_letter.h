// SPDX-License-Identifier: Apache-2.0
#pragma once

// DeadLetterSpool keeps the events a sink can never deliver (a Kafka message over the size
// limit, an Elasticsearch mapping error), so that nothing is dropped silently and the pipeline
// still moves on. Each is one NDJSON line in a SpoolWriter directory:
//   {"@timestamp":"<when>","sink":"pipelines.app.sinks[0]","reason":"…","status":400,
//    "event":{…the event as the sink would have sent it…}}
// A sink adds the batch's rejected events, then Commit()s; only once Commit returned OK may it
// acknowledge the batch (AckStatus::kRejected). Thread-safe; dead letters are rare, so one mutex.
//
// Configuration, on any sink that can reject events:
//   dead_letter: {path: ./dlq/app, max_file_bytes: 64MiB}
// Without it the letters go to <data_dir>/<pipeline>/dead_letter/<sink index>: never nowhere.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "src/base/clock.h"
#include "src/base/file_system.h"
#include "src/base/log_limiter.h"
#include "src/base/result.h"
#include "src/base/thread_annotations.h"
#include "src/config/config_node.h"
#include "src/event/output_buffer.h"
#include "src/event/timestamp.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/spool_writer.h"

namespace logship {

struct DeadLetterOptions {
  SpoolWriterOptions spool;
};

// Reads the sink's `dead_letter` node (which may be absent: the default path is used). The path
// is claimed in ctx.claims, so no two sinks (or a spool sink) share it. Errors with positions go
// to ctx.errors. REQUIRES: ctx.sink_index >= 0.
Result<DeadLetterOptions> ParseDeadLetterOptions(const ConfigNode& sink_node, PluginContext& ctx);

class DeadLetterSpool {
 public:
  DeadLetterSpool(std::string sink_name, DeadLetterOptions options, Clock& clock, FileSystem& fs);

  // Creates the directory (and repairs a torn last line). A failure names the directory.
  Status Open();

  // Adds one rejected event, already serialized as a JSON object, with why it was rejected and
  // the destination's status code (0 when there is none). Not durable until Commit. Logs the
  // reason at most once per 10 s per distinct reason.
  void Add(std::string_view event_json, std::string_view reason, int status = 0);

  // Writes and fsyncs what was added. On failure nothing added is lost: Commit may be retried.
  Status Commit();

  // Dead letters made durable so far (for metrics).
  uint64_t written() const { return written_.load(std::memory_order_relaxed); }
  const std::string& dir() const { return dir_; }

 private:
  const std::string sink_name_;
  const std::string dir_;
  Clock& clock_;
  std::mutex mu_;
  SpoolWriter writer_ LOGSHIP_GUARDED_BY(mu_);
  OutputBuffer pending_ LOGSHIP_GUARDED_BY(mu_);
  uint64_t pending_count_ LOGSHIP_GUARDED_BY(mu_) = 0;
  TimestampFormatter timestamps_ LOGSHIP_GUARDED_BY(mu_);
  LogLimiter log_ LOGSHIP_GUARDED_BY(mu_);
  std::atomic<uint64_t> written_{0};
};

}  // namespace logship
