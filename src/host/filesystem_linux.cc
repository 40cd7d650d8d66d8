// SPDX-License-Identifier: Apache-2.0
// filesystem: one event per mounted filesystem of <proc>/self/mounts, sized by statvfs(3).
// Pseudo filesystems are left out the way Metricbeat does it: every type the kernel marks `nodev`
// in <proc>/filesystems (proc, sysfs, tmpfs, cgroup, overlay, …) unless `ignore_types` says
// otherwise. A mount point listed twice (mounted over) is reported once, for the mount on top.
// used.pct is used / (used + available), as df(1) shows it: the blocks reserved for root count
// as neither.

#include <sys/statvfs.h>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/host/metricset.h"

namespace logship {
namespace {

// When <proc>/filesystems cannot be read: the usual nodev types.
constexpr std::string_view kFallbackIgnored[] = {
    "autofs",     "binfmt_misc", "bpf",      "cgroup",   "cgroup2", "configfs",
    "debugfs",    "devpts",      "devtmpfs", "efivarfs", "fusectl", "hugetlbfs",
    "mqueue",     "nsfs",        "overlay",  "proc",     "pstore",  "ramfs",
    "rpc_pipefs", "securityfs",  "sysfs",    "tmpfs",    "tracefs"};

struct Mount {
  std::string device;
  std::string mount_point;
  std::string type;
};

class FilesystemReader final : public MetricsetReader {
 public:
  explicit FilesystemReader(const FilesystemReaderOptions& options) : options_(options) {}

  Status Sample(SampleContext& ctx, MetricEventSink& out) override {
    LoadIgnoredTypes(ctx);
    std::string path = ctx.ProcPath("self/mounts");
    Result<std::string_view> text = ctx.files.Read(path);
    if (!text.ok()) return text.status();
    mounts_.clear();
    last_.clear();
    LineCursor lines(*text);
    while (std::optional<std::string_view> line = lines.Next()) {
      FieldCursor fields(*line);
      std::string_view device = fields.Next();
      std::string_view mount_point = fields.Next();
      std::string_view type = fields.Next();
      if (type.empty()) continue;
      if (Ignored(type)) continue;
      Mount m{UnescapeMountField(device), UnescapeMountField(mount_point), std::string(type)};
      if (!MatchesAnyPattern(options_.mounts, m.mount_point)) continue;
      last_[m.mount_point] = mounts_.size();
      mounts_.push_back(std::move(m));
    }
    for (size_t i = 0; i < mounts_.size(); ++i) {
      const Mount& m = mounts_[i];
      if (last_[m.mount_point] != i) continue;  // mounted over later in the list
      Emit(m, out);
    }
    return Status::Ok();
  }

 private:
  void LoadIgnoredTypes(SampleContext& ctx) {
    ignored_.clear();
    if (options_.ignore_types) {
      ignored_ = *options_.ignore_types;
      return;
    }
    Result<std::string_view> text = ctx.files.Read(ctx.ProcPath("filesystems"));
    if (!text.ok()) {
      for (std::string_view t : kFallbackIgnored) ignored_.emplace_back(t);
      return;
    }
    LineCursor lines(*text);
    while (std::optional<std::string_view> line = lines.Next()) {
      FieldCursor fields(*line);
      if (fields.Next() != "nodev") continue;
      std::string_view type = fields.Next();
      if (!type.empty()) ignored_.emplace_back(type);
    }
  }

  bool Ignored(std::string_view type) const {
    return std::find(ignored_.begin(), ignored_.end(), type) != ignored_.end();
  }

  static void Emit(const Mount& m, MetricEventSink& out) {
    struct statvfs st;
    // A mount that cannot be examined (permissions, gone since the list was read) is skipped.
    if (::statvfs(m.mount_point.c_str(), &st) != 0) return;
    uint64_t unit = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
    uint64_t total = static_cast<uint64_t>(st.f_blocks) * unit;
    if (total == 0) return;  // no storage of its own (pseudo filesystems let in by ignore_types)
    uint64_t free = static_cast<uint64_t>(st.f_bfree) * unit;
    uint64_t available = static_cast<uint64_t>(st.f_bavail) * unit;
    uint64_t used = total >= free ? total - free : 0;
    out.Begin(kFilesystemMetricset);
    out.AddString("system.filesystem.device_name", m.device);
    out.AddString("system.filesystem.mount_point", m.mount_point);
    out.AddString("system.filesystem.type", m.type);
    out.AddInt("system.filesystem.total", static_cast<int64_t>(total));
    out.AddInt("system.filesystem.free", static_cast<int64_t>(free));
    out.AddInt("system.filesystem.available", static_cast<int64_t>(available));
    out.AddInt("system.filesystem.used.bytes", static_cast<int64_t>(used));
    out.AddDouble("system.filesystem.used.pct",
                  RoundMetric(SafeFraction(static_cast<double>(used),
                                           static_cast<double>(used + available))));
    out.AddInt("system.filesystem.files", static_cast<int64_t>(st.f_files));
    out.AddInt("system.filesystem.free_files", static_cast<int64_t>(st.f_ffree));
  }

  const FilesystemReaderOptions options_;
  std::vector<std::string> ignored_;
  std::vector<Mount> mounts_;
  std::unordered_map<std::string, size_t> last_;  // mount point -> its last index in mounts_
};

}  // namespace

std::unique_ptr<MetricsetReader> NewFilesystemReader(const FilesystemReaderOptions& options) {
  return std::make_unique<FilesystemReader>(options);
}

}  // namespace logship
