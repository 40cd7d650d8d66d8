// SPDX-License-Identifier: Apache-2.0
#include "src/metrics/sink_stats.h"

namespace logship {

void SinkHealth::Delivered(int64_t now_unix_ns) {
  last_success_ns_.store(now_unix_ns, std::memory_order_relaxed);
  ok_.store(true, std::memory_order_relaxed);
}

void SinkHealth::Failing(std::string_view reason, int64_t now_unix_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  last_error_.assign(reason);
  last_error_ns_ = now_unix_ns;
  ok_.store(false, std::memory_order_relaxed);
}

SinkHealth::Snapshot SinkHealth::snapshot() const {
  Snapshot s;
  s.ok = ok_.load(std::memory_order_relaxed);
  s.last_success_unix_ns = last_success_ns_.load(std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  s.last_error = last_error_;
  s.last_error_unix_ns = last_error_ns_;
  return s;
}

SinkStats MakeSinkStats(MetricsRegistry& registry, const std::string& pipeline,
                        const std::string& sink, SinkHealth* health) {
  Labels labels = {{"pipeline", pipeline}, {"sink", sink}};
  SinkStats s;
  s.events_out = &registry.GetCounter("logship_events_out_total",
                                      "Events a sink delivered (acknowledged).", labels);
  s.retries = &registry.GetCounter("logship_sink_retries_total",
                                   "Failed delivery attempts a sink retried.", labels);
  s.dead_letters = &registry.GetCounter(
      "logship_sink_dead_letters_total",
      "Events a sink could never deliver, written to its dead-letter spool.", labels);
  s.queue_batches = &registry.GetGauge("logship_sink_queue_batches",
                                       "Batches waiting in a sink's queue.", labels);
  s.health = health;
  return s;
}

SinkStats NullSinkStats() {
  static MetricsRegistry* registry = new MetricsRegistry();
  static SinkHealth* health = new SinkHealth();
  return MakeSinkStats(*registry, "none", "none", health);
}

}  // namespace logship
