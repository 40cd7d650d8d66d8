// SPDX-License-Identifier: Apache-2.0
// uptime from <proc>/uptime (seconds since boot, with a fraction).

#include <cmath>
#include <optional>

#include "src/host/metricset.h"

namespace logship {
namespace {

class UptimeReader final : public MetricsetReader {
 public:
  Status Sample(SampleContext& ctx, MetricEventSink& out) override {
    std::string path = ctx.ProcPath("uptime");
    Result<std::string_view> text = ctx.files.Read(path);
    if (!text.ok()) return text.status();
    FieldCursor fields(*text);
    std::optional<double> seconds = fields.NextDouble();
    if (!seconds || *seconds < 0) {
      return Status::Corruption(
          path, "expected seconds since boot, got '" + std::string(text->substr(0, 64)) + "'");
    }
    out.Begin(kUptimeMetricset);
    out.AddInt("system.uptime.duration.ms", static_cast<int64_t>(std::llround(*seconds * 1000)));
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<MetricsetReader> NewUptimeReader() { return std::make_unique<UptimeReader>(); }

}  // namespace logship
