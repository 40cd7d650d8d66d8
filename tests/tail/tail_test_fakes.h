// SPDX-License-Identifier: Apache-2.0
#pragma once

// Fakes for the tailer's unit tests (file_reader_test, file_tracker_test): a clock the test moves
// by hand, and a pipeline stand-in that lends batches from a small pool, keeps a copy of every
// event emitted (text, offset, tags and the BatchSource it names) and, like a sink that delivers
// at once, acknowledges each batch that asks for it. Used by one thread.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "src/base/clock.h"
#include "src/event/batch.h"
#include "src/event/batch_pool.h"
#include "src/metrics/metrics_registry.h"
#include "src/pipeline/ack.h"
#include "src/pipeline/ack_tracker.h"
#include "src/pipeline/source.h"

namespace logship::testing {

class TailFakeClock final : public Clock {
 public:
  int64_t NowUnixNanos() override { return unix_ns_.load(); }
  int64_t MonotonicNanos() override { return mono_ns_.load(); }
  void Advance(int64_t ns) {
    unix_ns_ += ns;
    mono_ns_ += ns;
  }

 private:
  std::atomic<int64_t> unix_ns_{1'795'552'446'123'000'000};
  std::atomic<int64_t> mono_ns_{1'000'000'000'000};
};

// One event as emitted, with the BatchSource it came from.
struct ShippedEvent {
  std::string text;
  uint64_t offset = 0;
  uint32_t tags = 0;
  uint64_t file_id = 0;
  uint64_t file_key = 0;
  std::string path;
  uint64_t source_end = 0;  // the BatchSource's end_offset in that batch
};

// One emitted batch: its event count and its sources.
struct ShippedBatch {
  size_t events = 0;
  std::vector<ShippedEvent> sources;  // text/offset/tags unused: file_id, file_key, path, end
};

class FakeSourceContext final : public SourceContext {
 public:
  explicit FakeSourceContext(size_t batches = 2) : pool_(batches) {}

  MutableBatch AcquireBatch(int64_t timeout_ms) override {
    MutableBatch b = pool_.Acquire(timeout_ms);
    if (b) b->host_name = "test-host";
    return b;
  }
  void Emit(MutableBatch batch) override {
    ShippedBatch sb;
    sb.events = batch->events().size();
    for (const BatchSource& s : batch->sources()) {
      ShippedEvent e;
      e.file_id = s.file_id;
      e.file_key = s.file_key;
      e.path = std::string(s.path);
      e.source_end = s.end_offset;
      sb.sources.push_back(std::move(e));
    }
    for (const Event& ev : batch->events()) {
      ShippedEvent e = sb.sources.at(ev.source);
      e.text = std::string(ev.message);
      e.offset = ev.offset;
      e.tags = ev.tags;
      events.push_back(std::move(e));
    }
    batches.push_back(std::move(sb));
    if (auto_ack && batch->ack_tracker != nullptr) {
      batch->ack_tracker->Done(batch->sequence, AckStatus::kDelivered);
    }
  }
  int sink_count() const override { return 1; }
  size_t batch_max_events() const override { return max_events; }
  size_t batch_max_bytes() const override { return max_bytes; }
  int64_t batch_timeout_ns() const override { return 200'000'000; }
  bool once() const override { return false; }
  MetricsRegistry& metrics() override { return metrics_; }
  const std::string& pipeline_name() const override { return name_; }
  Histogram& ack_latency() override { return latency_; }

  // The texts of the events emitted, in order.
  std::vector<std::string> Texts() const {
    std::vector<std::string> out;
    for (const ShippedEvent& e : events) out.push_back(e.text);
    return out;
  }

  size_t max_events = 1000;
  size_t max_bytes = 1 << 20;
  bool auto_ack = true;
  std::vector<ShippedEvent> events;
  std::vector<ShippedBatch> batches;

 private:
  BatchPool pool_;
  MetricsRegistry metrics_;
  std::string name_ = "p";
  Histogram& latency_ = metrics_.GetHistogram("test_ack_latency", "test", {1.0});
};

}  // namespace logship::testing
