// SPDX-License-Identifier: Apache-2.0
#pragma once

// EndpointSet chooses which configured URL a bulk request goes to: requests are spread round
// robin over the URLs that work, and a URL that failed to answer (connection refused, timeout,
// TLS failure, 502/503/504) is skipped until its own backoff ends, so one node down costs one
// failed attempt per backoff period instead of a share of every request. When every URL is
// resting, the one that comes back first is used. Owned by one thread.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "src/pipeline/backoff.h"

namespace logship {

class EndpointSet {
 public:
  EndpointSet(size_t count, int64_t initial_backoff_ns, int64_t max_backoff_ns)
      : state_(count), backoff_(initial_backoff_ns, max_backoff_ns) {}

  // The URL for the next attempt at `now_ns`, avoiding `avoid` (where the same request just
  // failed) when another usable URL exists.
  size_t Pick(int64_t now_ns, size_t avoid = SIZE_MAX) {
    size_t n = state_.size();
    size_t fallback = SIZE_MAX;
    for (size_t i = 0; i < n; ++i) {
      size_t e = (next_ + i) % n;
      if (state_[e].resting_until_ns > now_ns) continue;
      if (e == avoid && n > 1) {
        if (fallback == SIZE_MAX) fallback = e;
        continue;
      }
      next_ = (e + 1) % n;
      return e;
    }
    if (fallback != SIZE_MAX) return fallback;
    size_t best = 0;
    for (size_t e = 1; e < n; ++e) {
      if (state_[e].resting_until_ns < state_[best].resting_until_ns) best = e;
    }
    return best;
  }

  // True when some URL other than `except` may be used at `now_ns`.
  bool OtherUsable(int64_t now_ns, size_t except) const {
    for (size_t e = 0; e < state_.size(); ++e) {
      if (e != except && state_[e].resting_until_ns <= now_ns) return true;
    }
    return false;
  }

  // `e` did not answer: rest it for a backoff that grows with its consecutive failures.
  void Failed(size_t e, int64_t now_ns) {
    State& s = state_[e];
    ++s.failures;
    s.resting_until_ns = now_ns + backoff_.DelayNanos(s.failures);
  }
  // `e` answered: usable again at once.
  void Answered(size_t e) { state_[e] = State{}; }

 private:
  struct State {
    int failures = 0;
    int64_t resting_until_ns = 0;
  };
  std::vector<State> state_;
  Backoff backoff_;
  size_t next_ = 0;
};

}  // namespace logship
