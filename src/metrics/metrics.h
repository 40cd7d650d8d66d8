// SPDX-License-Identifier: Apache-2.0
#pragma once

// The three instrument kinds logship exposes at /metrics. Updates are single relaxed atomic
// operations, made once per batch rather than per event (STYLE 7.9), so instrumenting a hot path
// costs nothing measurable; the registry reads them at scrape time. Instruments are created by
// MetricsRegistry, live as long as it, and never move: components keep plain references.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace logship {

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Cumulative buckets with fixed upper bounds (in the metric's base unit, e.g. seconds). The sum is
// kept in nanounits so that it, too, is one atomic add.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);

  const std::vector<double>& upper_bounds() const { return bounds_; }
  // Count of observations <= upper_bounds()[i] (not cumulative); the last slot is +Inf.
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const {
    return static_cast<double>(sum_nano_.load(std::memory_order_relaxed)) / 1e9;
  }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_nano_{0};
};

}  // namespace logship
