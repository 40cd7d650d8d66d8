// SPDX-License-Identifier: Apache-2.0
#pragma once

// Source produces batches (tailing files, sampling host metrics) on threads of its own and hands
// them to the pipeline through a SourceContext. Lifecycle, driven by the pipeline:
//   Start(ctx) -> [runs] -> StopReading() -> Join() -> (sinks drain) -> Finish()
// In --once mode a source stops by itself once it has read everything there was (Join returns).
// Finish() runs after the sinks have delivered what they could: it saves final state (checkpoints
// of what was acknowledged).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/event/batch_pool.h"
#include "src/metrics/metrics_registry.h"

namespace logship {

class AckTracker;

class SourceContext {
 public:
  virtual ~SourceContext() = default;
  // An empty batch to fill, with host_name set; waits up to timeout_ms (back-pressure). nullptr on
  // timeout or when the pipeline is shutting down.
  virtual MutableBatch AcquireBatch(int64_t timeout_ms) = 0;
  // Runs the stages and hands the batch to every sink. The batch's ack_tracker/sequence must be set
  // by the source when it wants acknowledgements. May block (back-pressure).
  virtual void Emit(MutableBatch batch) = 0;
  // How many sinks acknowledge each batch: the source's AckTracker counts this many per batch.
  virtual int sink_count() const = 0;
  // Limits a source should close its batches at.
  virtual size_t batch_max_events() const = 0;
  virtual size_t batch_max_bytes() const = 0;
  // A batch holding events is emitted at the latest this long after its first event.
  virtual int64_t batch_timeout_ns() const = 0;
  // --once: read what exists, then stop.
  virtual bool once() const = 0;
  // Where the source registers its instruments (labels: pipeline, input).
  virtual MetricsRegistry& metrics() = 0;
  virtual const std::string& pipeline_name() const = 0;
  // Observes, in seconds, how long a batch took from Emit to being acknowledged by every sink.
  virtual Histogram& ack_latency() = 0;
};

// One file a source reads, as /status shows it. Sizes and offsets in bytes.
struct InputFileStatus {
  std::string path;
  uint64_t inode = 0;
  uint64_t size = 0;
  uint64_t acked_offset = 0;  // the checkpoint: first byte not yet acknowledged
  // "active", "rotated" (renamed or deleted, being finished), "parked" (closed to free a slot
  // under max_open_files, or read to its end by --once), "waiting" (a likely copytruncate copy,
  // waiting for its original's truncation), "closed"
  std::string state;
  uint64_t held_bytes = 0;  // an unterminated last line, held until its newline arrives
};

// What a source has done so far, for progress lines and status pages. Readable from any thread.
struct SourceProgress {
  uint64_t bytes_read = 0;
  uint64_t bytes_total = 0;  // bytes known to exist to read (0 when unknown)
  uint64_t events = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  virtual Status Start(SourceContext& ctx) = 0;
  // Asks the source to stop reading soon; returns at once.
  virtual void StopReading() = 0;
  // Waits for the source's threads to end.
  virtual void Join() = 0;
  // Saves final state; called once, after the sinks stopped.
  virtual Status Finish() = 0;
  virtual SourceProgress progress() const { return {}; }
  // The files the source reads, for /status and the checkpoint-lag gauges; empty for sources that
  // read no files. Thread-safe; may lag the truth by up to a second.
  virtual std::vector<InputFileStatus> Files() const { return {}; }
  // Why the source cannot keep its promises right now (its checkpoints cannot be saved), naming
  // the thing concerned; empty when healthy. Thread-safe. /health fails while it is not empty.
  virtual std::string Problem() const { return {}; }
};

}  // namespace logship
