// SPDX-License-Identifier: Apache-2.0
// load from <proc>/loadavg, normalised by the number of CPUs <proc>/stat lists (Metricbeat's
// system.load.norm.*).

#include <optional>

#include "src/host/metricset.h"

namespace logship {
namespace {

class LoadReader final : public MetricsetReader {
 public:
  Status Sample(SampleContext& ctx, MetricEventSink& out) override {
    Result<std::string_view> stat = ctx.files.Read(ctx.ProcPath("stat"));
    if (!stat.ok()) return stat.status();
    int cores = CountCpus(*stat);
    if (cores <= 0) return Status::Corruption(ctx.ProcPath("stat"), "no cpu lines");
    std::string path = ctx.ProcPath("loadavg");
    Result<std::string_view> text = ctx.files.Read(path);
    if (!text.ok()) return text.status();
    FieldCursor fields(*text);
    std::optional<double> l1 = fields.NextDouble();
    std::optional<double> l5 = fields.NextDouble();
    std::optional<double> l15 = fields.NextDouble();
    if (!l1 || !l5 || !l15) {
      return Status::Corruption(
          path, "expected three load averages, got '" + std::string(text->substr(0, 64)) + "'");
    }
    double n = cores;
    out.Begin(kLoadMetricset);
    out.AddDouble("system.load.1", *l1);
    out.AddDouble("system.load.5", *l5);
    out.AddDouble("system.load.15", *l15);
    out.AddDouble("system.load.norm.1", RoundMetric(*l1 / n));
    out.AddDouble("system.load.norm.5", RoundMetric(*l5 / n));
    out.AddDouble("system.load.norm.15", RoundMetric(*l15 / n));
    out.AddInt("system.load.cores", cores);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<MetricsetReader> NewLoadReader() { return std::make_unique<LoadReader>(); }

}  // namespace logship
