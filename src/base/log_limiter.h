// SPDX-License-Identifier: Apache-2.0
#pragma once

// LogLimiter logs each distinct message at most once per interval and says how many repeats it
// swallowed, so a sink failing on every batch (a broker down, a disk full) logs its cause, not a
// flood. For error paths only: it keys a small map by the message. Not thread-safe.

#include <spdlog/spdlog.h>

#include <cstdint>
#include <map>
#include <string>

namespace logship {

class LogLimiter {
 public:
  explicit LogLimiter(int64_t interval_ns = 10'000'000'000) : interval_ns_(interval_ns) {}

  // Logs `message` at `level` unless it was logged less than the interval ago.
  void Log(spdlog::level::level_enum level, const std::string& message, int64_t now_ns) {
    auto [it, inserted] = entries_.try_emplace(message, Entry{now_ns, 0});
    if (!inserted && now_ns - it->second.last_ns < interval_ns_) {
      ++it->second.suppressed;
      return;
    }
    if (it->second.suppressed > 0) {
      spdlog::log(level, "{} ({} more like this suppressed)", message, it->second.suppressed);
    } else {
      spdlog::log(level, "{}", message);
    }
    it->second = Entry{now_ns, 0};
    if (entries_.size() > 64) entries_.clear();  // messages name files and topics, which change
  }
  void Error(const std::string& message, int64_t now_ns) {
    Log(spdlog::level::err, message, now_ns);
  }
  void Warn(const std::string& message, int64_t now_ns) {
    Log(spdlog::level::warn, message, now_ns);
  }

 private:
  struct Entry {
    int64_t last_ns;
    uint64_t suppressed;
  };
  int64_t interval_ns_;
  std::map<std::string, Entry> entries_;
};

}  // namespace logship
