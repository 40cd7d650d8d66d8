// SPDX-License-Identifier: Apache-2.0
#pragma once

// CounterTable remembers, per item (a disk, an interface), the cumulative counters of the previous
// sample and turns the next sample into deltas. An item seen for the first time, or whose counters
// went backwards (the device or interface was re-created, a 32-bit counter wrapped), gives no
// delta for that interval; its new counters are the baseline for the next one. Items that
// disappear are forgotten at the next Sweep, so a name that comes back starts afresh. Not
// thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace logship {

template <size_t N>
class CounterTable {
 public:
  using Counters = std::array<uint64_t, N>;

  // Records `cur` for `name`; returns cur minus the previous counters, or nullopt (see above).
  std::optional<Counters> Update(std::string_view name, const Counters& cur) {
    auto [it, inserted] = entries_.try_emplace(std::string(name), Entry{cur, generation_});
    if (inserted) return std::nullopt;
    Entry& e = it->second;
    Counters prev = e.counters;
    e.counters = cur;
    e.seen = generation_;
    Counters delta{};
    for (size_t i = 0; i < N; ++i) {
      if (cur[i] < prev[i]) return std::nullopt;
      delta[i] = cur[i] - prev[i];
    }
    return delta;
  }

  // Ends a sample: forgets the items it did not update.
  void Sweep() {
    std::erase_if(entries_, [this](const auto& kv) { return kv.second.seen != generation_; });
    ++generation_;
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Counters counters;
    uint64_t seen;  // the generation of the sample that last updated it
  };
  std::unordered_map<std::string, Entry> entries_;
  uint64_t generation_ = 1;
};

}  // namespace logship
