// SPDX-License-Identifier: Apache-2.0
#include "parsers/fields/drop_stage.h"

#include <atomic>

#include "src/base/status_macros.h"
#include "src/config/config_reader.h"

namespace logship {
namespace {

class DropStage final : public Stage {
 public:
  void Process(Batch& batch, const EventSelection& selected) override {
    uint64_t n = 0;
    ForEachSelected(batch, selected, [&](Event& event, size_t) {
      event.dropped = true;
      ++n;
    });
    // Once per batch, never per event (STYLE 7.9). /metrics does not read this count: the
    // pipeline counts every dropped event (logship_events_dropped_total, Pipeline::Count).
    if (n > 0) dropped_.fetch_add(n, std::memory_order_relaxed);
  }

  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace

Result<DropOptions> ParseDropOptions(const ConfigNode& node, PluginContext& ctx) {
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline, which passes the selection to Process
  r.Check(!node.Get("when").IsNull(), "",
          "drop without 'when' drops every event; add a condition, e.g. when: {field: "
          "log.level, equals: debug}");
  if (!r.Finish()) return Status::InvalidArgument(ctx.component, "invalid options");
  return DropOptions{};
}

Result<std::unique_ptr<Stage>> MakeDropStage(const ConfigNode& node, PluginContext& ctx) {
  LOGSHIP_ASSIGN_OR_RETURN([[maybe_unused]] DropOptions options, ParseDropOptions(node, ctx));
  return std::unique_ptr<Stage>(std::make_unique<DropStage>());
}

uint64_t DroppedEventCount(const Stage& stage) {
  const auto* drop = dynamic_cast<const DropStage*>(&stage);
  return drop != nullptr ? drop->dropped() : 0;
}

}  // namespace logship
