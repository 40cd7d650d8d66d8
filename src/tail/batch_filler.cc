// SPDX-License-Identifier: Apache-2.0
#include "src/tail/batch_filler.h"

#include <utility>

#include "src/pipeline/ack_tracker.h"

namespace logship {

BatchFiller::BatchFiller(SourceContext& ctx, Clock& clock, const std::atomic<bool>& stop,
                         AckTracker* tracker, std::function<void()> while_waiting)
    : ctx_(ctx),
      clock_(clock),
      stop_(stop),
      tracker_(tracker),
      while_waiting_(std::move(while_waiting)) {}

bool BatchFiller::Ensure() {
  while (!batch_) {
    if (stop_.load(std::memory_order_relaxed)) return false;
    batch_ = ctx_.AcquireBatch(100);
    if (!batch_) {
      if (while_waiting_) while_waiting_();
      continue;
    }
    ++generation_;
  }
  return true;
}

void BatchFiller::Add(EventOrigin& origin, std::string_view text, uint64_t offset, uint64_t next,
                      uint32_t tags) {
  Batch& b = *batch_;
  if (b.events().empty()) started_ns_ = clock_.MonotonicNanos();
  if (origin.batch_generation != generation_) {
    origin.batch_generation = generation_;
    origin.batch_source = static_cast<uint32_t>(b.sources().size());
    b.sources().push_back(
        BatchSource{origin.id, b.arena().Copy(origin.path), next, origin.file_key});
  }
  b.sources()[origin.batch_source].end_offset = next;
  Event& e = b.AddEvent();
  e.message = b.arena().Copy(text);
  e.timestamp_ns = read_time_ns_;
  e.offset = offset;
  e.source = origin.batch_source;
  e.tags = tags;
  events_.fetch_add(1, std::memory_order_relaxed);
}

void BatchFiller::Emit() {
  if (!batch_ || batch_->events().empty()) return;
  if (tracker_ != nullptr) {
    batch_->ack_tracker = tracker_;
    batch_->sequence = tracker_->Register(batch_->sources());
  }
  ctx_.Emit(std::move(batch_));
  batch_ = MutableBatch(nullptr, BatchPool::Returner{});
}

void BatchFiller::EmitIfOld() {
  if (batch_ && !batch_->events().empty() &&
      clock_.MonotonicNanos() - started_ns_ >= ctx_.batch_timeout_ns()) {
    Emit();
  }
}

int64_t BatchFiller::deadline_ns() const {
  if (!batch_ || batch_->events().empty()) return kNoDeadline;
  return started_ns_ + ctx_.batch_timeout_ns();
}

}  // namespace logship
