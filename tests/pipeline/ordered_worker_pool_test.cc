// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/ordered_worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "tests/testing/wait_until.h"

namespace logship {
namespace {

using testing::WaitUntil;

// What the workers did, for the assertions.
struct Record {
  std::mutex mu;
  std::vector<uint64_t> delivered;  // Batch::sequence, in delivery order
  std::set<size_t> workers_used;
  int in_delivery = 0;
  int max_in_delivery = 0;
};

MutableBatch Numbered(BatchPool& pool, uint64_t n) {
  MutableBatch b = pool.Acquire(60'000);
  EXPECT_NE(b, nullptr);
  if (b) b->sequence = n;
  return b;
}

TEST(OrderedWorkerPoolTest, DeliversInSubmissionOrderWhenALaterBatchFinishesFirst) {
  BatchPool batches(8);
  Record rec;
  std::atomic<bool> second_processed{false};
  OrderedWorkerPool pool(
      2, "test",
      [&](size_t worker, Batch& b) {
        {
          std::lock_guard<std::mutex> lock(rec.mu);
          rec.workers_used.insert(worker);
        }
        // Batch 0 finishes only after batch 1 did, on the other worker.
        if (b.sequence == 0) {
          ASSERT_TRUE(WaitUntil([&] { return second_processed.load(); }));
        }
        if (b.sequence == 1) second_processed = true;
      },
      [&](MutableBatch b) {
        std::lock_guard<std::mutex> lock(rec.mu);
        rec.delivered.push_back(b->sequence);
      });
  pool.Submit(Numbered(batches, 0));
  pool.Submit(Numbered(batches, 1));
  ASSERT_TRUE(WaitUntil([&] { return pool.pending() == 0; }));
  pool.Stop();
  EXPECT_EQ(rec.delivered, (std::vector<uint64_t>{0, 1}));
  EXPECT_EQ(rec.workers_used.size(), 2u);
  EXPECT_EQ(batches.in_use(), 0u) << "every delivered batch was released";
}

TEST(OrderedWorkerPoolTest, ManyBatchesFromManyThreadsKeepEachThreadsOrder) {
  const int kThreads = 3;
  const uint64_t kPerThread = 2000;
  BatchPool batches(16);
  Record rec;
  OrderedWorkerPool pool(
      4, "test",
      [&](size_t, Batch& b) {
        // Uneven work, so that workers overtake each other.
        volatile uint64_t spin = 0;
        for (uint64_t i = 0; i < (b.sequence * 7919) % 5000; ++i) spin = spin + i;
      },
      [&](MutableBatch b) {
        std::lock_guard<std::mutex> lock(rec.mu);
        rec.max_in_delivery = std::max(rec.max_in_delivery, ++rec.in_delivery);
        rec.delivered.push_back(b->sequence);
        --rec.in_delivery;
      });
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&, t] {
      for (uint64_t i = 0; i < kPerThread; ++i) {
        pool.Submit(Numbered(batches, static_cast<uint64_t>(t) * 1'000'000 + i));
      }
    });
  }
  for (std::thread& t : producers) t.join();
  ASSERT_TRUE(WaitUntil([&] { return pool.pending() == 0; }));
  pool.Stop();
  ASSERT_EQ(rec.delivered.size(), kThreads * kPerThread);
  std::vector<uint64_t> next(kThreads, 0);
  for (uint64_t seq : rec.delivered) {
    uint64_t t = seq / 1'000'000;
    ASSERT_EQ(seq % 1'000'000, next[t]) << "producer " << t << " out of order";
    ++next[t];
  }
  EXPECT_EQ(rec.max_in_delivery, 1);
  EXPECT_EQ(batches.in_use(), 0u);
}

TEST(OrderedWorkerPoolTest, StopReleasesWhatIsQueuedUndelivered) {
  BatchPool batches(64);
  Record rec;
  std::atomic<bool> release_first{false};
  std::atomic<bool> first_started{false};
  OrderedWorkerPool pool(
      2, "test",
      [&](size_t, Batch& b) {
        if (b.sequence == 0) {
          first_started = true;
          ASSERT_TRUE(WaitUntil([&] { return release_first.load(); }));
        }
      },
      [&](MutableBatch b) {
        std::lock_guard<std::mutex> lock(rec.mu);
        rec.delivered.push_back(b->sequence);
      });
  for (uint64_t i = 0; i < 5; ++i) pool.Submit(Numbered(batches, i));
  ASSERT_TRUE(WaitUntil([&] { return first_started.load(); }));
  std::thread stopper([&] { pool.Stop(); });
  // Once Stop has begun, a submitted batch comes straight back to the pool.
  ASSERT_TRUE(WaitUntil([&] {
    size_t before = batches.in_use();
    pool.Submit(Numbered(batches, 100));
    return batches.in_use() == before;
  }));
  release_first = true;
  stopper.join();
  // Batch 0 was being processed when Stop came: it, and everything behind it, is released
  // undelivered (unacknowledged, so read again next run).
  EXPECT_TRUE(rec.delivered.empty());
  EXPECT_EQ(batches.in_use(), 0u);
  EXPECT_EQ(pool.pending(), 0u);
}

}  // namespace
}  // namespace logship
