// SPDX-License-Identifier: Apache-2.0
// The json stage on a batch of 1024 lines shaped like bench/gen/gen_json_logs.cc output (~220
// bytes, 10 keys), in ns/event: the stage alone, with a target prefix, and then writing the parsed
// events with JsonWriter as the spool does. Baselines show where the time goes: simdjson's own
// pass over the same lines, and the copy into the stage's padded scratch buffer.

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/gen/json_log_lines.h"
#include "parsers/json/json_stage.h"
#include "src/config/config_error.h"
#include "src/config/config_node.h"
#include "src/event/batch.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"
#include "src/pipeline/plugin_context.h"

namespace logship {
namespace {

constexpr int kBatchEvents = 1024;

// The generator's lines, from its seed.
std::vector<std::string> GeneratorLines(int n) {
  bench::JsonLogLines gen(42);
  std::vector<std::string> lines;
  for (int i = 0; i < n; ++i) lines.push_back(gen.Next());
  return lines;
}

// A batch as the tailer builds it: messages in the arena, one source, a host name.
class BenchBatch {
 public:
  BenchBatch() {
    lines_ = GeneratorLines(kBatchEvents);
    batch_.host_name = "web-1.example.com";
    batch_.sources().push_back(BatchSource{1, batch_.arena().Copy("/var/log/app/service.log"), 0});
    uint64_t offset = 0;
    for (const std::string& line : lines_) {
      Event& e = batch_.AddEvent();
      e.message = batch_.arena().Copy(line);
      e.timestamp_ns = 1795600000000000000;
      e.offset = offset;
      e.source = 0;
      offset += line.size() + 1;
      bytes_ += line.size();
    }
    fresh_ = batch_.events();
  }
  // Back to the unparsed events. Keys the stage built in the arena (with a target) pile up across
  // iterations, so now and then the arena starts over with fresh copies of the lines.
  void Reset() {
    if (batch_.arena().used() > (32u << 20)) {
      batch_.arena().Reset();
      batch_.sources()[0].path = batch_.arena().Copy("/var/log/app/service.log");
      for (size_t i = 0; i < fresh_.size(); ++i) fresh_[i].message = batch_.arena().Copy(lines_[i]);
    }
    batch_.events() = fresh_;
    batch_.fields().clear();
  }
  Batch& batch() { return batch_; }
  const std::vector<std::string>& lines() const { return lines_; }
  size_t bytes() const { return bytes_; }

 private:
  std::vector<std::string> lines_;
  Batch batch_;
  std::vector<Event> fresh_;
  size_t bytes_ = 0;
};

std::unique_ptr<Stage> BuildStage(const char* yaml) {
  ConfigErrors errors;
  ResourceClaims claims;
  PluginContext ctx;
  ctx.pipeline = "bench";
  ctx.component = "pipelines.bench.stages[0]";
  ctx.errors = &errors;
  ctx.claims = &claims;
  Result<ConfigNode> node = ConfigNode::Parse(yaml, "bench.yaml");
  if (!node.ok()) std::abort();
  Result<std::unique_ptr<Stage>> stage = MakeJsonStage(*node, ctx);
  if (!stage.ok()) {
    std::fprintf(stderr, "%s\n", errors.ToString().c_str());
    std::abort();
  }
  return std::move(*stage);
}

void Report(benchmark::State& state, const BenchBatch& b) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kBatchEvents);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * b.bytes()));
}

// The stage alone: ns/event is 1e9 / items_per_second.
void BM_JsonStage(benchmark::State& state, const char* yaml) {
  BenchBatch b;
  std::unique_ptr<Stage> stage = BuildStage(yaml);
  for (auto _ : state) {
    state.PauseTiming();
    b.Reset();
    state.ResumeTiming();
    stage->Process(b.batch(), EventSelection::All());
    benchmark::DoNotOptimize(b.batch().fields().data());
  }
  if (b.batch().events()[0].first_field == kNoIndex) state.SkipWithError("nothing parsed");
  Report(state, b);
}
BENCHMARK_CAPTURE(BM_JsonStage, root, "type: json\n");
BENCHMARK_CAPTURE(BM_JsonStage, target, "type: json\ntarget: app\n");
BENCHMARK_CAPTURE(BM_JsonStage, no_overwrite, "type: json\noverwrite: false\n");

// What the spool pays afterwards: writing the parsed events (12 fields each, nested "log" and
// "host" objects) with JsonWriter.
void BM_WriteParsedEvents(benchmark::State& state, const char* yaml) {
  BenchBatch b;
  std::unique_ptr<Stage> stage = BuildStage(yaml);
  stage->Process(b.batch(), EventSelection::All());
  JsonWriter writer;
  OutputBuffer out;
  for (auto _ : state) {
    out.clear();
    for (const Event& e : b.batch().events()) {
      writer.WriteEvent(b.batch(), e, out);
      out.Push('\n');
    }
    benchmark::DoNotOptimize(out.data());
  }
  Report(state, b);
}
BENCHMARK_CAPTURE(BM_WriteParsedEvents, root, "type: json\n");
BENCHMARK_CAPTURE(BM_WriteParsedEvents, target, "type: json\ntarget: app\n");

// Parse and write, as one pipeline thread does per batch.
void BM_JsonStageThenWrite(benchmark::State& state) {
  BenchBatch b;
  std::unique_ptr<Stage> stage = BuildStage("type: json\n");
  JsonWriter writer;
  OutputBuffer out;
  for (auto _ : state) {
    state.PauseTiming();
    b.Reset();
    state.ResumeTiming();
    stage->Process(b.batch(), EventSelection::All());
    out.clear();
    for (const Event& e : b.batch().events()) {
      writer.WriteEvent(b.batch(), e, out);
      out.Push('\n');
    }
    benchmark::DoNotOptimize(out.data());
  }
  Report(state, b);
}
BENCHMARK(BM_JsonStageThenWrite);

// Baseline: simdjson on demand over the same lines, visiting every value's raw token and doing
// nothing else (no validation, no fields), parsing in place in padded copies.
void BM_SimdjsonVisitOnly(benchmark::State& state) {
  BenchBatch b;
  std::vector<simdjson::padded_string> docs;
  for (const std::string& line : b.lines()) docs.emplace_back(line);
  simdjson::ondemand::parser parser;
  for (auto _ : state) {
    size_t total = 0;
    for (simdjson::padded_string& doc : docs) {
      simdjson::ondemand::document d;
      if (parser.iterate(doc).get(d)) std::abort();
      simdjson::ondemand::object o;
      if (d.get_object().get(o)) std::abort();
      for (auto field : o) {
        simdjson::ondemand::field f;
        if (std::move(field).get(f)) std::abort();
        total += f.key().raw()[0] + f.value().raw_json_token().size();
      }
    }
    benchmark::DoNotOptimize(total);
  }
  Report(state, b);
}
BENCHMARK(BM_SimdjsonVisitOnly);

// Baseline: the copy into a padded scratch buffer that the stage makes of every line, because
// only the batch arena promises simdjson's padding and a field can hold text from elsewhere.
void BM_ScratchCopy(benchmark::State& state) {
  BenchBatch b;
  std::unique_ptr<char[]> scratch(new char[4096 + 64]);
  for (auto _ : state) {
    for (const Event& e : b.batch().events()) {
      std::memcpy(scratch.get(), e.message.data(), e.message.size());
      std::memset(scratch.get() + e.message.size(), 0, 64);
      benchmark::DoNotOptimize(scratch.get());
    }
  }
  Report(state, b);
}
BENCHMARK(BM_ScratchCopy);

}  // namespace
}  // namespace logship

BENCHMARK_MAIN();
