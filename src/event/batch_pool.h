// SPDX-License-Identifier: Apache-2.0
#pragma once

// BatchPool owns a fixed number of batches and lends them out. Acquire() blocks while all are in
// use: that is what bounds a pipeline's memory, since every batch in flight (being filled, queued
// at a sink, or awaiting an acknowledgement) is one of them. A frozen batch goes back to the pool
// when the last sink releases it. Thread-safe. The pool must outlive every batch it lent.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "src/base/thread_annotations.h"
#include "src/event/batch.h"

namespace logship {

class BatchPool {
 public:
  struct Returner {
    BatchPool* pool = nullptr;
    void operator()(Batch* b) const { pool->Release(b); }
  };
  using MutableBatch = std::unique_ptr<Batch, Returner>;

  explicit BatchPool(size_t max_batches);
  ~BatchPool();
  BatchPool(const BatchPool&) = delete;
  BatchPool& operator=(const BatchPool&) = delete;

  // Returns an empty batch, waiting up to `timeout_ms` for one to come back; nullptr on timeout or
  // after Cancel().
  MutableBatch Acquire(int64_t timeout_ms);
  // Wakes and fails every waiting and future Acquire (shutdown).
  void Cancel();

  // Shares a filled batch read-only; it returns to this pool when the last copy is released. An
  // empty handle gives an empty pointer.
  static BatchPtr Freeze(MutableBatch batch);

  size_t max_batches() const { return max_batches_; }
  size_t in_use() const;

 private:
  void Release(Batch* b);

  const size_t max_batches_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Batch>> owned_ LOGSHIP_GUARDED_BY(mu_);
  std::vector<Batch*> free_ LOGSHIP_GUARDED_BY(mu_);
  bool cancelled_ LOGSHIP_GUARDED_BY(mu_) = false;
};

using MutableBatch = BatchPool::MutableBatch;

}  // namespace logship
