// SPDX-License-Identifier: Apache-2.0
#pragma once

// Test helpers for stages: build a stage from YAML through its factory (exactly as a pipeline
// file would), make a batch of events from lines, run the stage, and read fields back.
//
//   StageHarness h;
//   std::unique_ptr<Stage> stage = h.Build(&MakeJsonStage, "type: json\ntarget: app\n");
//   Batch& b = h.Lines({R"({"a":1})", "not json"});
//   stage->Process(b, EventSelection::All());
//   EXPECT_EQ(h.Text(0, "app.a"), "1");
//   EXPECT_EQ(h.Json(1), R"({"@timestamp":...})");   // the event as the spool would write it

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/config/config_error.h"
#include "src/event/batch.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/registry.h"

namespace logship::testing {

class StageHarness {
 public:
  StageHarness();
  ~StageHarness();

  // Builds a stage through `factory` from `yaml` (one stage's map). On failure returns nullptr;
  // errors() then holds the messages with positions in "stage.yaml".
  std::unique_ptr<Stage> Build(StageFactory factory, std::string_view yaml);
  const ConfigErrors& errors() const { return errors_; }
  std::string ErrorText() const { return errors_.ToString(); }

  // A fresh batch holding one event per line (message = the line, from file /var/log/test.log at
  // increasing offsets, @timestamp 2026-11-24T10:15:30.000Z, host.name "test-host").
  Batch& Lines(const std::vector<std::string>& lines);
  Batch& batch() { return *batch_; }

  // Field `path` of event `i` as text (GetFieldText), nullopt when unset.
  std::optional<std::string> Text(size_t i, const std::string& path);
  // Event `i` written by JsonWriter, as the spool would.
  std::string Json(size_t i);

  PluginContext& context() { return ctx_; }

 private:
  ConfigErrors errors_;
  ResourceClaims claims_;
  PluginContext ctx_;
  std::unique_ptr<Batch> batch_;
  std::vector<std::string> keep_;  // owns the YAML text and file name
};

}  // namespace logship::testing
