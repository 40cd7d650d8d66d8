// SPDX-License-Identifier: Apache-2.0
#include "src/tail/checkpoint_history.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <utility>

#include "src/base/status_macros.h"

namespace logship {
namespace {

constexpr size_t kNameLength = 16;  // "20260124T101530Z"
constexpr int64_t kNanosPerSecond = 1'000'000'000;

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Unix seconds of a UTC civil time; false when a field is out of range (Feb 30, hour 24, …).
bool CivilToUnix(int year, int month, int day, int hour, int minute, int second, int64_t& out) {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return false;
  }
  struct tm tm = {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second == 60 ? 59 : second;  // a leap second sorts with the second before it
  time_t t = ::timegm(&tm);
  // timegm normalises (Feb 30 becomes Mar 2): a changed day means the date did not exist.
  if (tm.tm_mday != day || tm.tm_mon != month - 1) return false;
  out = static_cast<int64_t>(t);
  return true;
}

bool ParseName(std::string_view s, int64_t& out) {
  int y, mo, d, h, mi, se;
  if (s.size() != kNameLength || (s[8] != 'T') || s[15] != 'Z') return false;
  if (!Digits(s, 0, 4, y) || !Digits(s, 4, 2, mo) || !Digits(s, 6, 2, d) || !Digits(s, 9, 2, h) ||
      !Digits(s, 11, 2, mi) || !Digits(s, 13, 2, se)) {
    return false;
  }
  return CivilToUnix(y, mo, d, h, mi, se, out);
}

bool ParseRfc3339(std::string_view s, int64_t& out) {
  int y, mo, d, h, mi, se;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':') return false;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  if (!Digits(s, 0, 4, y) || !Digits(s, 5, 2, mo) || !Digits(s, 8, 2, d) || !Digits(s, 11, 2, h) ||
      !Digits(s, 14, 2, mi) || !Digits(s, 17, 2, se)) {
    return false;
  }
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return false;
  }
  int64_t offset = 0;
  std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int zh, zm;
    if (!Digits(zone, 1, 2, zh) || !Digits(zone, 4, 2, zm) || zh > 23 || zm > 59) return false;
    offset = (zh * 3600 + zm * 60) * (zone[0] == '-' ? -1 : 1);
  } else {
    return false;
  }
  int64_t local = 0;
  if (!CivilToUnix(y, mo, d, h, mi, se, local)) return false;
  out = local - offset;
  return true;
}

}  // namespace

std::string FormatSnapshotName(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm = {};
  ::gmtime_r(&t, &tm);
  char buf[64];  // room for any int year the compiler can imagine
  std::snprintf(buf, sizeof(buf), "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string FormatRfc3339(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm = {};
  ::gmtime_r(&t, &tm);
  char buf[64];  // room for any int year the compiler can imagine
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

Result<int64_t> ParseSnapshotTime(std::string_view text) {
  int64_t out = 0;
  if (ParseName(text, out) || ParseRfc3339(text, out)) return out;
  return Status::InvalidArgument(
      "'" + std::string(text) + "'",
      "not a snapshot name (like 20260124T101500Z) nor an RFC 3339 time (like "
      "2026-01-24T10:15:00Z or 2026-01-24T11:15:00+01:00)");
}

CheckpointHistory::CheckpointHistory(FileSystem* fs, std::string dir, std::string store,
                                     CheckpointHistoryOptions options)
    : fs_(fs), dir_(std::move(dir)), store_(std::move(store)), options_(options) {}

Result<CheckpointHistory> CheckpointHistory::Open(FileSystem& fs, std::string dir,
                                                  std::string store,
                                                  CheckpointHistoryOptions options) {
  CheckpointHistory h(&fs, std::move(dir), std::move(store), options);
  if (options.keep == 0) return h;
  // Temp files of snapshots a crash interrupted: never a snapshot, only debris.
  Result<std::vector<DirEntry>> entries = fs.ListDir(h.dir_);
  if (entries.ok()) {
    const std::string prefix = h.store_ + ".";
    for (const DirEntry& e : *entries) {
      std::string_view name = e.name;
      if (e.is_dir || name.size() != prefix.size() + kNameLength + 4 ||
          name.substr(0, prefix.size()) != prefix || name.substr(name.size() - 4) != ".tmp") {
        continue;
      }
      int64_t ignored = 0;
      if (ParseName(name.substr(prefix.size(), kNameLength), ignored)) {
        (void)fs.Remove(JoinPath(h.dir_, name));
      }
    }
  }
  LOGSHIP_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, List(fs, h.dir_, h.store_));
  if (!snapshots.empty()) {
    const SnapshotInfo& newest = snapshots.back();
    h.last_interval_ = h.IntervalOf(newest.unix_seconds * kNanosPerSecond);
    // A newest snapshot that cannot be read is simply not compared with: the next is written.
    Result<Checkpoints> last = Read(fs, newest);
    if (last.ok()) {
      h.last_files_ = std::move(last->files);
      h.have_last_ = true;
    }
  }
  return h;
}

Result<std::vector<SnapshotInfo>> CheckpointHistory::List(FileSystem& fs, const std::string& dir,
                                                          const std::string& store) {
  std::vector<SnapshotInfo> out;
  Result<std::vector<DirEntry>> entries = fs.ListDir(dir);
  if (!entries.ok()) {
    if (entries.status().IsNotFound()) return out;
    return entries.status().WithContext("checkpoint history");
  }
  const std::string prefix = store + ".";
  for (const DirEntry& e : *entries) {
    std::string_view name = e.name;
    if (e.is_dir || name.size() != prefix.size() + kNameLength ||
        name.substr(0, prefix.size()) != prefix) {
      continue;
    }
    SnapshotInfo s;
    s.name = std::string(name.substr(prefix.size()));
    if (!ParseName(s.name, s.unix_seconds)) continue;
    s.path = JoinPath(dir, name);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const SnapshotInfo& a, const SnapshotInfo& b) { return a.name < b.name; });
  return out;
}

const SnapshotInfo* CheckpointHistory::AtOrBefore(const std::vector<SnapshotInfo>& snapshots,
                                                  int64_t unix_seconds) {
  const SnapshotInfo* best = nullptr;
  for (const SnapshotInfo& s : snapshots) {
    if (s.unix_seconds <= unix_seconds) best = &s;  // sorted: the last one wins
  }
  return best;
}

Result<Checkpoints> CheckpointHistory::Read(FileSystem& fs, const SnapshotInfo& snapshot) {
  LOGSHIP_ASSIGN_OR_RETURN(
      CheckpointStore store,
      CheckpointStore::Open(fs, DirName(snapshot.path),
                            snapshot.path.substr(DirName(snapshot.path).size() + 1)));
  LOGSHIP_ASSIGN_OR_RETURN(LoadedCheckpoints loaded, store.Peek());
  if (loaded.loaded_from.empty()) {
    return Status::NotFound("checkpoint snapshot '" + snapshot.path + "'", "no longer exists");
  }
  return std::move(loaded.checkpoints);
}

int64_t CheckpointHistory::IntervalOf(int64_t unix_ns) const {
  const int64_t step = std::max<int64_t>(options_.interval.nanos, kNanosPerSecond);
  // Floor division: the clock may read before 1970 in a broken VM; the order must still hold.
  return unix_ns >= 0 ? unix_ns / step : -((-unix_ns + step - 1) / step);
}

bool CheckpointHistory::Due(int64_t now_unix_ns) const {
  return options_.keep > 0 && IntervalOf(now_unix_ns) > last_interval_;
}

int64_t CheckpointHistory::UntilNextInterval(int64_t now_unix_ns) const {
  const int64_t step = std::max<int64_t>(options_.interval.nanos, kNanosPerSecond);
  return (IntervalOf(now_unix_ns) + 1) * step - now_unix_ns;
}

Status CheckpointHistory::Take(const Checkpoints& state, int64_t now_unix_ns) {
  last_interval_ = IntervalOf(now_unix_ns);
  if (have_last_ && state.files == last_files_) return Status::Ok();
  const int64_t seconds = now_unix_ns / kNanosPerSecond;
  const std::string file = store_ + "." + FormatSnapshotName(seconds);
  // A snapshot of this very second exists (the clock went back): keep it rather than stack a
  // `.prev` copy beside it.
  if (!fs_->Exists(JoinPath(dir_, file))) {
    LOGSHIP_ASSIGN_OR_RETURN(CheckpointStore store, CheckpointStore::Open(*fs_, dir_, file));
    Checkpoints copy = state;
    copy.saved_unix_nanos = now_unix_ns;
    LOGSHIP_RETURN_IF_ERROR(store.Save(copy));
  }
  last_files_ = state.files;
  have_last_ = true;
  return Prune();
}

Status CheckpointHistory::Prune() {
  LOGSHIP_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, List(*fs_, dir_, store_));
  if (snapshots.size() <= options_.keep) return Status::Ok();
  const size_t excess = snapshots.size() - options_.keep;
  for (size_t i = 0; i < excess; ++i) {
    Status st = fs_->Remove(snapshots[i].path);
    if (!st.ok() && !st.IsNotFound()) return st.WithContext("checkpoint history");
  }
  return Status::Ok();
}

}  // namespace logship
