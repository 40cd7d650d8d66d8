// SPDX-License-Identifier: Apache-2.0
#pragma once

// The seam between the `host_metrics` input and the operating system. A MetricsetReader reads one
// metricset (cpu, load, memory, filesystem, diskio, network, uptime) once per call and writes what
// it read as events to a MetricEventSink, under Metricbeat's system-module field names
// (system.cpu.total.pct, system.memory.actual.used.pct, …). Each platform implements the factories
// at the end of this file in one file per metricset (cpu_linux.cc, load_linux.cc, …), so another
// platform is one more file each. A reader keeps what it needs between samples (the previous
// counters) and is used from one thread at a time.
//
// Counter-based readers (cpu, diskio, network) report deltas between two samples: their first
// sample only records counters and emits nothing (no made-up zero), and an item whose counters went
// backwards (a reset, a wrap, an interface re-created) emits nothing for that interval and starts
// again from the new values.

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/host/proc_file.h"

namespace logship {

// A metricset's name (metricset.name) and its Elastic dataset (event.dataset).
struct MetricsetId {
  std::string_view name;
  std::string_view dataset;
};
inline constexpr MetricsetId kCpuMetricset{"cpu", "system.cpu"};
inline constexpr MetricsetId kCoreMetricset{"core", "system.core"};  // cpu with per_core: true
inline constexpr MetricsetId kLoadMetricset{"load", "system.load"};
inline constexpr MetricsetId kMemoryMetricset{"memory", "system.memory"};
inline constexpr MetricsetId kFilesystemMetricset{"filesystem", "system.filesystem"};
inline constexpr MetricsetId kDiskioMetricset{"diskio", "system.diskio"};
inline constexpr MetricsetId kNetworkMetricset{"network", "system.network"};
inline constexpr MetricsetId kUptimeMetricset{"uptime", "system.uptime"};

// Where a reader writes its events. Keys must outlive every batch (string literals); string
// values are copied. Fields go to the event begun last.
class MetricEventSink {
 public:
  virtual ~MetricEventSink() = default;
  // Starts an event of `metricset`; the sink adds the fields every metric event has
  // (metricset.name, event.module, event.dataset, …).
  virtual void Begin(const MetricsetId& metricset) = 0;
  virtual void AddInt(std::string_view key, int64_t value) = 0;
  virtual void AddDouble(std::string_view key, double value) = 0;
  virtual void AddString(std::string_view key, std::string_view value) = 0;
};

// What every reader of one input shares: the proc root and a read buffer.
struct SampleContext {
  std::string proc_root = "/proc";  // a synthetic tree in tests
  ProcFileReader files;

  // proc_root + "/" + name.
  std::string ProcPath(std::string_view name) const {
    std::string p = proc_root;
    p += '/';
    p += name;
    return p;
  }
};

class MetricsetReader {
 public:
  virtual ~MetricsetReader() = default;
  // Reads one sample and writes its events to `out`. A file that cannot be read or parsed is a
  // Status naming it (the input logs it and goes on with the other metricsets); an item that
  // cannot be read (one mount point) is skipped without failing the rest.
  virtual Status Sample(SampleContext& ctx, MetricEventSink& out) = 0;
};

// Metricbeat's precision: fractions rounded to 4 decimals.
inline double RoundMetric(double v) { return std::round(v * 10000.0) / 10000.0; }

// `numerator / denominator`, or 0 when the denominator is 0.
inline double SafeFraction(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : 0.0;
}

// cur - prev for a monotonic counter; nullopt when it went backwards (reset or wrap).
inline std::optional<uint64_t> CounterDelta(uint64_t prev, uint64_t cur) {
  if (cur < prev) return std::nullopt;
  return cur - prev;
}

struct CpuReaderOptions {
  bool per_core = false;  // also one `core` event per CPU
};
struct FilesystemReaderOptions {
  std::vector<std::string> mounts;  // fnmatch patterns on the mount point; empty: every mount
  // Filesystem types left out; unset: the types the kernel marks `nodev` in <proc>/filesystems
  // (proc, sysfs, tmpfs, cgroup, overlay, …), Metricbeat's default.
  std::optional<std::vector<std::string>> ignore_types;
};
struct DiskioReaderOptions {
  std::vector<std::string> devices;  // fnmatch patterns on the device name; empty: every device
};
struct NetworkReaderOptions {
  std::vector<std::string> interfaces;  // fnmatch patterns on the interface; empty: every one
};

// The platform's readers (Linux: *_linux.cc, reading <proc_root> and statvfs).
std::unique_ptr<MetricsetReader> NewCpuReader(const CpuReaderOptions& options);
std::unique_ptr<MetricsetReader> NewLoadReader();
std::unique_ptr<MetricsetReader> NewMemoryReader();
std::unique_ptr<MetricsetReader> NewFilesystemReader(const FilesystemReaderOptions& options);
std::unique_ptr<MetricsetReader> NewDiskioReader(const DiskioReaderOptions& options);
std::unique_ptr<MetricsetReader> NewNetworkReader(const NetworkReaderOptions& options);
std::unique_ptr<MetricsetReader> NewUptimeReader();

// True when `name` matches one of `patterns` (fnmatch, '*' also crossing '/'), or when there are
// no patterns.
bool MatchesAnyPattern(const std::vector<std::string>& patterns, std::string_view name);

}  // namespace logship
