// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/ack_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "src/pipeline/ack.h"
#include "tests/testing/wait_until.h"

namespace logship {
namespace {

constexpr int64_t kForever = 60'000;  // ms; a safety net only

uint64_t RegisterAt(AckTracker& t, uint64_t file_id, uint64_t end_offset) {
  BatchSource s{file_id, "", end_offset};
  return t.Register(std::span<const BatchSource>(&s, 1));
}

std::vector<uint64_t> TakeOffsets(AckTracker& t, size_t* batches = nullptr) {
  std::vector<CommittedPosition> out;
  size_t n = t.TakeCommitted(&out);
  if (batches != nullptr) *batches = n;
  std::vector<uint64_t> offsets;
  for (const CommittedPosition& p : out) offsets.push_back(p.end_offset);
  return offsets;
}

TEST(AckTrackerTest, SequencesStartAtZeroAndCount) {
  AckTracker t(1);
  EXPECT_EQ(RegisterAt(t, 1, 10), 0u);
  EXPECT_EQ(RegisterAt(t, 1, 20), 1u);
  EXPECT_EQ(RegisterAt(t, 1, 30), 2u);
  EXPECT_EQ(t.in_flight(), 3u);
}

TEST(AckTrackerTest, InOrderSingleSinkCommitsEachBatch) {
  AckTracker t(1);
  uint64_t a = RegisterAt(t, 1, 100);
  uint64_t b = RegisterAt(t, 1, 200);
  t.Done(a, AckStatus::kDelivered);
  size_t n = 0;
  EXPECT_EQ(TakeOffsets(t, &n), (std::vector<uint64_t>{100}));
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(t.in_flight(), 1u);
  t.Done(b, AckStatus::kDelivered);
  EXPECT_EQ(TakeOffsets(t, &n), (std::vector<uint64_t>{200}));
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(TakeOffsets(t, &n), (std::vector<uint64_t>{}));  // taken once only
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(AckTrackerTest, OutOfOrderWithTwoSinksCommitsOnlyTheAckedPrefix) {
  AckTracker t(2);
  std::vector<uint64_t> seq;
  for (uint64_t i = 0; i < 5; ++i) seq.push_back(RegisterAt(t, 1, 100 * (i + 1)));

  t.Done(seq[1], AckStatus::kDelivered);
  t.Done(seq[1], AckStatus::kDelivered);  // batch 1 complete, but 0 is not
  t.Done(seq[2], AckStatus::kDelivered);  // batch 2 half done
  t.Done(seq[0], AckStatus::kDelivered);  // batch 0 half done
  EXPECT_TRUE(TakeOffsets(t).empty());
  EXPECT_EQ(t.in_flight(), 5u);

  t.Done(seq[0], AckStatus::kDelivered);  // 0 complete: 0 and 1 commit, 2 holds the rest
  size_t n = 0;
  EXPECT_EQ(TakeOffsets(t, &n), (std::vector<uint64_t>{100, 200}));
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(t.in_flight(), 3u);

  t.Done(seq[4], AckStatus::kDelivered);
  t.Done(seq[3], AckStatus::kDelivered);
  t.Done(seq[4], AckStatus::kDelivered);
  t.Done(seq[3], AckStatus::kDelivered);
  EXPECT_TRUE(TakeOffsets(t).empty());
  t.Done(seq[2], AckStatus::kDelivered);
  EXPECT_EQ(TakeOffsets(t, &n), (std::vector<uint64_t>{300, 400, 500}));
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(AckTrackerTest, PositionsKeepBatchAndFileOrder) {
  AckTracker t(1);
  std::vector<BatchSource> first = {{1, "", 10}, {2, "", 50}};
  std::vector<BatchSource> second = {{2, "", 70}, {3, "", 5}, {1, "", 20}};
  uint64_t a = t.Register(first);
  uint64_t b = t.Register(second);
  uint64_t c = t.Register({});  // a batch of metric samples: no files
  t.Done(c, AckStatus::kDelivered);
  t.Done(b, AckStatus::kDelivered);
  t.Done(a, AckStatus::kDelivered);
  std::vector<CommittedPosition> out = {{99, 99}};  // appended to, not replaced
  EXPECT_EQ(t.TakeCommitted(&out), 3u);
  ASSERT_EQ(out.size(), 6u);
  const std::pair<uint64_t, uint64_t> want[] = {{99, 99}, {1, 10}, {2, 50},
                                                {2, 70},  {3, 5},  {1, 20}};
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].file_id, want[i].first) << i;
    EXPECT_EQ(out[i].end_offset, want[i].second) << i;
  }
}

TEST(AckTrackerTest, RingGrowsPastSixteenInFlight) {
  AckTracker t(2);
  constexpr uint64_t kBatches = 100;
  for (uint64_t i = 0; i < kBatches; ++i) EXPECT_EQ(RegisterAt(t, 1, i + 1), i);
  EXPECT_EQ(t.in_flight(), kBatches);
  // Everything but batch 0, newest first.
  for (uint64_t i = kBatches - 1; i >= 1; --i) {
    t.Done(i, AckStatus::kDelivered);
    t.Done(i, AckStatus::kDelivered);
  }
  EXPECT_TRUE(TakeOffsets(t).empty());
  t.Done(0, AckStatus::kDelivered);
  t.Done(0, AckStatus::kDelivered);
  std::vector<uint64_t> want;
  for (uint64_t i = 0; i < kBatches; ++i) want.push_back(i + 1);
  size_t n = 0;
  EXPECT_EQ(TakeOffsets(t, &n), want);
  EXPECT_EQ(n, kBatches);
}

// Growth when the in-flight window has wrapped around the ring (head is not at index 0).
TEST(AckTrackerTest, RingGrowsWhileWrappedAround) {
  AckTracker t(1);
  uint64_t next_offset = 1;
  for (int i = 0; i < 11; ++i) t.Done(RegisterAt(t, 1, next_offset++), AckStatus::kDelivered);
  EXPECT_EQ(TakeOffsets(t).size(), 11u);
  // 16 in flight from sequence 11: slots 11..15 then 0..10; the 17th forces growth.
  std::vector<uint64_t> seqs;
  for (int i = 0; i < 40; ++i) seqs.push_back(RegisterAt(t, 7, next_offset++));
  EXPECT_EQ(t.in_flight(), 40u);
  std::mt19937 rng(5);
  std::vector<uint64_t> order = seqs;
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<uint64_t> committed;
  for (uint64_t s : order) {
    t.Done(s, AckStatus::kDelivered);
    for (uint64_t off : TakeOffsets(t)) committed.push_back(off);
    // Whatever is committed is always a prefix, in order.
    for (size_t k = 0; k < committed.size(); ++k) ASSERT_EQ(committed[k], 12 + k);
  }
  EXPECT_EQ(committed.size(), 40u);
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(AckTrackerTest, WaitIdle) {
  AckTracker t(2);
  EXPECT_TRUE(t.WaitIdle(0));
  uint64_t s = RegisterAt(t, 1, 1);
  EXPECT_FALSE(t.WaitIdle(0));
  std::atomic<bool> idle{false};
  std::thread waiter([&] { idle = t.WaitIdle(kForever); });
  t.Done(s, AckStatus::kDelivered);
  EXPECT_FALSE(idle.load());  // one sink still owes an ack
  std::thread acker([&] { t.Done(s, AckStatus::kDelivered); });
  acker.join();
  waiter.join();
  EXPECT_TRUE(idle.load());
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(AckTrackerTest, RejectedBatchesAreCountedOnceWhenCommitted) {
  AckTracker t(3);
  uint64_t a = RegisterAt(t, 1, 10);
  uint64_t b = RegisterAt(t, 1, 20);
  t.Done(b, AckStatus::kRejected);
  t.Done(b, AckStatus::kRejected);
  t.Done(b, AckStatus::kDelivered);     // a later Delivered does not undo the rejection
  EXPECT_EQ(t.rejected_batches(), 0u);  // b is not committed yet
  t.Done(a, AckStatus::kDelivered);
  t.Done(a, AckStatus::kDelivered);
  t.Done(a, AckStatus::kDelivered);
  EXPECT_EQ(t.rejected_batches(), 1u);
  // Rejected batches still commit: their events are in the dead-letter spool.
  EXPECT_EQ(TakeOffsets(t), (std::vector<uint64_t>{10, 20}));
  // A slot reused after a rejection starts Delivered again.
  for (int i = 0; i < 40; ++i) {
    uint64_t s = RegisterAt(t, 1, 30);
    for (int k = 0; k < 3; ++k) t.Done(s, AckStatus::kDelivered);
  }
  EXPECT_EQ(t.rejected_batches(), 1u);
}

TEST(AckTrackerTest, AckHandleForwardsAndUntrackedHandleIsANoOp) {
  AckTracker t(1);
  AckHandle none;
  EXPECT_FALSE(none.tracked());
  none.Done(AckStatus::kRejected);  // nothing to do, nothing to crash
  uint64_t s = RegisterAt(t, 4, 44);
  AckHandle h(&t, s);
  EXPECT_TRUE(h.tracked());
  EXPECT_EQ(h.sequence(), s);
  AckHandle copy = h;
  copy.Done(AckStatus::kRejected);
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_EQ(t.rejected_batches(), 1u);
  EXPECT_EQ(TakeOffsets(t), (std::vector<uint64_t>{44}));
}

TEST(AckTrackerDeathTest, AckForUnknownBatchAborts) {
  EXPECT_DEATH(
      {
        AckTracker t(1);
        RegisterAt(t, 1, 1);
        t.Done(5, AckStatus::kDelivered);
      },
      "unknown batch 5");
  EXPECT_DEATH(
      {
        AckTracker t(1);
        t.Done(RegisterAt(t, 1, 1), AckStatus::kDelivered);
        t.Done(0, AckStatus::kDelivered);  // already committed
      },
      "unknown batch 0");
}

TEST(AckTrackerDeathTest, TooManyAcksAbort) {
  EXPECT_DEATH(
      {
        AckTracker t(2);
        uint64_t a = RegisterAt(t, 1, 1);
        RegisterAt(t, 1, 2);
        uint64_t c = RegisterAt(t, 1, 3);
        t.Done(c, AckStatus::kDelivered);
        t.Done(c, AckStatus::kDelivered);
        t.Done(c, AckStatus::kDelivered);
        (void)a;
      },
      "acknowledged too often");
}

TEST(AckTrackerDeathTest, ZeroAcksPerBatchAborts) {
  EXPECT_DEATH({ AckTracker t(0); }, "check failed");
}

// Four threads ack in a random order (fixed seed) while the source keeps registering, as sinks
// would: the committed positions must come out exactly in sequence order, each batch once.
TEST(AckTrackerTest, ConcurrentAcksCommitEverythingInSequenceOrder) {
  constexpr int kSinks = 2;
  constexpr uint64_t kBatches = 20000;
  constexpr int kThreads = 4;
  AckTracker t(kSinks);

  struct Ack {
    uint64_t seq;
    AckStatus status;
  };
  // Acks roughly in sequence order, each moved by up to 200 places: a window of batches in flight.
  std::mt19937_64 rng(20261124);
  std::vector<std::pair<uint64_t, Ack>> keyed;
  uint64_t rejected_expected = 0;
  for (uint64_t s = 0; s < kBatches; ++s) {
    bool reject = rng() % 50 == 0;
    if (reject) ++rejected_expected;
    for (int k = 0; k < kSinks; ++k) {
      AckStatus st = reject && k == 0 ? AckStatus::kRejected : AckStatus::kDelivered;
      keyed.push_back({s + rng() % 200, Ack{s, st}});
    }
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::vector<Ack>> per_thread(kThreads);
  for (size_t i = 0; i < keyed.size(); ++i) per_thread[rng() % kThreads].push_back(keyed[i].second);

  std::atomic<uint64_t> registered{0};
  std::vector<std::thread> sinks;
  for (int w = 0; w < kThreads; ++w) {
    sinks.emplace_back([&, w] {
      for (const Ack& a : per_thread[static_cast<size_t>(w)]) {
        while (registered.load(std::memory_order_acquire) <= a.seq) std::this_thread::yield();
        t.Done(a.seq, a.status);
      }
    });
  }

  std::vector<uint64_t> committed;
  size_t committed_batches = 0;
  for (uint64_t s = 0; s < kBatches; ++s) {
    EXPECT_EQ(RegisterAt(t, s % 3, s + 1), s);
    registered.store(s + 1, std::memory_order_release);
    if (s % 64 == 0) {
      size_t n = 0;
      for (uint64_t off : TakeOffsets(t, &n)) committed.push_back(off);
      committed_batches += n;
    }
  }
  EXPECT_TRUE(t.WaitIdle(kForever));
  for (std::thread& th : sinks) th.join();
  size_t n = 0;
  for (uint64_t off : TakeOffsets(t, &n)) committed.push_back(off);
  committed_batches += n;

  EXPECT_EQ(committed_batches, kBatches);
  ASSERT_EQ(committed.size(), kBatches);
  for (uint64_t i = 0; i < kBatches; ++i) ASSERT_EQ(committed[i], i + 1) << "position " << i;
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_EQ(t.rejected_batches(), rejected_expected);
  EXPECT_GT(rejected_expected, 0u);
}

}  // namespace
}  // namespace logship
