// SPDX-License-Identifier: Apache-2.0
#pragma once

// Backoff computes how long a sink waits before retrying a failed delivery: capped exponential
// growth with jitter, so a fleet of agents does not hammer a recovering broker in lockstep.
// Attempt n waits a random time in [d/2, d], where d is `initial` doubled n-1 times, at most
// `max`. Not thread-safe: one per retrying thread.

#include <algorithm>
#include <cstdint>
#include <random>

namespace logship {

class Backoff {
 public:
  explicit Backoff(int64_t initial_ns = 100'000'000, int64_t max_ns = 5'000'000'000)
      : initial_ns_(initial_ns), max_ns_(max_ns), rng_(std::random_device{}()) {}

  // REQUIRES: attempt >= 1.
  int64_t DelayNanos(int attempt) {
    int64_t d = initial_ns_;
    for (int i = 1; i < attempt && d < max_ns_; ++i) d *= 2;
    d = std::min(d, max_ns_);
    return std::uniform_int_distribution<int64_t>(d / 2, d)(rng_);
  }

 private:
  int64_t initial_ns_;
  int64_t max_ns_;
  std::minstd_rand rng_;
};

}  // namespace logship
