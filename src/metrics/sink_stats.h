// SPDX-License-Identifier: Apache-2.0
#pragma once

// What a sink reports about itself: counters for /metrics and its health for /health and
// /status. A sink gets its SinkStats from PluginContext::sink_stats (never null inside a pipeline;
// NullSinkStats() for tests that build sinks alone). Counters are bumped once per batch; health
// changes on the sink's own thread. Thread-safe.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "src/base/thread_annotations.h"
#include "src/metrics/metrics.h"
#include "src/metrics/metrics_registry.h"

namespace logship {

// Whether a sink is delivering, and what went wrong last.
class SinkHealth {
 public:
  struct Snapshot {
    bool ok = true;
    std::string last_error;  // empty when there was none
    int64_t last_error_unix_ns = 0;
    int64_t last_success_unix_ns = 0;
  };

  // A batch was delivered (or dead-lettered as the protocol demands): the sink works.
  void Delivered(int64_t now_unix_ns);
  // The sink cannot deliver right now and is retrying; `reason` names what fails (never a
  // secret). It stays failing until the next Delivered.
  void Failing(std::string_view reason, int64_t now_unix_ns);

  bool ok() const { return ok_.load(std::memory_order_relaxed); }
  Snapshot snapshot() const;

 private:
  std::atomic<bool> ok_{true};
  mutable std::mutex mu_;
  std::string last_error_ LOGSHIP_GUARDED_BY(mu_);
  int64_t last_error_ns_ LOGSHIP_GUARDED_BY(mu_) = 0;
  std::atomic<int64_t> last_success_ns_{0};
};

struct SinkStats {
  Counter* events_out = nullptr;    // logship_events_out_total: events delivered
  Counter* retries = nullptr;       // logship_sink_retries_total: failed attempts retried
  Counter* dead_letters = nullptr;  // logship_sink_dead_letters_total: permanent failures
  Gauge* queue_batches = nullptr;   // logship_sink_queue_batches: batches waiting in the sink
  SinkHealth* health = nullptr;
};

// The instruments of sink `sink` (its component path) in `pipeline`, registered in `registry`.
SinkStats MakeSinkStats(MetricsRegistry& registry, const std::string& pipeline,
                        const std::string& sink, SinkHealth* health);

// Instruments nobody reads, for sinks built outside a pipeline (tests).
SinkStats NullSinkStats();

}  // namespace logship
