// SPDX-License-Identifier: Apache-2.0
#include "src/replay/file_locator.h"

#include <set>

#include "src/base/file_system.h"
#include "src/tail/fingerprint.h"

namespace logship {

FileLocator::FileLocator(const FileInputOptions& options,
                         const std::vector<const Checkpoints*>& states) {
  matched_ = FileScanner(options.include, options.exclude).Scan().files;
  std::set<std::string> dirs;
  for (const FoundFile& f : matched_) {
    // A matched path wins over another name of the same inode (a hard link, a symlink).
    by_inode_.emplace(std::make_pair(f.device, f.inode), LocatedFile{f.path, f.size});
    dirs.insert(DirName(f.path));
  }
  for (const Checkpoints* state : states) {
    for (const FileCheckpoint& c : state->files) dirs.insert(DirName(c.path));
  }
  for (const std::string& dir : dirs) IndexDir(dir);
}

void FileLocator::IndexDir(const std::string& dir) {
  Result<std::vector<DirEntry>> entries = PosixFileSystem().ListDir(dir);
  if (!entries.ok()) return;  // gone, or unreadable: its files are reported as not found
  for (const DirEntry& e : *entries) {
    if (e.is_dir) continue;
    std::string path = JoinPath(dir, e.name);
    Result<FileInfo> info = PosixFileSystem().Stat(path);
    if (!info.ok() || !info->regular()) continue;
    by_inode_.emplace(std::make_pair(info->device, info->inode), LocatedFile{path, info->size});
  }
}

std::optional<LocatedFile> FileLocator::Find(const FileCheckpoint& c) const {
  auto it = by_inode_.find({c.device, c.inode});
  if (it == by_inode_.end()) return std::nullopt;
  Result<std::unique_ptr<ReadableFile>> file = PosixFileSystem().OpenReadable(it->second.path);
  if (!file.ok()) return std::nullopt;
  Result<bool> same = FingerprintMatches(**file, Fingerprint{c.fingerprint_len, c.fingerprint});
  Result<FileInfo> info = (*file)->Stat();
  if (!same.ok() || !*same || !info.ok()) return std::nullopt;
  return LocatedFile{it->second.path, info->size};
}

}  // namespace logship
