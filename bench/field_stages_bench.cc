// SPDX-License-Identifier: Apache-2.0
// Field-edit stages, ns/event: add_fields (literals; templates rendered into the arena), rename,
// remove, and a `when:` condition as the pipeline evaluates it. Each batch holds 1024 events
// shaped like a parsed JSON line (five dynamic fields besides the built-ins); it is rebuilt,
// untimed, before every run, so each run edits fresh events as a pipeline would.

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <string_view>

#include "parsers/fields/add_fields_stage.h"
#include "parsers/fields/remove_stage.h"
#include "parsers/fields/rename_stage.h"
#include "src/config/config_node.h"
#include "src/event/batch.h"
#include "src/pipeline/condition.h"
#include "src/pipeline/registry.h"

namespace logship {
namespace {

constexpr int kEvents = 1024;

void Fill(Batch& b) {
  b.Clear();
  b.host_name = "web-1.example.com";
  b.sources().push_back(BatchSource{1, b.arena().Copy("/var/log/app/service.log"), 0});
  for (int i = 0; i < kEvents; ++i) {
    Event& e = b.AddEvent();
    e.message = b.arena().Copy("retrying after connection reset by peer");
    e.timestamp_ns = 1795600000000000000 + i * 1000000;
    e.offset = static_cast<uint64_t>(i) * 231;
    e.source = 0;
    b.AddField(e, "level", Value::String(i % 10 == 0 ? "error" : "info"));
    b.AddField(e, "service", Value::String("payments"));
    b.AddField(e, "trace_id", Value::String(b.arena().Copy("c08c967f0e5e7b0aa3978fb9")));
    b.AddField(e, "status", Value::Int(200 + i % 5));
    b.AddField(e, "latency_ms", Value::Json("244.824"));
  }
}

std::unique_ptr<Stage> Build(StageFactory factory, std::string_view yaml) {
  ConfigErrors errors;
  ResourceClaims claims;
  PluginContext ctx;
  ctx.pipeline = "bench";
  ctx.component = "pipelines.bench.stages[0]";
  ctx.errors = &errors;
  ctx.claims = &claims;
  Result<ConfigNode> node = ConfigNode::Parse(yaml, "bench.yaml");
  if (!node.ok()) return nullptr;
  Result<std::unique_ptr<Stage>> stage = factory(*node, ctx);
  if (!stage.ok()) return nullptr;
  return std::move(*stage);
}

void SetRates(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kEvents);
  // Seconds per event, printed with an SI prefix: "40.1n" is 40.1 ns/event.
  state.counters["per_event"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kEvents,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void RunStage(benchmark::State& state, StageFactory factory, std::string_view yaml) {
  std::unique_ptr<Stage> stage = Build(factory, yaml);
  if (stage == nullptr) {
    state.SkipWithError("stage did not build");
    return;
  }
  Batch batch;
  for (auto _ : state) {
    state.PauseTiming();
    Fill(batch);
    state.ResumeTiming();
    stage->Process(batch, EventSelection::All());
    benchmark::ClobberMemory();
  }
  SetRates(state);
}

void BM_AddFieldsLiteral(benchmark::State& state) {
  RunStage(state, &MakeAddFieldsStage,
           "type: add_fields\nfields: {env: prod, service.owner: ops, replicas: 3}\n");
}
BENCHMARK(BM_AddFieldsLiteral);

void BM_AddFieldsTemplate(benchmark::State& state) {
  RunStage(state, &MakeAddFieldsStage,
           "type: add_fields\n"
           "fields: {route: \"{{host.name}}/{{service}}/{{status}}\"}\n");
}
BENCHMARK(BM_AddFieldsTemplate);

void BM_AddFieldsNoOverwrite(benchmark::State& state) {
  RunStage(state, &MakeAddFieldsStage,
           "type: add_fields\noverwrite: false\nfields: {env: prod, service: other}\n");
}
BENCHMARK(BM_AddFieldsNoOverwrite);

void BM_Rename(benchmark::State& state) {
  RunStage(state, &MakeRenameStage,
           "type: rename\nfields: {level: log.level, service: service.name}\n");
}
BENCHMARK(BM_Rename);

void BM_RenameMessage(benchmark::State& state) {
  RunStage(state, &MakeRenameStage, "type: rename\nfields: {message: event.original}\n");
}
BENCHMARK(BM_RenameMessage);

void BM_Remove(benchmark::State& state) {
  RunStage(state, &MakeRemoveStage, "type: remove\nfields: [trace_id, latency_ms]\n");
}
BENCHMARK(BM_Remove);

// What the pipeline does per event for a stage's or a sink's `when:`.
void BM_WhenEquals(benchmark::State& state) {
  ConfigErrors errors;
  Result<ConfigNode> node = ConfigNode::Parse(
      "{any: [{field: level, equals: error}, {field: status, in: [500, 503]}]}", "bench.yaml");
  std::optional<Condition> when = node.ok() ? Condition::Parse(*node, errors) : std::nullopt;
  if (!when) {
    state.SkipWithError("condition did not parse");
    return;
  }
  Batch batch;
  Fill(batch);
  size_t matched = 0;
  for (auto _ : state) {
    for (const Event& e : batch.events()) matched += when->Matches(batch, e);
    benchmark::DoNotOptimize(matched);
  }
  SetRates(state);
}
BENCHMARK(BM_WhenEquals);

}  // namespace
}  // namespace logship

BENCHMARK_MAIN();
