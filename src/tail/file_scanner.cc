// SPDX-License-Identifier: Apache-2.0
#include "src/tail/file_scanner.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <utility>

namespace logship {

FileScanner::FileScanner(std::vector<Glob> include, std::vector<Glob> exclude)
    : include_(std::move(include)), exclude_(std::move(exclude)) {}

bool FileScanner::Excluded(const std::string& path) const {
  for (const Glob& g : exclude_) {
    if (g.Matches(path)) return true;
  }
  return false;
}

namespace {

const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

}  // namespace

ScanResult FileScanner::Scan() const {
  ScanResult out;
  out.matches_per_include.assign(include_.size(), 0);
  for (size_t i = 0; i < include_.size(); ++i) {
    const Glob& glob = include_[i];
    if (glob.literal()) {
      Consider(glob.pattern(), static_cast<int>(i), out);
      struct stat st;
      if (::stat(glob.base_dir().c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        out.dirs.push_back(glob.base_dir());
      }
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

void FileScanner::Consider(const std::string& path, int index, ScanResult& out) const {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return;
  if (Excluded(path)) return;
  if (!S_ISREG(st.st_mode)) {
    out.skipped.push_back(SkippedPath{path, KindOf(st.st_mode)});
    return;
  }
  ++out.matches_per_include[static_cast<size_t>(index)];
  out.files.push_back(FoundFile{path, static_cast<uint64_t>(st.st_dev),
                                static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size),
                                index});
}

void FileScanner::Walk(const Glob& glob, int index, const std::string& dir, ScanResult& out,
                       std::vector<std::pair<uint64_t, uint64_t>>& seen_dirs) const {
  struct stat dst;
  if (::stat(dir.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode)) return;
  std::pair<uint64_t, uint64_t> id{static_cast<uint64_t>(dst.st_dev),
                                   static_cast<uint64_t>(dst.st_ino)};
  if (std::find(seen_dirs.begin(), seen_dirs.end(), id) != seen_dirs.end()) return;
  seen_dirs.push_back(id);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  out.dirs.push_back(dir);
  std::vector<std::pair<std::string, unsigned char>> entries;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (name == "." || name == "..") continue;
    entries.emplace_back(std::string(name), e->d_type);
  }
  ::closedir(d);
  // Sorted, so discovery order (and thus which of two links wins) does not depend on the disk.
  std::sort(entries.begin(), entries.end());
  std::string path;
  for (const auto& [name, type] : entries) {
    path = dir == "/" ? "/" + name : dir + "/" + name;
    bool is_dir = type == DT_DIR;
    bool maybe = type == DT_UNKNOWN || type == DT_LNK;
    if (maybe) {
      struct stat st;
      if (::stat(path.c_str(), &st) != 0) continue;
      is_dir = S_ISDIR(st.st_mode);
    }
    if (is_dir) {
      if (glob.CouldMatchBelow(path)) {
        Walk(glob, index, path, out, seen_dirs);
      } else if (glob.Matches(path) && !Excluded(path)) {
        out.skipped.push_back(SkippedPath{path, "a directory"});
      }
    } else if (glob.Matches(path)) {
      Consider(path, index, out);
    }
  }
}

}  // namespace logship
