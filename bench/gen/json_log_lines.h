// SPDX-License-Identifier: Apache-2.0
#pragma once

// JSON log lines of about 230 bytes, the shape of a typical service's structured log (ten keys:
// ts, level, service, trace_id, method, path, status, latency_ms, user_id, msg), from a seeded
// generator, shared by gen_json_logs (files for end-to-end runs) and the benchmarks (lines in
// memory), so both measure the same bytes.

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>

namespace logship::bench {

class JsonLogLines {
 public:
  explicit JsonLogLines(uint64_t seed) : rng_(seed) {}

  // The next line, without its newline.
  std::string Next() {
    static const char* const kLevels[] = {"info", "info", "info", "info", "warn", "error", "debug"};
    static const char* const kServices[] = {"checkout",  "payments", "search",
                                            "inventory", "auth",     "gateway"};
    static const char* const kMethods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
    static const char* const kPaths[] = {
        "/api/v1/orders",   "/api/v1/cart/items", "/api/v2/search?q=shoes",
        "/api/v1/users/me", "/healthz",           "/api/v1/payments/authorize"};
    static const char* const kMessages[] = {
        "request completed",      "cache miss, fetching from origin", "slow upstream response",
        "user session refreshed", "retrying after connection reset",  "order placed"};
    static const int kStatuses[] = {200, 200, 200, 201, 204, 301, 400, 404, 500, 503};
    ms_ += static_cast<int64_t>(rng_() % 7);
    time_t secs = static_cast<time_t>(ms_ / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char ts[32];
    std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    uint64_t r = rng_();
    char buf[512];
    int len = std::snprintf(
        buf, sizeof(buf),
        "{\"ts\":\"%s.%03dZ\",\"level\":\"%s\",\"service\":\"%s\",\"trace_id\":\"%016llx%08x\","
        "\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,\"latency_ms\":%.3f,\"user_id\":%llu,"
        "\"msg\":\"%s\"}",
        ts, static_cast<int>(ms_ % 1000), kLevels[r % 7], kServices[(r >> 3) % 6],
        static_cast<unsigned long long>(rng_()), static_cast<unsigned>(r >> 32),
        kMethods[(r >> 6) % 6], kPaths[(r >> 9) % 6], kStatuses[(r >> 12) % 10],
        static_cast<double>(r % 250000) / 1000.0,
        static_cast<unsigned long long>((r >> 20) % 10'000'000), kMessages[(r >> 44) % 6]);
    return std::string(buf, static_cast<size_t>(len));
  }

 private:
  std::mt19937_64 rng_;
  int64_t ms_ = 1795600000000;  // 2026-11-25T09:46:40Z
};

}  // namespace logship::bench
