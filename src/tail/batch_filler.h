// SPDX-License-Identifier: Apache-2.0
#pragma once

// BatchFiller holds the batch one source thread is filling and hands it to the pipeline when it is
// full, old, or the thread asks. It is the one place where the file input and `logship replay` turn
// lines into events, so both name a file's events alike (one BatchSource per stream per batch, the
// same offsets and file key). Waiting for a batch while every one is in flight (back-pressure)
// calls `while_waiting` every 100 ms, until a batch comes or `stop` is set. Owned by one thread;
// events() may be read from any.

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>

#include "src/base/clock.h"
#include "src/event/batch_pool.h"
#include "src/pipeline/source.h"

namespace logship {

class AckTracker;

// Who the events of one stream (a file's contents) are, as its reader carries them.
struct EventOrigin {
  uint64_t id = 0;        // the source's name for the stream: acknowledgements come back by it
  uint64_t file_key = 0;  // BatchSource::file_key (file_key.h); 0 until the first event
  std::string path;       // log.file.path
  uint64_t batch_generation = 0;  // the batch this stream last added a BatchSource to
  uint32_t batch_source = 0;      // the index of that BatchSource
};

class BatchFiller {
 public:
  // `tracker` (may be null: no acknowledgements wanted) registers every batch emitted.
  BatchFiller(SourceContext& ctx, Clock& clock, const std::atomic<bool>& stop, AckTracker* tracker,
              std::function<void()> while_waiting = {});
  BatchFiller(const BatchFiller&) = delete;
  BatchFiller& operator=(const BatchFiller&) = delete;

  // Makes sure there is a batch to add to; false when stopping (then nothing may be added).
  bool Ensure();
  // Events added from now on carry the current time as their read time.
  void StampReadTime() { read_time_ns_ = clock_.NowUnixNanos(); }
  int64_t NowMonotonic() const { return clock_.MonotonicNanos(); }
  // Appends one event of `origin`'s stream: `text` at file offset `offset`, the next line at
  // `next`. REQUIRES: Ensure() returned true since the last Emit, and origin.file_key set.
  void Add(EventOrigin& origin, std::string_view text, uint64_t offset, uint64_t next,
           uint32_t tags);
  bool Full() const {
    return batch_->events().size() >= ctx_.batch_max_events() ||
           batch_->payload_bytes() >= ctx_.batch_max_bytes();
  }
  bool has_batch() const { return static_cast<bool>(batch_); }
  // Hands the batch to the pipeline (may block: back-pressure); nothing when it is empty.
  void Emit();
  // Emits the batch if it has held events for the pipeline's batch timeout.
  void EmitIfOld();
  // When EmitIfOld will emit the batch (monotonic); kNoDeadline while it holds no event.
  int64_t deadline_ns() const;
  static constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();
  // Gives the (empty) batch back: the pipeline counts batches in use to know all was delivered.
  void Release() { batch_.reset(); }
  uint64_t events() const { return events_.load(std::memory_order_relaxed); }

 private:
  SourceContext& ctx_;
  Clock& clock_;
  const std::atomic<bool>& stop_;
  AckTracker* tracker_;
  std::function<void()> while_waiting_;
  MutableBatch batch_{nullptr, BatchPool::Returner{}};
  uint64_t generation_ = 0;
  int64_t started_ns_ = 0;  // monotonic time of the batch's first event
  int64_t read_time_ns_ = 0;
  std::atomic<uint64_t> events_{0};
};

}  // namespace logship
