// SPDX-License-Identifier: Apache-2.0
#pragma once

// BoundedQueue is a blocking FIFO of at most `capacity` items. Push blocks while it is full, which
// is how a slow sink slows its pipeline's readers (back-pressure). Close() wakes everyone: pushes
// fail from then on, pops drain what is left. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "src/base/thread_annotations.h"

namespace logship {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  // Blocks while full. Returns false (and drops nothing: `item` is untouched) once closed.
  bool Push(T& item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [this] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Moves up to `max` items into `out`, waiting up to `timeout_ms` for the first one. Returns the
  // number taken; 0 on timeout or when closed and empty.
  size_t PopAll(std::vector<T>* out, size_t max, int64_t timeout_ms) {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                        [this] { return closed_ || !items_.empty(); });
    size_t n = 0;
    while (!items_.empty() && n < max) {
      out->push_back(std::move(items_.front()));
      items_.pop_front();
      ++n;
    }
    if (n > 0) not_full_.notify_all();
    return n;
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  bool closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_ LOGSHIP_GUARDED_BY(mu_);
  bool closed_ LOGSHIP_GUARDED_BY(mu_) = false;
};

}  // namespace logship
