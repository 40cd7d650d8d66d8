// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/ack_tracker.h"

#include <chrono>

#include "src/base/check.h"

namespace logship {

void AckHandle::Done(AckStatus status) const {
  if (tracker_ != nullptr) tracker_->Done(sequence_, status);
}

namespace {
int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

AckTracker::AckTracker(int acks_per_batch, Histogram* latency)
    : acks_per_batch_(acks_per_batch), latency_(latency), ring_(16) {
  LOGSHIP_CHECK(acks_per_batch > 0);
}

AckTracker::Slot& AckTracker::SlotFor(uint64_t sequence) { return ring_[sequence % ring_.size()]; }

uint64_t AckTracker::Register(std::span<const BatchSource> sources) {
  std::lock_guard<std::mutex> lock(mu_);
  if (next_ - head_ == ring_.size()) {
    // Grow the ring, keeping each in-flight slot at sequence % size.
    std::vector<Slot> bigger(ring_.size() * 2);
    for (uint64_t s = head_; s < next_; ++s) bigger[s % bigger.size()] = std::move(SlotFor(s));
    ring_.swap(bigger);
  }
  uint64_t seq = next_++;
  Slot& slot = SlotFor(seq);
  slot.sequence = seq;
  slot.remaining = acks_per_batch_;
  slot.registered_ns = latency_ != nullptr ? SteadyNanos() : 0;
  slot.status = AckStatus::kDelivered;
  slot.positions.clear();
  for (const BatchSource& s : sources) slot.positions.push_back({s.file_id, s.end_offset});
  return seq;
}

void AckTracker::Done(uint64_t sequence, AckStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  LOGSHIP_CHECK(sequence >= head_ && sequence < next_) << "ack for unknown batch " << sequence;
  Slot& slot = SlotFor(sequence);
  LOGSHIP_CHECK(slot.remaining > 0) << "batch " << sequence << " acknowledged too often";
  if (status > slot.status) slot.status = status;
  if (--slot.remaining != 0) return;
  if (latency_ != nullptr) {
    latency_->Observe(static_cast<double>(SteadyNanos() - slot.registered_ns) / 1e9);
  }
  if (sequence == head_) CommitPrefix();
}

void AckTracker::CommitPrefix() {
  while (head_ < next_ && SlotFor(head_).remaining == 0) {
    Slot& slot = SlotFor(head_);
    committed_.insert(committed_.end(), slot.positions.begin(), slot.positions.end());
    if (slot.status == AckStatus::kRejected) ++rejected_batches_;
    ++committed_batches_;
    ++head_;
  }
  if (head_ == next_) idle_cv_.notify_all();
}

size_t AckTracker::TakeCommitted(std::vector<CommittedPosition>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  out->insert(out->end(), committed_.begin(), committed_.end());
  committed_.clear();
  size_t n = committed_batches_;
  committed_batches_ = 0;
  return n;
}

size_t AckTracker::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<size_t>(next_ - head_);
}

bool AckTracker::WaitIdle(int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [this] { return head_ == next_; });
}

uint64_t AckTracker::rejected_batches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rejected_batches_;
}

}  // namespace logship
