// SPDX-License-Identifier: Apache-2.0
// cpu (and per-core `core`) from the tick counters of <proc>/stat. Fractions are deltas of ticks
// between two samples over the ticks that passed. As in Metricbeat, system.cpu.<state>.pct is the
// fraction of one CPU times the number of CPUs (0..cores) and system.cpu.<state>.norm.pct the
// fraction of the whole machine (0..1); total is everything but idle and iowait (time waiting for
// I/O is idle time). system.core.<state>.pct is the fraction of that one CPU.

#include <array>
#include <optional>
#include <vector>

#include "src/host/metricset.h"

namespace logship {
namespace {

// The states of a cpu line, in /proc/stat's order. guest and guest_nice are already counted in
// user and nice, so they are left out.
enum CpuState { kUser, kNice, kSystem, kIdle, kIowait, kIrq, kSoftirq, kSteal, kStateCount };

using Ticks = std::array<uint64_t, kStateCount>;

struct StateKeys {
  std::string_view pct;       // system.cpu.<state>.pct
  std::string_view norm_pct;  // system.cpu.<state>.norm.pct
  std::string_view core_pct;  // system.core.<state>.pct
};
constexpr std::array<StateKeys, kStateCount> kKeys = {{
    {"system.cpu.user.pct", "system.cpu.user.norm.pct", "system.core.user.pct"},
    {"system.cpu.nice.pct", "system.cpu.nice.norm.pct", "system.core.nice.pct"},
    {"system.cpu.system.pct", "system.cpu.system.norm.pct", "system.core.system.pct"},
    {"system.cpu.idle.pct", "system.cpu.idle.norm.pct", "system.core.idle.pct"},
    {"system.cpu.iowait.pct", "system.cpu.iowait.norm.pct", "system.core.iowait.pct"},
    {"system.cpu.irq.pct", "system.cpu.irq.norm.pct", "system.core.irq.pct"},
    {"system.cpu.softirq.pct", "system.cpu.softirq.norm.pct", "system.core.softirq.pct"},
    {"system.cpu.steal.pct", "system.cpu.steal.norm.pct", "system.core.steal.pct"},
}};

// Parses the numbers after "cpu"/"cpuN"; states a kernel does not report (old kernels lack steal)
// count as 0. nullopt when the line is malformed.
std::optional<Ticks> ParseTicks(FieldCursor& fields) {
  Ticks t{};
  for (int i = 0; i < kStateCount; ++i) {
    std::string_view f = fields.Next();
    if (f.empty()) {
      if (i < kIdle + 1) return std::nullopt;  // user, nice, system and idle are always there
      break;
    }
    std::optional<uint64_t> v = ParseUint(f);
    if (!v) return std::nullopt;
    t[i] = *v;
  }
  return t;
}

// The ticks each state gained since `prev`. nullopt when the counters were reset (their sum went
// backwards: a CPU went offline and back). A single state that went backwards counts as 0:
// proc(5) says iowait may decrease.
std::optional<Ticks> Delta(const Ticks& prev, const Ticks& cur) {
  uint64_t prev_sum = 0, cur_sum = 0;
  for (int i = 0; i < kStateCount; ++i) {
    prev_sum += prev[i];
    cur_sum += cur[i];
  }
  if (cur_sum < prev_sum) return std::nullopt;
  Ticks d{};
  for (int i = 0; i < kStateCount; ++i) d[i] = cur[i] >= prev[i] ? cur[i] - prev[i] : 0;
  return d;
}

uint64_t Sum(const Ticks& t) {
  uint64_t s = 0;
  for (uint64_t v : t) s += v;
  return s;
}

class CpuReader final : public MetricsetReader {
 public:
  explicit CpuReader(const CpuReaderOptions& options) : options_(options) {}

  Status Sample(SampleContext& ctx, MetricEventSink& out) override {
    std::string path = ctx.ProcPath("stat");
    Result<std::string_view> text = ctx.files.Read(path);
    if (!text.ok()) return text.status();
    std::optional<Ticks> total;
    cores_.clear();
    LineCursor lines(*text);
    while (std::optional<std::string_view> line = lines.Next()) {
      if (line->substr(0, 3) != "cpu") continue;
      FieldCursor fields(*line);
      std::string_view name = fields.Next();
      std::optional<Ticks> ticks = ParseTicks(fields);
      if (!ticks) return Status::Corruption(path, "malformed line '" + std::string(*line) + "'");
      if (name == "cpu") {
        total = *ticks;
        continue;
      }
      std::optional<uint64_t> id = ParseUint(name.substr(3));
      if (!id || *id > 1'000'000) {
        return Status::Corruption(path, "malformed line '" + std::string(*line) + "'");
      }
      cores_.push_back({static_cast<size_t>(*id), *ticks});
    }
    if (!total || cores_.empty()) return Status::Corruption(path, "no cpu lines");
    int cores = static_cast<int>(cores_.size());
    // The machine's total only compares with a sample that saw as many CPUs.
    if (prev_total_ && prev_cores_ == cores) EmitTotal(*prev_total_, *total, cores, out);
    prev_total_ = total;
    prev_cores_ = cores;
    if (options_.per_core) EmitCores(out);
    return Status::Ok();
  }

 private:
  struct Core {
    size_t id;
    Ticks ticks;
  };

  void EmitTotal(const Ticks& prev, const Ticks& cur, int cores, MetricEventSink& out) {
    std::optional<Ticks> d = Delta(prev, cur);
    if (!d) return;
    double elapsed = static_cast<double>(Sum(*d));
    if (elapsed <= 0) return;  // sampled twice within one tick: nothing to say
    out.Begin(kCpuMetricset);
    out.AddInt("system.cpu.cores", cores);
    double n = cores;
    for (int i = 0; i < kStateCount; ++i) {
      double f = static_cast<double>((*d)[i]) / elapsed;
      out.AddDouble(kKeys[i].pct, RoundMetric(f * n));
      out.AddDouble(kKeys[i].norm_pct, RoundMetric(f));
    }
    double busy = static_cast<double>(Sum(*d) - (*d)[kIdle] - (*d)[kIowait]) / elapsed;
    out.AddDouble("system.cpu.total.pct", RoundMetric(busy * n));
    out.AddDouble("system.cpu.total.norm.pct", RoundMetric(busy));
    out.AddDouble("host.cpu.usage", RoundMetric(busy));  // ECS, for Kibana's host views
  }

  void EmitCores(MetricEventSink& out) {
    for (const Core& c : cores_) {
      if (c.id >= prev_core_ticks_.size()) prev_core_ticks_.resize(c.id + 1);
      std::optional<Ticks>& prev = prev_core_ticks_[c.id];
      if (prev) {
        std::optional<Ticks> d = Delta(*prev, c.ticks);
        double elapsed = d ? static_cast<double>(Sum(*d)) : 0;
        if (elapsed > 0) {
          out.Begin(kCoreMetricset);
          out.AddInt("system.core.id", static_cast<int64_t>(c.id));
          for (int i = 0; i < kStateCount; ++i) {
            out.AddDouble(kKeys[i].core_pct, RoundMetric(static_cast<double>((*d)[i]) / elapsed));
          }
          double busy = static_cast<double>(Sum(*d) - (*d)[kIdle] - (*d)[kIowait]) / elapsed;
          out.AddDouble("system.core.total.pct", RoundMetric(busy));
        }
      }
      prev = c.ticks;
    }
    // A CPU missing from this sample (taken offline) starts afresh when it comes back.
    for (size_t id = 0; id < prev_core_ticks_.size(); ++id) {
      bool present = false;
      for (const Core& c : cores_) present = present || c.id == id;
      if (!present) prev_core_ticks_[id].reset();
    }
  }

  const CpuReaderOptions options_;
  std::vector<Core> cores_;  // this sample's per-CPU lines, reused
  std::optional<Ticks> prev_total_;
  int prev_cores_ = 0;
  std::vector<std::optional<Ticks>> prev_core_ticks_;  // by CPU id
};

}  // namespace

std::unique_ptr<MetricsetReader> NewCpuReader(const CpuReaderOptions& options) {
  return std::make_unique<CpuReader>(options);
}

}  // namespace logship
