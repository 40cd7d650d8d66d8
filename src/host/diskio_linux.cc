// SPDX-License-Identifier: Apache-2.0
// diskio: per device of <proc>/diskstats, what it did during the interval (deltas of the kernel's
// cumulative counters): operations, bytes (sectors of 512 bytes, whatever the device's own sector
// size), and milliseconds spent. Devices that never did any I/O (unused loop and ram devices) are
// left out.

#include <optional>

#include "src/host/counter_table.h"
#include "src/host/metricset.h"

namespace logship {
namespace {

// The cumulative counters kept per device, in this order.
enum DiskCounter {
  kReads,
  kSectorsRead,
  kReadMs,
  kWrites,
  kSectorsWritten,
  kWriteMs,
  kIoMs,
  kDiskCounterCount
};

class DiskioReader final : public MetricsetReader {
 public:
  explicit DiskioReader(const DiskioReaderOptions& options) : options_(options) {}

  Status Sample(SampleContext& ctx, MetricEventSink& out) override {
    std::string path = ctx.ProcPath("diskstats");
    Result<std::string_view> text = ctx.files.Read(path);
    if (!text.ok()) return text.status();
    LineCursor lines(*text);
    while (std::optional<std::string_view> line = lines.Next()) {
      FieldCursor fields(*line);
      fields.Next();  // major
      fields.Next();  // minor
      std::string_view name = fields.Next();
      // reads, reads merged, sectors read, ms reading, writes, writes merged, sectors written,
      // ms writing, I/Os in progress, ms doing I/O (the 4.18+ discard and flush fields follow).
      std::optional<uint64_t> v[10];
      bool ok = !name.empty();
      for (auto& x : v) {
        x = fields.NextUint();
        ok = ok && x.has_value();
      }
      if (!ok) continue;  // not a device line
      if (!MatchesAnyPattern(options_.devices, name)) continue;
      Table::Counters cur = {*v[0], *v[2], *v[3], *v[4], *v[6], *v[7], *v[9]};
      bool used = false;
      for (uint64_t c : cur) used = used || c != 0;
      if (!used) continue;
      std::optional<Table::Counters> d = table_.Update(name, cur);
      if (!d) continue;
      out.Begin(kDiskioMetricset);
      out.AddString("system.diskio.name", name);
      out.AddInt("system.diskio.read.count", static_cast<int64_t>((*d)[kReads]));
      out.AddInt("system.diskio.read.bytes", static_cast<int64_t>((*d)[kSectorsRead] * 512));
      out.AddInt("system.diskio.read.time", static_cast<int64_t>((*d)[kReadMs]));
      out.AddInt("system.diskio.write.count", static_cast<int64_t>((*d)[kWrites]));
      out.AddInt("system.diskio.write.bytes", static_cast<int64_t>((*d)[kSectorsWritten] * 512));
      out.AddInt("system.diskio.write.time", static_cast<int64_t>((*d)[kWriteMs]));
      out.AddInt("system.diskio.io.time", static_cast<int64_t>((*d)[kIoMs]));
      out.AddInt("system.diskio.io.ops", static_cast<int64_t>(*v[8]));  // in flight now
    }
    table_.Sweep();
    return Status::Ok();
  }

 private:
  using Table = CounterTable<kDiskCounterCount>;
  const DiskioReaderOptions options_;
  Table table_;
};

}  // namespace

std::unique_ptr<MetricsetReader> NewDiskioReader(const DiskioReaderOptions& options) {
  return std::make_unique<DiskioReader>(options);
}

}  // namespace logship
