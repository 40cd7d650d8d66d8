// SPDX-License-Identifier: Apache-2.0
// The logfmt stage in ns/event over batches of 1024 generated lines (fixed seed) of the shape Go
// services write: about 8 pairs and 170 bytes, a quoted message, one line in 8 with escapes in it.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "parsers/logfmt/logfmt_stage.h"
#include "src/config/config_error.h"
#include "src/config/config_node.h"
#include "src/event/batch.h"
#include "src/pipeline/plugin_context.h"

namespace logship {
namespace {

constexpr int kBatch = 1024;

std::vector<std::string> LogfmtLines() {
  std::mt19937_64 rng(42);
  const char* levels[] = {"info", "info", "info", "debug", "warn", "error"};
  const char* messages[] = {"\"request completed\"",
                            "\"cache miss, fetching from origin\"",
                            "\"slow upstream response\"",
                            "\"user session refreshed\"",
                            "\"order placed\"",
                            "\"retrying after connection reset\"",
                            "\"upstream said \\\"busy\\\"\"",
                            "\"path C:\\\\tmp\\\\x not found\""};
  const char* paths[] = {"/api/v1/orders", "/api/v1/cart/items", "/healthz", "/api/v2/search"};
  std::vector<std::string> lines;
  char buf[512];
  for (int i = 0; i < kBatch; ++i) {
    uint64_t r = rng();
    int n = std::snprintf(
        buf, sizeof(buf),
        "ts=2026-11-24T10:15:%02d.%03dZ level=%s msg=%s service=checkout method=GET path=%s "
        "status=%d duration=%.3fms trace_id=%016llx cached",
        static_cast<int>(r % 60), static_cast<int>((r >> 6) % 1000), levels[(r >> 16) % 6],
        messages[(r >> 19) % 8], paths[(r >> 22) % 4], 200 + static_cast<int>((r >> 24) % 4) * 100,
        static_cast<double>((r >> 28) % 100000) / 1000.0, static_cast<unsigned long long>(rng()));
    lines.emplace_back(buf, static_cast<size_t>(n));
  }
  return lines;
}

void RunStage(benchmark::State& state, const std::string& yaml) {
  ConfigErrors errors;
  PluginContext ctx;
  ctx.errors = &errors;
  Result<ConfigNode> node = ConfigNode::Parse(yaml, "bench.yaml");
  Result<std::unique_ptr<Stage>> stage = MakeLogfmtStage(*node, ctx);
  if (!stage.ok()) {
    state.SkipWithError(errors.ToString().c_str());
    return;
  }
  std::vector<std::string> lines = LogfmtLines();
  Batch batch;
  size_t bytes = 0;
  for (const std::string& line : lines) {
    batch.AddEvent().message = batch.arena().Copy(line);
    bytes += line.size();
  }
  std::vector<Event> fresh = batch.events();
  const size_t arena_used = batch.arena().used();
  for (auto _ : state) {
    batch.events() = fresh;
    batch.fields().clear();
    (*stage)->Process(batch, EventSelection::All());
    benchmark::DoNotOptimize(batch.fields().data());
    // Unescaped values and target keys grow the arena: start over now and then, as a new batch
    // would (Reset keeps the chunks; the messages stay readable in them).
    if (batch.arena().used() > arena_used + (64 << 20)) {
      state.PauseTiming();
      batch.arena().Reset();
      for (size_t i = 0; i < lines.size(); ++i) fresh[i].message = batch.arena().Copy(lines[i]);
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["ns/event"] =
      benchmark::Counter(static_cast<double>(state.iterations() * lines.size()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Logfmt(benchmark::State& state) { RunStage(state, "type: logfmt\n"); }
BENCHMARK(BM_Logfmt);

void BM_LogfmtTarget(benchmark::State& state) { RunStage(state, "type: logfmt\ntarget: app\n"); }
BENCHMARK(BM_LogfmtTarget);

}  // namespace
}  // namespace logship

BENCHMARK_MAIN();
