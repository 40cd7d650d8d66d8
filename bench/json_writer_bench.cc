// SPDX-License-Identifier: Apache-2.0
// Serializer micro-benchmarks: JSON string escaping and whole-event writing, on lines of the
// generator's shape (JSON inside the message, so ~30 quotes per 220 bytes) and on plain text.

#include <benchmark/benchmark.h>

#include <string>

#include "src/event/batch.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"
#include "src/event/utf8.h"

namespace logship {
namespace {

const std::string kJsonLine =
    R"({"ts":"2026-11-25T09:46:40.006Z","level":"info","service":"payments","trace_id":)"
    R"("c08c967f0e5e7b0aa3978fb9","method":"PUT","path":"/api/v1/cart/items","status":204,)"
    R"("latency_ms":244.824,"user_id":9168914,"msg":"retrying after connection reset"})";
const std::string kTextLine =
    "Nov 24 10:15:30 web-1 sshd[1234]: Accepted publickey for deploy from 192.0.2.10 port 52144 "
    "ssh2: ED25519 SHA256:abcdefghijklmnopqrstuvwxyz0123456789 session opened for user deploy";

void BM_EscapeJsonString(benchmark::State& state, const std::string& line) {
  std::string out(MaxEscapedSize(line.size()), '\0');
  for (auto _ : state) {
    char* end = EscapeJsonString(line, out.data());
    benchmark::DoNotOptimize(end);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * line.size()));
}
BENCHMARK_CAPTURE(BM_EscapeJsonString, json_line, kJsonLine);
BENCHMARK_CAPTURE(BM_EscapeJsonString, text_line, kTextLine);

// The values a parsed JSON line is made of: mostly under 16 bytes ("info", "GET", a path).
void BM_EscapeShortStrings(benchmark::State& state) {
  const std::string values[] = {"info", "payments", "PUT", "/api/v1/cart/items",
                                "c08c967f0e5e7b0aa3978fb9", "retrying after reset", "GET", "error"};
  std::string out(MaxEscapedSize(64), '\0');
  size_t bytes = 0;
  for (const std::string& v : values) bytes += v.size();
  for (auto _ : state) {
    for (const std::string& v : values) {
      char* end = EscapeJsonString(v, out.data());
      benchmark::DoNotOptimize(end);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 8));
}
BENCHMARK(BM_EscapeShortStrings);

void BM_WriteEvent(benchmark::State& state) {
  Batch batch;
  batch.host_name = "web-1.example.com";
  batch.sources().push_back(BatchSource{1, "/var/log/app/service.log", 0});
  for (int i = 0; i < 1024; ++i) {
    Event& e = batch.AddEvent();
    e.message = kJsonLine;
    e.timestamp_ns = 1795600000000000000 + i * 1000000;
    e.offset = static_cast<uint64_t>(i) * 231;
    e.source = 0;
  }
  JsonWriter writer;
  OutputBuffer out;
  for (auto _ : state) {
    out.clear();
    for (const Event& e : batch.events()) {
      writer.WriteEvent(batch, e, out);
      out.Push('\n');
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 1024));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * 1024 * kJsonLine.size()));
}
BENCHMARK(BM_WriteEvent);

// Events as a json stage leaves them: the message plus ~11 parsed fields, flat (as most
// application JSON) or dotted (ECS-style loggers), each field a view into the message.
void BM_WriteEventWithFields(benchmark::State& state) {
  const bool dotted = state.range(0) != 0;
  Batch batch;
  batch.host_name = "web-1.example.com";
  batch.sources().push_back(BatchSource{1, "/var/log/app/service.log", 0});
  const char* flat_keys[] = {"ts",     "level",      "service", "trace_id", "method", "path",
                             "status", "latency_ms", "user_id", "msg",      "region"};
  const char* dotted_keys[] = {"ts",          "log.level",     "service.name", "trace.id",
                               "http.method", "url.path",      "http.status",  "event.duration",
                               "user.id",     "event.message", "cloud.region"};
  for (int i = 0; i < 1024; ++i) {
    Event& e = batch.AddEvent();
    e.message = kJsonLine;
    e.timestamp_ns = 1795600000000000000 + i * 1000000;
    e.offset = static_cast<uint64_t>(i) * 231;
    e.source = 0;
    for (int k = 0; k < 11; ++k) {
      const char* key = dotted ? dotted_keys[k] : flat_keys[k];
      Value v = k == 6 || k == 7 || k == 8 ? Value::Json("204") : Value::String("payments");
      batch.AddField(e, key, v);
    }
  }
  JsonWriter writer;
  OutputBuffer out;
  for (auto _ : state) {
    out.clear();
    for (const Event& e : batch.events()) {
      writer.WriteEvent(batch, e, out);
      out.Push('\n');
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 1024));
}
BENCHMARK(BM_WriteEventWithFields)->Arg(0)->Arg(1)->ArgNames({"dotted"});

}  // namespace
}  // namespace logship

BENCHMARK_MAIN();
