// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/ordered_worker_pool.h"

#include <pthread.h>

#include <utility>

#include "src/base/check.h"

namespace logship {

OrderedWorkerPool::OrderedWorkerPool(size_t workers, std::string name, ProcessFn process,
                                     DeliverFn deliver)
    : process_(std::move(process)), deliver_(std::move(deliver)) {
  LOGSHIP_CHECK(workers >= 1) << "a worker pool needs at least one worker";
  threads_.reserve(workers);
  for (size_t i = 0; i < workers; ++i) {
    threads_.emplace_back([this, i] { Loop(i); });
    // The kernel keeps 15 bytes of a thread's name: the end (the index) matters most in `top -H`.
    std::string thread_name = name + "-" + std::to_string(i);
    if (thread_name.size() > 15) thread_name = thread_name.substr(thread_name.size() - 15);
    ::pthread_setname_np(threads_.back().native_handle(), thread_name.c_str());
  }
}

OrderedWorkerPool::~OrderedWorkerPool() { Stop(); }

void OrderedWorkerPool::Submit(MutableBatch batch) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) {
    lock.unlock();
    batch.reset();  // outside the lock: releasing wakes the batch pool's waiters
    return;
  }
  queue_.push_back(Item{next_ticket_++, std::move(batch)});
  lock.unlock();
  work_cv_.notify_one();
}

uint64_t OrderedWorkerPool::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_ticket_ - next_turn_;
}

void OrderedWorkerPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void OrderedWorkerPool::Loop(size_t worker) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    // Once stopping, the workers still take every queued item, in order, so that every ticket
    // is accounted for and pending() drops to 0.
    if (queue_.empty()) return;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    if (!stopping_) {
      lock.unlock();
      process_(worker, *item.batch);
      lock.lock();
    } else {
      item.batch.reset();
    }
    parked_.emplace(item.ticket, std::move(item.batch));
    if (delivering_) continue;  // the worker delivering will find it
    delivering_ = true;
    for (auto it = parked_.find(next_turn_); it != parked_.end(); it = parked_.find(next_turn_)) {
      MutableBatch batch = std::move(it->second);
      parked_.erase(it);
      bool discard = stopping_;
      lock.unlock();
      // Outside the lock: delivery may block on a full sink, and releasing a batch wakes the
      // batch pool's waiters.
      if (batch != nullptr && !discard) {
        deliver_(std::move(batch));
      } else {
        batch.reset();
      }
      lock.lock();
      ++next_turn_;
    }
    delivering_ = false;
  }
}

}  // namespace logship
