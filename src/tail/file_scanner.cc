// SPDX-License-Identifier: Apache-2.0
#include "src/tail/file_scanner.h"

#include <algorithm>
#include <set>
#include <utility>

namespace logship {

FileScanner::FileScanner(std::vector<Glob> include, std::vector<Glob> exclude, FileSystem& fs)
    : fs_(&fs), include_(std::move(include)), exclude_(std::move(exclude)) {}

bool FileScanner::Excluded(const std::string& path) const {
  for (const Glob& g : exclude_) {
    if (g.Matches(path)) return true;
  }
  return false;
}

ScanResult FileScanner::Scan() const {
  ScanResult out;
  out.matches_per_include.assign(include_.size(), 0);
  for (size_t i = 0; i < include_.size(); ++i) {
    const Glob& glob = include_[i];
    if (glob.literal()) {
      Result<FileInfo> info = fs_->Stat(glob.pattern());
      if (info.ok()) Consider(glob.pattern(), *info, static_cast<int>(i), out);
      Result<FileInfo> dir = fs_->Stat(glob.base_dir());
      if (dir.ok() && dir->type == FileInfo::Type::kDirectory) out.dirs.push_back(glob.base_dir());
      continue;
    }
    std::vector<std::pair<uint64_t, uint64_t>> seen_dirs;  // guards against symlink loops
    Walk(glob, static_cast<int>(i), glob.base_dir(), out, seen_dirs);
  }
  // One entry per inode: the first path found wins (pattern order, then walk order).
  std::set<std::pair<uint64_t, uint64_t>> seen;
  std::vector<FoundFile> unique;
  unique.reserve(out.files.size());
  for (FoundFile& f : out.files) {
    if (seen.insert({f.device, f.inode}).second) unique.push_back(std::move(f));
  }
  out.files = std::move(unique);
  std::sort(out.dirs.begin(), out.dirs.end());
  out.dirs.erase(std::unique(out.dirs.begin(), out.dirs.end()), out.dirs.end());
  return out;
}

void FileScanner::Consider(const std::string& path, const FileInfo& info, int index,
                           ScanResult& out) const {
  if (Excluded(path)) return;
  if (!info.regular()) {
    out.skipped.push_back(SkippedPath{path, info.TypeName()});
    return;
  }
  ++out.matches_per_include[static_cast<size_t>(index)];
  out.files.push_back(FoundFile{path, info.device, info.inode, info.size, index});
}

void FileScanner::Walk(const Glob& glob, int index, const std::string& dir, ScanResult& out,
                       std::vector<std::pair<uint64_t, uint64_t>>& seen_dirs) const {
  Result<FileInfo> dinfo = fs_->Stat(dir);
  if (!dinfo.ok() || dinfo->type != FileInfo::Type::kDirectory) return;
  std::pair<uint64_t, uint64_t> id{dinfo->device, dinfo->inode};
  if (std::find(seen_dirs.begin(), seen_dirs.end(), id) != seen_dirs.end()) return;
  seen_dirs.push_back(id);
  Result<std::vector<DirEntry>> listed = fs_->ListDir(dir);
  if (!listed.ok()) return;
  out.dirs.push_back(dir);
  std::vector<DirEntry>& entries = *listed;
  // Sorted, so discovery order (and thus which of two links wins) does not depend on the disk.
  std::sort(entries.begin(), entries.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  std::string path;
  for (const DirEntry& e : entries) {
    path = dir == "/" ? "/" + e.name : dir + "/" + e.name;
    const bool below = glob.CouldMatchBelow(path);
    const bool matches = glob.Matches(path);
    if (e.is_dir) {
      if (below) {
        Walk(glob, index, path, out, seen_dirs);
      } else if (matches && !Excluded(path)) {
        out.skipped.push_back(SkippedPath{path, "a directory"});
      }
      continue;
    }
    if (!matches && !(below && e.is_link)) continue;
    // A symlink may name a directory: stat tells (and gives a file's identity).
    Result<FileInfo> info = fs_->Stat(path);
    if (!info.ok()) continue;
    if (info->type == FileInfo::Type::kDirectory) {
      if (below) {
        Walk(glob, index, path, out, seen_dirs);
      } else if (!Excluded(path)) {
        out.skipped.push_back(SkippedPath{path, "a directory"});
      }
    } else if (matches) {
      Consider(path, *info, index, out);
    }
  }
}

}  // namespace logship
