// SPDX-License-Identifier: Apache-2.0
// memory and swap from <proc>/meminfo, computed as Metricbeat does on Linux: used = total - free;
// actual.free = MemAvailable (the kernel's estimate of what can be had without swapping; kernels
// before 3.14 lack it: free + buffers + cached); actual.used = total - actual.free.

#include <optional>

#include "src/host/metricset.h"

namespace logship {
namespace {

struct MemInfo {
  std::optional<uint64_t> total, free, available, buffers, cached, swap_total, swap_free;
};

// Reads "Key:   123 kB" lines; values in bytes.
MemInfo ParseMemInfo(std::string_view text) {
  MemInfo m;
  LineCursor lines(text);
  while (std::optional<std::string_view> line = lines.Next()) {
    size_t colon = line->find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line->substr(0, colon);
    std::optional<uint64_t>* slot = nullptr;
    if (key == "MemTotal")
      slot = &m.total;
    else if (key == "MemFree")
      slot = &m.free;
    else if (key == "MemAvailable")
      slot = &m.available;
    else if (key == "Buffers")
      slot = &m.buffers;
    else if (key == "Cached")
      slot = &m.cached;
    else if (key == "SwapTotal")
      slot = &m.swap_total;
    else if (key == "SwapFree")
      slot = &m.swap_free;
    if (slot == nullptr) continue;
    FieldCursor fields(line->substr(colon + 1));
    std::optional<uint64_t> v = fields.NextUint();
    if (!v) continue;
    std::string_view unit = fields.Next();
    *slot = unit == "kB" ? *v * 1024 : *v;
  }
  return m;
}

class MemoryReader final : public MetricsetReader {
 public:
  Status Sample(SampleContext& ctx, MetricEventSink& out) override {
    std::string path = ctx.ProcPath("meminfo");
    Result<std::string_view> text = ctx.files.Read(path);
    if (!text.ok()) return text.status();
    MemInfo m = ParseMemInfo(*text);
    if (!m.total || !m.free || *m.total == 0 || *m.free > *m.total) {
      return Status::Corruption(path, "no usable MemTotal and MemFree");
    }
    uint64_t total = *m.total;
    uint64_t free = *m.free;
    uint64_t used = total - free;
    uint64_t actual_free =
        m.available ? *m.available : free + m.buffers.value_or(0) + m.cached.value_or(0);
    if (actual_free > total) actual_free = total;
    uint64_t actual_used = total - actual_free;
    double t = static_cast<double>(total);
    out.Begin(kMemoryMetricset);
    out.AddInt("system.memory.total", static_cast<int64_t>(total));
    out.AddInt("system.memory.free", static_cast<int64_t>(free));
    out.AddInt("system.memory.used.bytes", static_cast<int64_t>(used));
    out.AddDouble("system.memory.used.pct", RoundMetric(static_cast<double>(used) / t));
    out.AddInt("system.memory.actual.free", static_cast<int64_t>(actual_free));
    out.AddInt("system.memory.actual.used.bytes", static_cast<int64_t>(actual_used));
    out.AddDouble("system.memory.actual.used.pct",
                  RoundMetric(static_cast<double>(actual_used) / t));
    if (m.swap_total && m.swap_free) {
      uint64_t swap_total = *m.swap_total;
      uint64_t swap_free = *m.swap_free <= swap_total ? *m.swap_free : swap_total;
      uint64_t swap_used = swap_total - swap_free;
      out.AddInt("system.memory.swap.total", static_cast<int64_t>(swap_total));
      out.AddInt("system.memory.swap.free", static_cast<int64_t>(swap_free));
      out.AddInt("system.memory.swap.used.bytes", static_cast<int64_t>(swap_used));
      // No swap at all: nothing of it is used.
      out.AddDouble("system.memory.swap.used.pct",
                    RoundMetric(SafeFraction(static_cast<double>(swap_used),
                                             static_cast<double>(swap_total))));
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<MetricsetReader> NewMemoryReader() { return std::make_unique<MemoryReader>(); }

}  // namespace logship
