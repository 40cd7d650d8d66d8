// SPDX-License-Identifier: Apache-2.0
#include "parsers/add_host_metadata/add_host_metadata_stage.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "src/config/config_reader.h"
#include "src/event/field_ref.h"

namespace logship {
namespace {

enum HostField {
  kName,
  kHostname,
  kArchitecture,
  kOsType,
  kOsFamily,
  kOsName,
  kOsVersion,
  kOsPlatform,
  kOsKernel,
  kOsCodename,
  kId,
  kIp,   // a JSON array
  kMac,  // a JSON array
  kFieldCount
};

constexpr std::array<std::string_view, kFieldCount> kKeys = {
    "host.name",    "host.hostname",   "host.architecture", "host.os.type",   "host.os.family",
    "host.os.name", "host.os.version", "host.os.platform",  "host.os.kernel", "host.os.codename",
    "host.id",      "host.ip",         "host.mac"};

// ["a","b"]; addresses and MACs need no escaping.
std::string JsonArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& s : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += s;
    out += '"';
  }
  out += ']';
  return out;
}

class AddHostMetadataStage final : public Stage {
 public:
  AddHostMetadataStage(const AddHostMetadataOptions& options, HostInfoReadFn read, Clock& clock)
      : options_(options), read_(std::move(read)), clock_(clock) {
    for (std::string_view key : kKeys) refs_.emplace_back(std::string(key));
  }

  void Process(Batch& batch, const EventSelection& selected) override {
    int64_t now = clock_.MonotonicNanos();
    if (now >= next_read_ns_) Read(now);
    if (!have_info_) return;
    // Once per batch: the values into the batch's arena, so a later refresh never changes what a
    // batch already handed to a sink points at.
    size_t n = 0;
    for (int f = 0; f < kFieldCount; ++f) {
      if (texts_[f].empty()) continue;
      std::string_view copy = batch.arena().Copy(texts_[f]);
      values_[n] = {f, (f == kIp || f == kMac) ? Value::Json(copy) : Value::String(copy)};
      ++n;
    }
    ForEachSelected(batch, selected, [&](Event& event, size_t) {
      if (options_.overwrite && !HasHostFields(batch, event)) {
        // Nothing to replace: append (the common case, no lookups).
        for (size_t i = 0; i < n; ++i)
          batch.AddField(event, kKeys[values_[i].first], values_[i].second);
        return;
      }
      for (size_t i = 0; i < n; ++i) {
        SetField(batch, event, refs_[values_[i].first], values_[i].second, options_.overwrite);
      }
    });
  }

 private:
  static bool HasHostFields(const Batch& batch, const Event& event) {
    bool found = false;
    batch.ForEachField(event,
                       [&](const Field& f) { found = found || f.key.substr(0, 5) == "host."; });
    return found;
  }

  void Read(int64_t now) {
    Result<HostInfo> info = read_();
    if (!info.ok()) {
      // Keep what we had; without anything yet, try again soon.
      spdlog::warn("add_host_metadata: cannot read the host's description: {}",
                   info.status().message());
      next_read_ns_ = now + (have_info_ ? options_.refresh.nanos
                                        : std::min<int64_t>(options_.refresh.nanos,
                                                            Duration::Seconds(10).nanos));
      return;
    }
    next_read_ns_ = now + options_.refresh.nanos;
    have_info_ = true;
    const HostInfo& h = *info;
    texts_[kName] = h.name;
    texts_[kHostname] = h.hostname;
    texts_[kArchitecture] = h.architecture;
    texts_[kOsType] = h.os_type;
    texts_[kOsFamily] = h.os_family;
    texts_[kOsName] = h.os_name;
    texts_[kOsVersion] = h.os_version;
    texts_[kOsPlatform] = h.os_platform;
    texts_[kOsKernel] = h.os_kernel;
    texts_[kOsCodename] = h.os_codename;
    texts_[kId] = h.id;
    texts_[kIp] = options_.netinfo && !h.ips.empty() ? JsonArray(h.ips) : std::string();
    texts_[kMac] = options_.netinfo && !h.macs.empty() ? JsonArray(h.macs) : std::string();
  }

  const AddHostMetadataOptions options_;
  HostInfoReadFn read_;
  Clock& clock_;
  std::vector<FieldRef> refs_;  // one per kKeys entry; built once: batches keep their keys
  std::array<std::string, kFieldCount> texts_;  // the current description; empty: not set
  std::array<std::pair<int, Value>, kFieldCount> values_;  // this batch's, in its arena
  bool have_info_ = false;
  int64_t next_read_ns_ = 0;
};

}  // namespace

Result<AddHostMetadataOptions> ParseAddHostMetadataOptions(const ConfigNode& node,
                                                           PluginContext& ctx) {
  AddHostMetadataOptions o;
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline, which passes the selection to Process
  r.Optional("refresh", &o.refresh, Duration::Seconds(300));
  r.Optional("netinfo", &o.netinfo, true);
  r.Optional("overwrite", &o.overwrite, true);
  r.Check(o.refresh.nanos >= Duration::Seconds(1).nanos, "refresh", "must be at least 1s");
  if (!r.Finish()) return Status::InvalidArgument(ctx.component, "invalid options");
  return o;
}

Result<std::unique_ptr<Stage>> MakeAddHostMetadataStage(const ConfigNode& node,
                                                        PluginContext& ctx) {
  Result<AddHostMetadataOptions> options = ParseAddHostMetadataOptions(node, ctx);
  if (!options.ok()) return options.status();
  HostInfoSources sources;
  sources.netinfo = options->netinfo;
  Clock& clock = ctx.clock != nullptr ? *ctx.clock : RealClock();
  return NewAddHostMetadataStage(
      *options, [sources] { return ReadHostInfo(sources); }, clock);
}

std::unique_ptr<Stage> NewAddHostMetadataStage(const AddHostMetadataOptions& options,
                                               HostInfoReadFn read, Clock& clock) {
  return std::make_unique<AddHostMetadataStage>(options, std::move(read), clock);
}

}  // namespace logship
