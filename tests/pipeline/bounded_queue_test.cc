// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/bounded_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "tests/testing/wait_until.h"

namespace logship {
namespace {

constexpr int64_t kForever = 60'000;  // ms; a safety net only

TEST(BoundedQueueTest, FifoUpToCapacity) {
  BoundedQueue<int> q(3);
  EXPECT_EQ(q.capacity(), 3u);
  for (int i = 1; i <= 3; ++i) {
    int v = i;
    ASSERT_TRUE(q.Push(v));
  }
  EXPECT_EQ(q.size(), 3u);
  std::vector<int> out = {0};
  EXPECT_EQ(q.PopAll(&out, 2, 0), 2u);
  EXPECT_EQ(out, (std::vector<int>{0, 1, 2}));  // appended
  EXPECT_EQ(q.PopAll(&out, 10, 0), 1u);
  EXPECT_EQ(out, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(q.size(), 0u);
}

TEST(BoundedQueueTest, PopOnEmptyTimesOutWithNothing) {
  BoundedQueue<int> q(1);
  std::vector<int> out;
  EXPECT_EQ(q.PopAll(&out, 10, 0), 0u);
  EXPECT_EQ(q.PopAll(&out, 10, 1), 0u);
  EXPECT_TRUE(out.empty());
}

TEST(BoundedQueueTest, PushBlocksWhileFullUntilAPop) {
  BoundedQueue<int> q(2);
  int a = 1, b = 2;
  ASSERT_TRUE(q.Push(a));
  ASSERT_TRUE(q.Push(b));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    int c = 3;
    pushed = q.Push(c);
  });
  EXPECT_FALSE(pushed.load());  // full: the producer cannot have got in
  EXPECT_EQ(q.size(), 2u);
  std::vector<int> out;
  EXPECT_EQ(q.PopAll(&out, 1, 0), 1u);
  EXPECT_TRUE(testing::WaitUntil([&] { return pushed.load(); }));
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(q.PopAll(&out, 10, 0), 2u);
  EXPECT_EQ(out, (std::vector<int>{1, 2, 3}));
}

TEST(BoundedQueueTest, PopWaitsForThePush) {
  BoundedQueue<int> q(2);
  std::vector<int> out;
  std::thread consumer([&] { q.PopAll(&out, 10, kForever); });
  int v = 7;
  ASSERT_TRUE(q.Push(v));
  consumer.join();
  EXPECT_EQ(out, (std::vector<int>{7}));
}

TEST(BoundedQueueTest, ClosedQueueRejectsPushesAndLeavesTheItem) {
  BoundedQueue<std::unique_ptr<int>> q(4);
  auto first = std::make_unique<int>(1);
  ASSERT_TRUE(q.Push(first));
  EXPECT_EQ(first, nullptr);  // moved in
  q.Close();
  EXPECT_TRUE(q.closed());
  auto second = std::make_unique<int>(2);
  EXPECT_FALSE(q.Push(second));
  ASSERT_NE(second, nullptr);  // untouched: the caller still owns it
  EXPECT_EQ(*second, 2);
  EXPECT_EQ(q.size(), 1u);
}

TEST(BoundedQueueTest, PopsDrainWhatIsLeftAfterClose) {
  BoundedQueue<int> q(4);
  for (int i = 0; i < 3; ++i) {
    int v = i;
    ASSERT_TRUE(q.Push(v));
  }
  q.Close();
  std::vector<int> out;
  EXPECT_EQ(q.PopAll(&out, 2, kForever), 2u);
  EXPECT_EQ(q.PopAll(&out, 2, kForever), 1u);
  EXPECT_EQ(out, (std::vector<int>{0, 1, 2}));
  // Closed and empty: returns at once, however long the timeout.
  EXPECT_EQ(q.PopAll(&out, 2, kForever), 0u);
}

TEST(BoundedQueueTest, CloseWakesABlockedPusher) {
  BoundedQueue<std::unique_ptr<int>> q(1);
  auto filler = std::make_unique<int>(0);
  ASSERT_TRUE(q.Push(filler));
  std::atomic<bool> returned{false};
  bool result = true;
  std::unique_ptr<int> blocked = std::make_unique<int>(9);
  std::thread producer([&] {
    result = q.Push(blocked);
    returned = true;
  });
  EXPECT_FALSE(returned.load());
  q.Close();
  producer.join();
  EXPECT_FALSE(result);
  ASSERT_NE(blocked, nullptr);
  EXPECT_EQ(*blocked, 9);
  EXPECT_EQ(q.size(), 1u);
}

TEST(BoundedQueueTest, CloseWakesABlockedPopper) {
  BoundedQueue<int> q(1);
  std::atomic<bool> returned{false};
  size_t got = 99;
  std::vector<int> out;
  std::thread consumer([&] {
    got = q.PopAll(&out, 10, kForever);
    returned = true;
  });
  EXPECT_FALSE(returned.load());
  q.Close();
  consumer.join();
  EXPECT_EQ(got, 0u);
  EXPECT_TRUE(out.empty());
}

// Several producers and consumers through a small queue: every item arrives exactly once, each
// producer's items in order, and the queue never holds more than its capacity.
TEST(BoundedQueueTest, ManyProducersAndConsumers) {
  constexpr size_t kCapacity = 8;
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 20000;
  BoundedQueue<int> q(kCapacity);
  std::atomic<bool> over_capacity{false};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        int v = p * kPerProducer + i;
        if (!q.Push(v)) return;
        if (q.size() > kCapacity) over_capacity = true;
      }
    });
  }
  std::vector<std::vector<int>> received(2);
  std::vector<std::thread> consumers;
  for (int c = 0; c < 2; ++c) {
    consumers.emplace_back([&, c] {
      std::vector<int> batch;
      for (;;) {
        batch.clear();
        size_t n = q.PopAll(&batch, 5, kForever);
        if (n == 0) return;  // closed and drained
        if (n > 5) over_capacity = true;
        received[static_cast<size_t>(c)].insert(received[static_cast<size_t>(c)].end(),
                                                batch.begin(), batch.end());
      }
    });
  }
  for (std::thread& t : producers) t.join();
  q.Close();
  for (std::thread& t : consumers) t.join();
  EXPECT_FALSE(over_capacity.load());
  std::vector<int> seen(kProducers * kPerProducer, 0);
  for (const std::vector<int>& r : received) {
    std::vector<int> last(kProducers, -1);
    for (int v : r) {
      ++seen[static_cast<size_t>(v)];
      int p = v / kPerProducer;
      EXPECT_LT(last[static_cast<size_t>(p)], v) << "producer " << p << " reordered";
      last[static_cast<size_t>(p)] = v;
    }
  }
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], 1) << "item " << i;
}

}  // namespace
}  // namespace logship
