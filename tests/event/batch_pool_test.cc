// SPDX-License-Identifier: Apache-2.0
#include "src/event/batch_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "tests/testing/wait_until.h"

namespace logship {
namespace {

constexpr int64_t kForever = 60'000;  // ms; a safety net, never reached when the code is right

TEST(BatchPoolTest, LendsUpToMaxBatchesThenFailsWithoutWaiting) {
  BatchPool pool(3);
  EXPECT_EQ(pool.max_batches(), 3u);
  EXPECT_EQ(pool.in_use(), 0u);
  std::vector<MutableBatch> held;
  std::set<Batch*> distinct;
  for (int i = 0; i < 3; ++i) {
    held.push_back(pool.Acquire(0));
    ASSERT_NE(held.back(), nullptr);
    distinct.insert(held.back().get());
    EXPECT_EQ(pool.in_use(), static_cast<size_t>(i + 1));
  }
  EXPECT_EQ(distinct.size(), 3u);
  EXPECT_EQ(pool.Acquire(0), nullptr);
  EXPECT_EQ(pool.Acquire(1), nullptr);  // times out
  held.pop_back();
  EXPECT_EQ(pool.in_use(), 2u);
  MutableBatch again = pool.Acquire(0);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(distinct.count(again.get()), 1u);  // the returned batch, not a new one
}

TEST(BatchPoolTest, ReturnedBatchesComeBackCleared) {
  BatchPool pool(1);
  {
    MutableBatch b = pool.Acquire(0);
    ASSERT_NE(b, nullptr);
    b->host_name = "h";
    b->sequence = 5;
    Event& e = b->AddEvent();
    e.message = b->arena().Copy("payload");
    b->AddField(e, "k", Value::Int(1));
    b->sources().push_back(BatchSource{1, "p", 2});
  }
  MutableBatch b = pool.Acquire(0);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->events().empty());
  EXPECT_TRUE(b->fields().empty());
  EXPECT_TRUE(b->sources().empty());
  EXPECT_TRUE(b->host_name.empty());
  EXPECT_EQ(b->sequence, 0u);
  EXPECT_EQ(b->payload_bytes(), 0u);
}

TEST(BatchPoolTest, FrozenBatchReturnsWhenTheLastCopyIsReleased) {
  BatchPool pool(1);
  MutableBatch m = pool.Acquire(0);
  ASSERT_NE(m, nullptr);
  m->AddEvent().message = "x";
  const Batch* raw = m.get();
  BatchPtr a = BatchPool::Freeze(std::move(m));
  EXPECT_EQ(m, nullptr);
  EXPECT_EQ(a.get(), raw);
  EXPECT_EQ(a->events().size(), 1u);
  BatchPtr b = a;
  BatchPtr c = a;
  a.reset();
  b.reset();
  EXPECT_EQ(pool.in_use(), 1u);
  EXPECT_EQ(pool.Acquire(0), nullptr);
  c.reset();
  EXPECT_EQ(pool.in_use(), 0u);
  MutableBatch again = pool.Acquire(0);
  EXPECT_EQ(again.get(), raw);
}

TEST(BatchPoolTest, FreezingAnEmptyHandleGivesAnEmptyPointer) {
  BatchPool pool(1);
  MutableBatch none = pool.Acquire(0);
  ASSERT_NE(none, nullptr);
  MutableBatch failed = pool.Acquire(0);  // pool exhausted: an empty handle
  ASSERT_EQ(failed, nullptr);
  BatchPtr p = BatchPool::Freeze(std::move(failed));
  EXPECT_EQ(p, nullptr);
  p.reset();  // must not hand a null batch back to the pool
  EXPECT_EQ(pool.in_use(), 1u);
}

TEST(BatchPoolTest, BlockedAcquireWakesWhenAFrozenBatchIsReleased) {
  BatchPool pool(1);
  MutableBatch m = pool.Acquire(0);
  ASSERT_NE(m, nullptr);
  m->AddEvent().message = "in flight";
  const Batch* raw = m.get();
  BatchPtr frozen = BatchPool::Freeze(std::move(m));

  std::atomic<bool> returned{false};
  const Batch* got = nullptr;
  bool got_empty = false;
  std::thread waiter([&] {
    MutableBatch b = pool.Acquire(kForever);
    got = b.get();
    got_empty = b != nullptr && b->events().empty();
    returned = true;
  });
  // The only batch is in flight, so the waiter cannot have got one yet.
  EXPECT_FALSE(returned.load());
  frozen.reset();  // the last sink lets go
  EXPECT_TRUE(testing::WaitUntil([&] { return returned.load(); }));
  waiter.join();
  EXPECT_EQ(got, raw);
  EXPECT_TRUE(got_empty);
}

TEST(BatchPoolTest, CancelWakesEveryWaiterAndFailsLaterAcquires) {
  BatchPool pool(1);
  MutableBatch held = pool.Acquire(0);
  ASSERT_NE(held, nullptr);
  constexpr int kWaiters = 4;
  std::atomic<int> returned{0};
  std::atomic<int> got_batch{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([&] {
      MutableBatch b = pool.Acquire(kForever);
      if (b != nullptr) ++got_batch;
      ++returned;
    });
  }
  EXPECT_EQ(returned.load(), 0);
  pool.Cancel();
  EXPECT_TRUE(testing::WaitUntil([&] { return returned.load() == kWaiters; }));
  for (std::thread& t : waiters) t.join();
  EXPECT_EQ(got_batch.load(), 0);
  held.reset();
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_EQ(pool.Acquire(0), nullptr);  // cancelled for good, even with a free batch
}

// Producers and releasers on several threads: never more than max_batches lent at once, and
// everything comes back.
TEST(BatchPoolTest, ConcurrentAcquireFreezeRelease) {
  constexpr size_t kMax = 3;
  BatchPool pool(kMax);
  std::atomic<int> lent{0};
  std::atomic<int> max_seen{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        MutableBatch b = pool.Acquire(kForever);
        if (b == nullptr) {
          failed = true;  // with no Cancel, a forever wait must succeed
          return;
        }
        if (!b->events().empty()) failed = true;  // came back without being cleared
        int now = ++lent;
        int seen = max_seen.load();
        while (now > seen && !max_seen.compare_exchange_weak(seen, now)) {
        }
        b->AddEvent().offset = static_cast<uint64_t>(t * 1000 + i);
        --lent;
        if (i % 2 == 0) {
          BatchPtr shared = BatchPool::Freeze(std::move(b));
          BatchPtr copy = shared;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_FALSE(failed.load());
  EXPECT_LE(max_seen.load(), static_cast<int>(kMax));
  EXPECT_EQ(pool.in_use(), 0u);
}

}  // namespace
}  // namespace logship
