// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/sink_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "src/pipeline/ack_tracker.h"
#include "tests/testing/wait_until.h"

namespace logship {
namespace {

constexpr int64_t kMinute = 60'000'000'000;

int64_t Now() { return RealClock().MonotonicNanos(); }

// A batch registered with `tracker`, so a test can tell whether anyone acknowledged it.
QueuedBatch NewBatch(AckTracker& tracker) {
  auto batch = std::make_shared<Batch>();
  return QueuedBatch{batch, AckHandle(&tracker, tracker.Register({}))};
}

TEST(SinkWorkerTest, LoopPopsWhatIsSubmittedUntilTheQueueCloses) {
  Gauge gauge;
  SinkWorker worker(4, RealClock(), &gauge);
  std::atomic<int> popped{0};
  worker.Start([&] {
    std::vector<QueuedBatch> got;
    while (true) {
      got.clear();
      size_t n = worker.Pop(&got, 10, 1000);
      popped += static_cast<int>(n);
      if (n == 0 && worker.closed()) return;
    }
  });
  EXPECT_TRUE(worker.running());
  AckTracker tracker(1);
  for (int i = 0; i < 3; ++i) {
    QueuedBatch b = NewBatch(tracker);
    ASSERT_TRUE(worker.Submit(b.batch, b.ack));
  }
  ASSERT_TRUE(testing::WaitUntil([&] { return popped.load() == 3; }));
  EXPECT_EQ(worker.Stop(Now() + kMinute), 0u);
  EXPECT_FALSE(worker.running());
  EXPECT_EQ(gauge.value(), 0);
}

TEST(SinkWorkerTest, StopReleasesWhatIsStillQueuedUnacknowledged) {
  Gauge gauge;
  SinkWorker worker(4, RealClock(), &gauge);
  // A loop that takes nothing: it only waits for the deadline.
  worker.Start([&] {
    while (worker.Wait(kMinute)) {
    }
  });
  AckTracker tracker(1);
  std::vector<std::weak_ptr<const Batch>> submitted;
  for (int i = 0; i < 2; ++i) {
    QueuedBatch b = NewBatch(tracker);
    submitted.push_back(b.batch);
    ASSERT_TRUE(worker.Submit(std::move(b.batch), b.ack));
  }
  EXPECT_EQ(gauge.value(), 2);
  EXPECT_EQ(worker.Stop(Now()), 2u);
  EXPECT_EQ(gauge.value(), 0);
  for (const auto& b : submitted) EXPECT_TRUE(b.expired()) << "back to the pool at Stop";
  EXPECT_EQ(tracker.in_flight(), 2u) << "never acknowledged: read again next run";
  EXPECT_EQ(worker.Stop(Now()), 0u) << "a second Stop finds nothing";
}

TEST(SinkWorkerTest, SubmitAfterStopFailsAndReleasesTheBatch) {
  Gauge gauge;
  SinkWorker worker(4, RealClock(), &gauge);
  EXPECT_EQ(worker.Stop(Now()), 0u);
  AckTracker tracker(1);
  QueuedBatch b = NewBatch(tracker);
  std::weak_ptr<const Batch> weak = b.batch;
  EXPECT_FALSE(worker.Submit(std::move(b.batch), b.ack));
  EXPECT_TRUE(weak.expired());
  EXPECT_EQ(gauge.value(), 0);
  EXPECT_EQ(tracker.in_flight(), 1u);
}

TEST(SinkWorkerTest, GaugeCountsASubmitBlockedOnTheFullQueueAndStopUnblocksIt) {
  Gauge gauge;
  SinkWorker worker(1, RealClock(), &gauge);
  worker.Start([&] {
    while (worker.Wait(kMinute)) {
    }
  });
  AckTracker tracker(1);
  QueuedBatch first = NewBatch(tracker);
  ASSERT_TRUE(worker.Submit(first.batch, first.ack));
  std::atomic<bool> blocked_result{true};
  std::thread blocked([&] {
    QueuedBatch second = NewBatch(tracker);
    blocked_result = worker.Submit(second.batch, second.ack);
  });
  ASSERT_TRUE(testing::WaitUntil([&] { return gauge.value() == 2; }));
  EXPECT_EQ(worker.Stop(Now()), 1u);
  blocked.join();
  EXPECT_FALSE(blocked_result.load());
  EXPECT_EQ(gauge.value(), 0);
}

TEST(SinkWorkerTest, WaitEndsEarlyOnWakeAndReportsAPassedDeadline) {
  SinkWorker worker(1, RealClock(), nullptr);
  std::atomic<bool> returned{false};
  std::thread waker([&] {
    while (!returned.load()) {
      worker.Wake();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  EXPECT_TRUE(worker.Wait(kMinute)) << "woken, no deadline";
  returned = true;
  waker.join();
  EXPECT_FALSE(worker.DeadlinePassed());

  (void)worker.Stop(Now() + 20'000'000);  // never started: nothing to join
  EXPECT_FALSE(worker.Wait(kMinute)) << "ends at the deadline, not after a minute";
  EXPECT_TRUE(worker.DeadlinePassed());
  SinkWorker::StopRequest stop = worker.stop_request();
  EXPECT_TRUE(stop.requested);
}

TEST(SinkWorkerTest, StopCallsTheWakeHookOfALoopThatSleepsElsewhere) {
  SinkWorker worker(1, RealClock(), nullptr);
  std::atomic<bool> woken{false};
  // Stands for a loop blocked in another library's poll, which Wait cannot interrupt.
  worker.Start(
      [&] {
        while (!woken.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      },
      [&] { woken = true; });
  EXPECT_EQ(worker.Stop(Now() + kMinute), 0u);
  EXPECT_TRUE(woken.load());
}

}  // namespace
}  // namespace logship
