// SPDX-License-Identifier: Apache-2.0
// Writes N JSON log lines of about 220 bytes each, the shape of a typical service's structured
// log, from a fixed seed (so every run and machine gets the same bytes).
//   gen_json_logs [--lines N] [--seed S] > app.log

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>

int main(int argc, char** argv) {
  uint64_t lines = 1'000'000;
  uint64_t seed = 42;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--lines") == 0) lines = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--seed") == 0) seed = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::mt19937_64 rng(seed);
  const char* levels[] = {"info", "info", "info", "info", "warn", "error", "debug"};
  const char* services[] = {"checkout", "payments", "search", "inventory", "auth", "gateway"};
  const char* methods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
  const char* paths[] = {"/api/v1/orders",   "/api/v1/cart/items", "/api/v2/search?q=shoes",
                         "/api/v1/users/me", "/healthz",           "/api/v1/payments/authorize"};
  const char* messages[] = {
      "request completed",      "cache miss, fetching from origin", "slow upstream response",
      "user session refreshed", "retrying after connection reset",  "order placed"};
  const int statuses[] = {200, 200, 200, 201, 204, 301, 400, 404, 500, 503};
  std::string out;
  out.reserve(1 << 20);
  int64_t ms = 1795600000000;  // 2026-11-24T...
  char buf[512];
  for (uint64_t n = 0; n < lines; ++n) {
    ms += static_cast<int64_t>(rng() % 7);
    time_t secs = static_cast<time_t>(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char ts[32];
    std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    uint64_t r = rng();
    int len = std::snprintf(
        buf, sizeof(buf),
        "{\"ts\":\"%s.%03dZ\",\"level\":\"%s\",\"service\":\"%s\",\"trace_id\":\"%016llx%08x\","
        "\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,\"latency_ms\":%.3f,\"user_id\":%llu,"
        "\"msg\":\"%s\"}\n",
        ts, static_cast<int>(ms % 1000), levels[r % 7], services[(r >> 3) % 6],
        static_cast<unsigned long long>(rng()), static_cast<unsigned>(r >> 32),
        methods[(r >> 6) % 6], paths[(r >> 9) % 6], statuses[(r >> 12) % 10],
        static_cast<double>(r % 250000) / 1000.0,
        static_cast<unsigned long long>((r >> 20) % 10'000'000), messages[(r >> 44) % 6]);
    out.append(buf, static_cast<size_t>(len));
    if (out.size() > (1 << 20) - 512) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
