// SPDX-License-Identifier: Apache-2.0
#pragma once

// FileScanner finds the regular files matching a set of include globs and none of the exclude
// globs, walking only the directories a glob could match below. It reports each file once, by its
// first path in pattern order (two paths to one inode, e.g. a symlink, are one file), and the
// directories it walked, which the watcher watches for new files, and the matching paths that are
// not regular files. Unreadable directories are
// skipped quietly (a log directory that does not exist yet is normal). Every look at the disk goes
// through a FileSystem. Not thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "src/base/file_system.h"
#include "src/config/glob.h"

namespace logship {

struct FoundFile {
  std::string path;
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int include_index = 0;  // which include pattern found it
};

// A path an include pattern matches that cannot be tailed (a FIFO, a socket, a device, a
// directory).
struct SkippedPath {
  std::string path;
  const char* what = "";  // "a FIFO", "a directory", ...
};

struct ScanResult {
  std::vector<FoundFile> files;
  std::vector<std::string> dirs;  // directories walked (existing ones), to watch
  std::vector<SkippedPath> skipped;
  std::vector<size_t> matches_per_include;  // regular files each include pattern matched
};

class FileScanner {
 public:
  // `fs` must outlive the scanner.
  FileScanner(std::vector<Glob> include, std::vector<Glob> exclude,
              FileSystem& fs = PosixFileSystem());

  ScanResult Scan() const;
  bool Excluded(const std::string& path) const;
  const std::vector<Glob>& include() const { return include_; }

 private:
  void Walk(const Glob& glob, int index, const std::string& dir, ScanResult& out,
            std::vector<std::pair<uint64_t, uint64_t>>& seen_dirs) const;
  void Consider(const std::string& path, const FileInfo& info, int index, ScanResult& out) const;

  FileSystem* fs_;
  std::vector<Glob> include_;
  std::vector<Glob> exclude_;
};

}  // namespace logship
