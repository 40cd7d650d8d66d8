// SPDX-License-Identifier: Apache-2.0
#pragma once

// OrderedWorkerPool processes batches on N threads and delivers them in the order they were
// submitted, whatever order the threads finish in, so per-file order at the sinks is the order
// the files were read. Processing runs concurrently (the caller gives each worker its own state,
// by index). A batch finished ahead of its turn is parked and its worker takes the next one; the
// worker that finishes the batch whose turn it is delivers it and every parked batch after it, so
// delivery runs on one thread at a time, in order. Submit never blocks: the caller's batch pool
// already bounds how many batches exist, and a parked batch is one of them.
// Threads: Submit from any thread; Stop from one thread, once, after which Submit releases what
// it is given.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "src/base/thread_annotations.h"
#include "src/event/batch_pool.h"

namespace logship {

class OrderedWorkerPool {
 public:
  // Runs on worker `worker` (0..workers-1), concurrently with the other workers.
  using ProcessFn = std::function<void(size_t worker, Batch& batch)>;
  // Runs in submission order, never concurrently with itself. May block (back-pressure).
  using DeliverFn = std::function<void(MutableBatch batch)>;

  // Starts `workers` threads, named "<name>-<i>" (truncated to what the kernel keeps).
  OrderedWorkerPool(size_t workers, std::string name, ProcessFn process, DeliverFn deliver);
  ~OrderedWorkerPool();
  OrderedWorkerPool(const OrderedWorkerPool&) = delete;
  OrderedWorkerPool& operator=(const OrderedWorkerPool&) = delete;

  // Queues a batch for processing. After Stop the batch is released unprocessed (unacknowledged:
  // its lines are read again next run).
  void Submit(MutableBatch batch);
  // Batches submitted and not yet delivered (or released by Stop).
  uint64_t pending() const;
  // Releases, unprocessed and undelivered, what is still queued, and joins the threads. A batch
  // being delivered finishes its delivery first, so the caller stops what delivery may block on
  // (the sinks) before calling this. A second call does nothing.
  void Stop();

  size_t workers() const { return threads_.size(); }

 private:
  struct Item {
    uint64_t ticket = 0;
    MutableBatch batch;
  };
  void Loop(size_t worker);

  ProcessFn process_;
  DeliverFn deliver_;
  std::vector<std::thread> threads_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // an item was queued, or stopping
  std::deque<Item> queue_ LOGSHIP_GUARDED_BY(mu_);
  // Processed batches waiting for their turn, by ticket; an empty batch for one released
  // unprocessed (stopping).
  std::map<uint64_t, MutableBatch> parked_ LOGSHIP_GUARDED_BY(mu_);
  bool delivering_ LOGSHIP_GUARDED_BY(mu_) = false;   // a worker is delivering parked batches
  uint64_t next_ticket_ LOGSHIP_GUARDED_BY(mu_) = 0;  // given to the next submitted batch
  uint64_t next_turn_ LOGSHIP_GUARDED_BY(mu_) = 0;    // the ticket whose delivery is next
  bool stopping_ LOGSHIP_GUARDED_BY(mu_) = false;
};

}  // namespace logship
