// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/sink_worker.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "src/base/check.h"

namespace logship {

SinkWorker::SinkWorker(size_t queue_batches, Clock& clock, Gauge* queue_gauge)
    : clock_(clock), queue_gauge_(queue_gauge), queue_(queue_batches) {}

SinkWorker::~SinkWorker() {
  LOGSHIP_CHECK(!thread_.joinable()) << "sink worker destroyed while its loop runs: Stop() first";
}

void SinkWorker::Start(std::function<void()> loop, std::function<void()> wake) {
  LOGSHIP_CHECK(!thread_.joinable()) << "sink worker started twice";
  wake_ = std::move(wake);
  thread_ = std::thread(std::move(loop));
}

bool SinkWorker::Submit(BatchPtr batch, AckHandle ack) {
  QueuedBatch item{std::move(batch), ack};
  // Counted before Push so that the loop's decrement can never come first and show -1.
  if (queue_gauge_ != nullptr) queue_gauge_->Add(1);
  if (queue_.Push(item)) return true;
  // Only after Stop; `item` still holds the batch and releases it on return.
  if (queue_gauge_ != nullptr) queue_gauge_->Add(-1);
  return false;
}

size_t SinkWorker::Stop(int64_t deadline_ns) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_requested_ = true;
    deadline_ns_ = deadline_ns;
    ++wakeups_;
  }
  cv_.notify_all();
  queue_.Close();
  if (wake_ != nullptr) wake_();
  if (thread_.joinable()) thread_.join();
  // What is still queued missed the deadline: released here, so the pool gets the batches back
  // now and their lines are read again next run.
  std::vector<QueuedBatch> left;
  size_t n = queue_.PopAll(&left, std::numeric_limits<size_t>::max(), 0);
  if (queue_gauge_ != nullptr) queue_gauge_->Add(-static_cast<int64_t>(n));
  return n;
}

size_t SinkWorker::Pop(std::vector<QueuedBatch>* out, size_t max, int64_t timeout_ms) {
  size_t n = queue_.PopAll(out, max, timeout_ms);
  if (n > 0 && queue_gauge_ != nullptr) queue_gauge_->Add(-static_cast<int64_t>(n));
  return n;
}

SinkWorker::StopRequest SinkWorker::stop_request() const {
  std::lock_guard<std::mutex> lock(mu_);
  return StopRequest{stop_requested_, deadline_ns_};
}

bool SinkWorker::DeadlinePassed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_requested_ && clock_.MonotonicNanos() >= deadline_ns_;
}

bool SinkWorker::Wait(int64_t delay_ns) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stop_requested_) {
    int64_t left = deadline_ns_ - clock_.MonotonicNanos();
    if (left <= 0) return false;
    delay_ns = std::min(delay_ns, left);
  }
  if (delay_ns > 0) {
    uint64_t seen = wakeups_;
    cv_.wait_for(lock, std::chrono::nanoseconds(delay_ns), [&] { return wakeups_ != seen; });
  }
  return !(stop_requested_ && clock_.MonotonicNanos() >= deadline_ns_);
}

void SinkWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wakeups_;
  }
  cv_.notify_all();
}

}  // namespace logship
