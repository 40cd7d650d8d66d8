// SPDX-License-Identifier: Apache-2.0
// The timestamp stage on a batch of 1024 events shaped like the json stage's output (10 fields,
// the time in `ts`, a few milliseconds apart), in ns/event: iso8601 with Z, iso8601 without an
// offset in Europe/Berlin, nginx, rfc3164 (year inferred), unix_ms; then the parser alone, a
// miss that falls through to the second format, and times spread over a year (zone cache misses).

#include <benchmark/benchmark.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "parsers/timestamp/time_format.h"
#include "parsers/timestamp/timestamp_stage.h"
#include "src/base/check.h"
#include "src/config/config_error.h"
#include "src/config/config_node.h"
#include "src/event/batch.h"
#include "src/pipeline/plugin_context.h"

namespace logship {
namespace {

constexpr int kBatchEvents = 1024;
constexpr int64_t kStartMs = 1795600000000;  // 2026-11-25T08:26:40Z

enum class Shape { kIsoZ, kIsoLocal, kNginx, kRfc3164, kUnixMs, kIsoLocalSpread };

// The time text of event i, in the given shape.
std::string TimeText(Shape shape, int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  switch (shape) {
    case Shape::kIsoZ:
      std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
      return std::string(buf) + "." + std::to_string(1000 + ms % 1000).substr(1) + "Z";
    case Shape::kIsoLocal:
    case Shape::kIsoLocalSpread:
      std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
      return std::string(buf) + "." + std::to_string(1000 + ms % 1000).substr(1);
    case Shape::kNginx:
      std::strftime(buf, sizeof(buf), "%d/%b/%Y:%H:%M:%S +0100", &tm);
      return buf;
    case Shape::kRfc3164:
      std::strftime(buf, sizeof(buf), "%b %e %H:%M:%S", &tm);
      return buf;
    case Shape::kUnixMs:
      return std::to_string(ms);
  }
  return {};
}

struct Bench {
  Batch batch;
  std::unique_ptr<Stage> stage;
  std::vector<std::string> texts;

  Bench(Shape shape, const std::string& yaml) {
    std::mt19937_64 rng(42);
    int64_t ms = kStartMs;
    for (int i = 0; i < kBatchEvents; ++i) {
      ms += static_cast<int64_t>(rng() % 7);
      int64_t t = ms;
      if (shape == Shape::kIsoLocalSpread)
        t = kStartMs + static_cast<int64_t>(rng() % 31'536'000'000);
      texts.push_back(TimeText(shape, t));
    }
    batch.host_name = "web-1.example.com";
    batch.sources().push_back(BatchSource{1, batch.arena().Copy("/var/log/app/service.log"), 0});
    for (int i = 0; i < kBatchEvents; ++i) {
      Event& e = batch.AddEvent();
      e.message = batch.arena().Copy("{\"ts\":\"...\",\"level\":\"info\"}");
      e.timestamp_ns = (kStartMs + 5000) * 1'000'000;
      e.source = 0;
      batch.AddField(e, "ts", Value::String(batch.arena().Copy(texts[i])));
      batch.AddField(e, "level", Value::String("info"));
      batch.AddField(e, "service", Value::String("payments"));
      batch.AddField(e, "trace_id", Value::String("c08c967f0e5e7b0aa3978fb9"));
      batch.AddField(e, "method", Value::String("PUT"));
      batch.AddField(e, "path", Value::String("/api/v1/cart/items"));
      batch.AddField(e, "status", Value::Json("204"));
      batch.AddField(e, "latency_ms", Value::Json("244.824"));
      batch.AddField(e, "user_id", Value::Json("9168914"));
      batch.AddField(e, "msg", Value::String("retrying after connection reset"));
    }
    ConfigErrors errors;
    ResourceClaims claims;
    PluginContext ctx;
    ctx.component = "pipelines.bench.stages[1]";
    ctx.errors = &errors;
    ctx.claims = &claims;
    Result<ConfigNode> node = ConfigNode::Parse(yaml, "bench.yaml");
    LOGSHIP_CHECK(node.ok()) << node.status().ToString();
    Result<std::unique_ptr<Stage>> s = MakeTimestampStage(*node, ctx);
    LOGSHIP_CHECK(s.ok()) << errors.ToString();
    stage = std::move(s).value();
  }
};

void BM_TimestampStage(benchmark::State& state, Shape shape, const std::string& yaml) {
  Bench b(shape, yaml);
  for (auto _ : state) {
    b.stage->Process(b.batch, EventSelection::All());
    benchmark::DoNotOptimize(b.batch.events().data());
  }
  LOGSHIP_CHECK(b.batch.events()[0].error_type.empty()) << b.batch.events()[0].error_message;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatchEvents));
  state.counters["ns/event"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kBatchEvents),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK_CAPTURE(BM_TimestampStage, iso8601_z, Shape::kIsoZ, "field: ts\nformats: [iso8601]\n");
BENCHMARK_CAPTURE(BM_TimestampStage, iso8601_berlin, Shape::kIsoLocal,
                  "field: ts\nformats: [iso8601]\ntimezone: Europe/Berlin\n");
BENCHMARK_CAPTURE(BM_TimestampStage, nginx, Shape::kNginx, "field: ts\nformats: [nginx]\n");
BENCHMARK_CAPTURE(BM_TimestampStage, rfc3164, Shape::kRfc3164,
                  "field: ts\nformats: [rfc3164]\ntimezone: Europe/Berlin\n");
BENCHMARK_CAPTURE(BM_TimestampStage, unix_ms, Shape::kUnixMs, "field: ts\nformats: [unix_ms]\n");
BENCHMARK_CAPTURE(BM_TimestampStage, nginx_after_iso8601_miss, Shape::kNginx,
                  "field: ts\nformats: [iso8601, nginx]\n");
BENCHMARK_CAPTURE(BM_TimestampStage, iso8601_berlin_spread_over_a_year, Shape::kIsoLocalSpread,
                  "field: ts\nformats: [iso8601]\ntimezone: Europe/Berlin\n");

// The parser alone, without the batch and field plumbing.
void BM_TimeFormatParse(benchmark::State& state, Shape shape, const char* spec, const char* zone) {
  Bench b(shape, "field: ts\nformats: [iso8601]\n");
  TimeFormat format = TimeFormat::Compile(spec).value();
  TimeZoneConverter tz = TimeZoneConverter::Load(zone).value();
  const int64_t read_time = (kStartMs + 5000) * 1'000'000;
  for (auto _ : state) {
    for (const std::string& text : b.texts) {
      ParsedTime t = format.Parse(text, tz, read_time);
      benchmark::DoNotOptimize(t);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatchEvents));
  state.counters["ns/event"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kBatchEvents),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK_CAPTURE(BM_TimeFormatParse, iso8601_z, Shape::kIsoZ, "iso8601", "UTC");
BENCHMARK_CAPTURE(BM_TimeFormatParse, iso8601_berlin, Shape::kIsoLocal, "iso8601", "Europe/Berlin");
BENCHMARK_CAPTURE(BM_TimeFormatParse, nginx, Shape::kNginx, "nginx", "UTC");
BENCHMARK_CAPTURE(BM_TimeFormatParse, rfc3164_berlin, Shape::kRfc3164, "rfc3164", "Europe/Berlin");
BENCHMARK_CAPTURE(BM_TimeFormatParse, strptime_iso, Shape::kIsoZ, "%Y-%m-%dT%H:%M:%S%z", "UTC");

}  // namespace
}  // namespace logship

BENCHMARK_MAIN();
