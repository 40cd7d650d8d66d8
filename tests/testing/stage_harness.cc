// SPDX-License-Identifier: Apache-2.0
#include "tests/testing/stage_harness.h"

#include <gtest/gtest.h>

#include "src/config/config_node.h"
#include "src/event/field_ref.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"

namespace logship::testing {

StageHarness::StageHarness() {
  ctx_.pipeline = "test";
  ctx_.component = "pipelines.test.stages[0]";
  ctx_.base_dir = "/tmp";
  ctx_.data_dir = "/tmp/logship-test-data";
  ctx_.errors = &errors_;
  ctx_.claims = &claims_;
  ctx_.clock = &RealClock();
}

StageHarness::~StageHarness() = default;

std::unique_ptr<Stage> StageHarness::Build(StageFactory factory, std::string_view yaml) {
  Result<ConfigNode> node = ConfigNode::Parse(yaml, "stage.yaml");
  if (!node.ok()) {
    ADD_FAILURE() << node.status().ToString();
    return nullptr;
  }
  // Paths as a pipeline would give them.
  ConfigNode positioned(node->yaml(), std::make_shared<const std::string>("stage.yaml"),
                        "pipelines.test.stages[0]");
  Result<std::unique_ptr<Stage>> stage = factory(positioned, ctx_);
  if (!stage.ok()) return nullptr;
  return std::move(*stage);
}

Batch& StageHarness::Lines(const std::vector<std::string>& lines) {
  batch_ = std::make_unique<Batch>();
  Batch& b = *batch_;
  b.host_name = "test-host";
  b.sources().push_back(BatchSource{1, b.arena().Copy("/var/log/test.log"), 0});
  uint64_t offset = 0;
  for (const std::string& line : lines) {
    Event& e = b.AddEvent();
    e.message = b.arena().Copy(line);
    e.timestamp_ns = 1795515330000000000;  // 2026-11-24T10:15:30Z
    e.offset = offset;
    e.source = 0;
    offset += line.size() + 1;
  }
  b.sources()[0].end_offset = offset;
  return b;
}

std::optional<std::string> StageHarness::Text(size_t i, const std::string& path) {
  std::string scratch;
  FieldRef ref(path);
  std::optional<std::string_view> v = GetFieldText(*batch_, batch_->events()[i], ref, scratch);
  if (!v) return std::nullopt;
  return std::string(*v);
}

std::string StageHarness::Json(size_t i) {
  JsonWriter writer;
  OutputBuffer out;
  writer.WriteEvent(*batch_, batch_->events()[i], out);
  return std::string(out.view());
}

}  // namespace logship::testing
