// SPDX-License-Identifier: Apache-2.0
#include "src/host/host_metrics_options.h"

#include <algorithm>

#include "src/config/config_reader.h"

namespace logship {
namespace {

std::string KnownMetricsets() {
  std::string s;
  for (std::string_view m : kAllMetricsets) {
    if (!s.empty()) s += ", ";
    s += m;
  }
  return s;
}

bool Enabled(const HostMetricsOptions& o, std::string_view metricset) {
  return std::find(o.metricsets.begin(), o.metricsets.end(), metricset) != o.metricsets.end();
}

// Checks a list of fnmatch patterns read from option `option`.
void CheckPatterns(ConfigReader& r, std::string_view key,
                   const std::vector<std::string>& patterns) {
  for (const std::string& p : patterns) {
    if (p.empty()) r.Error(key, "patterns must not be empty");
  }
}

// Reads the map of one metricset's options (`cpu:`, `filesystem:`, …) when it is present.
// `read` declares its keys on the nested reader.
template <class Fn>
void ReadMetricsetMap(const ConfigNode& node, std::string_view metricset,
                      const HostMetricsOptions& o, ConfigErrors& errors, Fn&& read) {
  if (node.IsNull()) return;
  if (!Enabled(o, metricset)) {
    errors.Add(node.position(), "option '" + std::string(metricset) + "': the " +
                                    std::string(metricset) +
                                    " metricset is not in 'metricsets', so these options would "
                                    "have no effect");
    return;
  }
  ConfigReader r(node, errors);
  read(r);
  r.Finish();
}

}  // namespace

Result<HostMetricsOptions> ParseHostMetricsOptions(const ConfigNode& node, PluginContext& ctx) {
  HostMetricsOptions o;
  ConfigErrors& errors = *ctx.errors;
  size_t errors_before = errors.size();
  ConfigReader r(node, errors);
  r.Ignore("type");
  std::vector<std::string> all(std::begin(kAllMetricsets), std::end(kAllMetricsets));
  std::string proc_root;
  ConfigNode cpu, filesystem, diskio, network;
  r.Optional("interval", &o.interval, Duration::Seconds(10));
  r.Optional("metricsets", &o.metricsets, all);
  r.Optional("proc_root", &proc_root, std::string("/proc"));
  r.Optional("cpu", &cpu, ConfigNode());
  r.Optional("filesystem", &filesystem, ConfigNode());
  r.Optional("diskio", &diskio, ConfigNode());
  r.Optional("network", &network, ConfigNode());
  r.Check(o.interval.nanos >= Duration::Millis(10).nanos, "interval", "must be at least 10ms");
  r.Check(!o.metricsets.empty(), "metricsets",
          "must name at least one metricset (" + KnownMetricsets() + ")");
  r.Check(!proc_root.empty(), "proc_root", "must not be empty");
  std::vector<std::string> seen;
  for (const std::string& m : o.metricsets) {
    if (std::find(all.begin(), all.end(), m) == all.end()) {
      r.Error("metricsets", "unknown metricset '" + m + "', known: " + KnownMetricsets());
    } else if (std::find(seen.begin(), seen.end(), m) != seen.end()) {
      r.Error("metricsets", "metricset '" + m + "' is listed twice");
    }
    seen.push_back(m);
  }
  if (!proc_root.empty()) o.proc_root = ctx.ResolvePath(proc_root);

  ReadMetricsetMap(cpu, "cpu", o, errors,
                   [&](ConfigReader& c) { c.Optional("per_core", &o.cpu.per_core, false); });
  ReadMetricsetMap(filesystem, "filesystem", o, errors, [&](ConfigReader& f) {
    ConfigNode ignore_types;
    f.Optional("mounts", &o.filesystem.mounts, std::vector<std::string>{});
    f.Optional("ignore_types", &ignore_types, ConfigNode());
    CheckPatterns(f, "mounts", o.filesystem.mounts);
    // An explicit empty list means "every type", which an unset option does not.
    if (!ignore_types.IsNull()) {
      std::vector<std::string> types;
      f.Decode(ignore_types, &types);
      o.filesystem.ignore_types = std::move(types);
    }
  });
  ReadMetricsetMap(diskio, "diskio", o, errors, [&](ConfigReader& d) {
    d.Optional("devices", &o.diskio.devices, std::vector<std::string>{});
    CheckPatterns(d, "devices", o.diskio.devices);
  });
  ReadMetricsetMap(network, "network", o, errors, [&](ConfigReader& n) {
    n.Optional("interfaces", &o.network.interfaces, std::vector<std::string>{});
    CheckPatterns(n, "interfaces", o.network.interfaces);
  });
  r.Finish();
  if (errors.size() != errors_before)
    return Status::InvalidArgument(ctx.component, "invalid options");
  return o;
}

}  // namespace logship
