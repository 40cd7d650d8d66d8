// SPDX-License-Identifier: Apache-2.0
#include "src/event/batch_pool.h"

#include <chrono>

#include "src/base/check.h"

namespace logship {

BatchPool::BatchPool(size_t max_batches) : max_batches_(max_batches) {
  LOGSHIP_CHECK(max_batches > 0);
}

BatchPool::~BatchPool() {
  std::lock_guard<std::mutex> lock(mu_);
  LOGSHIP_CHECK(free_.size() == owned_.size()) << "batch pool destroyed with batches in flight";
}

BatchPool::MutableBatch BatchPool::Acquire(int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  auto ready = [this] { return cancelled_ || !free_.empty() || owned_.size() < max_batches_; };
  if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), ready) || cancelled_) {
    return MutableBatch(nullptr, Returner{this});
  }
  Batch* b;
  if (!free_.empty()) {
    b = free_.back();
    free_.pop_back();
  } else {
    // Batches are created lazily, so an idle pipeline holds only what it has needed.
    owned_.push_back(std::make_unique<Batch>());
    b = owned_.back().get();
  }
  return MutableBatch(b, Returner{this});
}

void BatchPool::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  cv_.notify_all();
}

BatchPtr BatchPool::Freeze(MutableBatch batch) {
  // shared_ptr, unlike unique_ptr, calls its deleter on a null pointer too: an empty handle (a
  // timed-out or cancelled Acquire) must not become a pointer whose release crashes the pool.
  if (batch == nullptr) return nullptr;
  Returner r = batch.get_deleter();
  Batch* b = batch.release();
  return BatchPtr(b, [r](const Batch* p) { r(const_cast<Batch*>(p)); });
}

void BatchPool::Release(Batch* b) {
  b->Clear();
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(b);
  cv_.notify_one();
}

size_t BatchPool::in_use() const {
  std::lock_guard<std::mutex> lock(mu_);
  return owned_.size() - free_.size();
}

}  // namespace logship
