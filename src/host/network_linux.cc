// SPDX-License-Identifier: Apache-2.0
// network: per interface of <proc>/net/dev, what it received and sent during the interval (deltas
// of the kernel's cumulative counters): bytes, packets, errors and drops.

#include <optional>

#include "src/host/counter_table.h"
#include "src/host/metricset.h"

namespace logship {
namespace {

enum NetCounter {
  kInBytes,
  kInPackets,
  kInErrors,
  kInDropped,
  kOutBytes,
  kOutPackets,
  kOutErrors,
  kOutDropped,
  kNetCounterCount
};

constexpr std::string_view kKeys[kNetCounterCount] = {
    "system.network.in.bytes",   "system.network.in.packets", "system.network.in.errors",
    "system.network.in.dropped", "system.network.out.bytes",  "system.network.out.packets",
    "system.network.out.errors", "system.network.out.dropped"};

class NetworkReader final : public MetricsetReader {
 public:
  explicit NetworkReader(const NetworkReaderOptions& options) : options_(options) {}

  Status Sample(SampleContext& ctx, MetricEventSink& out) override {
    std::string path = ctx.ProcPath("net/dev");
    Result<std::string_view> text = ctx.files.Read(path);
    if (!text.ok()) return text.status();
    LineCursor lines(*text);
    while (std::optional<std::string_view> line = lines.Next()) {
      // "  eth0: 1234 5 0 0 0 0 0 0 6789 …"; the two header lines have no ':'.
      size_t colon = line->find(':');
      if (colon == std::string_view::npos) continue;
      FieldCursor name_field(line->substr(0, colon));
      std::string_view name = name_field.Next();
      FieldCursor fields(line->substr(colon + 1));
      // Receive: bytes packets errs drop fifo frame compressed multicast; then transmit: bytes
      // packets errs drop fifo colls carrier compressed.
      std::optional<uint64_t> v[16];
      bool ok = !name.empty();
      for (auto& x : v) {
        x = fields.NextUint();
        ok = ok && x.has_value();
      }
      if (!ok) continue;
      if (!MatchesAnyPattern(options_.interfaces, name)) continue;
      Table::Counters cur = {*v[0], *v[1], *v[2], *v[3], *v[8], *v[9], *v[10], *v[11]};
      std::optional<Table::Counters> d = table_.Update(name, cur);
      if (!d) continue;
      out.Begin(kNetworkMetricset);
      out.AddString("system.network.name", name);
      for (int i = 0; i < kNetCounterCount; ++i) {
        out.AddInt(kKeys[i], static_cast<int64_t>((*d)[i]));
      }
    }
    table_.Sweep();
    return Status::Ok();
  }

 private:
  using Table = CounterTable<kNetCounterCount>;
  const NetworkReaderOptions options_;
  Table table_;
};

}  // namespace

std::unique_ptr<MetricsetReader> NewNetworkReader(const NetworkReaderOptions& options) {
  return std::make_unique<NetworkReader>(options);
}

}  // namespace logship
