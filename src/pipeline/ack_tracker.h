// SPDX-License-Identifier: Apache-2.0
#pragma once

// AckTracker orders a source's batches and tells it how far each file is acknowledged. The source
// registers each batch, in read order, with the file positions it reaches; every sink of the
// pipeline acknowledges it once. A batch is committed when it and every batch before it are fully
// acknowledged (Vector's OrderedFinalizer), and only committed positions ever reach a checkpoint:
// a position that is committed has every earlier line of its file delivered to every sink.
// Register/TakeCommitted are for the source's thread; Done may be called from any thread.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "src/base/thread_annotations.h"
#include "src/event/batch.h"
#include "src/metrics/metrics.h"
#include "src/pipeline/ack.h"

namespace logship {

// A file reaching `end_offset` in a committed batch.
struct CommittedPosition {
  uint64_t file_id = 0;
  uint64_t end_offset = 0;
};

class AckTracker {
 public:
  // `acks_per_batch`: how many sinks must acknowledge every batch (> 0). `latency`, when given,
  // observes each batch's seconds from Register to its last acknowledgement.
  explicit AckTracker(int acks_per_batch, Histogram* latency = nullptr);
  AckTracker(const AckTracker&) = delete;
  AckTracker& operator=(const AckTracker&) = delete;

  // Registers the next batch (covering `sources`) and returns its sequence number.
  uint64_t Register(std::span<const BatchSource> sources);
  // One acknowledgement for batch `sequence`. REQUIRES: at most acks_per_batch calls per batch.
  void Done(uint64_t sequence, AckStatus status);

  // Appends the positions of batches committed since the last call, in order, to `out`; returns
  // how many batches that was.
  size_t TakeCommitted(std::vector<CommittedPosition>* out);

  // Batches registered and not yet committed.
  size_t in_flight() const;
  // Waits until nothing is in flight; false if `timeout_ms` passed first.
  bool WaitIdle(int64_t timeout_ms);
  // Batches committed so far that some sink rejected (their events went to a dead-letter spool).
  uint64_t rejected_batches() const;

 private:
  struct Slot {
    uint64_t sequence = 0;
    int remaining = 0;
    int64_t registered_ns = 0;  // steady clock, for the latency histogram
    AckStatus status = AckStatus::kDelivered;
    std::vector<CommittedPosition> positions;
  };
  Slot& SlotFor(uint64_t sequence) LOGSHIP_REQUIRES(mu_);
  void CommitPrefix() LOGSHIP_REQUIRES(mu_);

  const int acks_per_batch_;
  Histogram* const latency_;
  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  // Ring of in-flight slots: index sequence % ring_.size(); [head_, next_) are in flight.
  std::vector<Slot> ring_ LOGSHIP_GUARDED_BY(mu_);
  uint64_t head_ LOGSHIP_GUARDED_BY(mu_) = 0;  // oldest uncommitted sequence
  uint64_t next_ LOGSHIP_GUARDED_BY(mu_) = 0;  // next sequence to hand out
  std::vector<CommittedPosition> committed_ LOGSHIP_GUARDED_BY(mu_);
  size_t committed_batches_ LOGSHIP_GUARDED_BY(mu_) = 0;
  uint64_t rejected_batches_ LOGSHIP_GUARDED_BY(mu_) = 0;
};

}  // namespace logship
