// SPDX-License-Identifier: Apache-2.0
#pragma once

// AckHandle is a sink's promise about one batch: it calls Done() exactly once, when the batch is
// durable at its destination (kDelivered) or when the events it could never deliver have been put
// in its dead-letter spool (kRejected). Only then may a source's checkpoints move past the batch.
// A handle is two words and copyable; Done() may be called from any thread.

#include <cstdint>

namespace logship {

class AckTracker;

// Merges upward: a batch that any sink rejected counts as rejected (Vector's status lattice).
enum class AckStatus : uint8_t { kDelivered = 0, kRejected = 1 };

class AckHandle {
 public:
  AckHandle() = default;
  AckHandle(AckTracker* tracker, uint64_t sequence) : tracker_(tracker), sequence_(sequence) {}

  // REQUIRES: called once per handle given to a sink.
  void Done(AckStatus status) const;

  uint64_t sequence() const { return sequence_; }
  bool tracked() const { return tracker_ != nullptr; }

 private:
  AckTracker* tracker_ = nullptr;
  uint64_t sequence_ = 0;
};

}  // namespace logship
