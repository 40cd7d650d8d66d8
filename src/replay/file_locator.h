// SPDX-License-Identifier: Apache-2.0
#pragma once

// FileLocator finds on disk the files that checkpoints name, by device and inode, confirmed by
// the fingerprint of their first bytes (so a new file that reuses a deleted file's inode is not
// taken for it). It looks among the files the input's globs match now and every regular file in
// the directories of those files and of the checkpoints' recorded paths: a file renamed by
// rotation (app.log -> app.log.1, app.log-20260124) is found under its new name. Reads only.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/tail/checkpoint_store.h"
#include "src/tail/file_input_options.h"
#include "src/tail/file_scanner.h"

namespace logship {

struct LocatedFile {
  std::string path;  // where the file is now
  uint64_t size = 0;
};

class FileLocator {
 public:
  // Scans the input's globs and the directories of `states`' recorded paths.
  FileLocator(const FileInputOptions& options, const std::vector<const Checkpoints*>& states);

  // The file `c` names, if it is still on disk with the same first bytes.
  std::optional<LocatedFile> Find(const FileCheckpoint& c) const;
  // The files the input's globs match now.
  const std::vector<FoundFile>& matched() const { return matched_; }

 private:
  void IndexDir(const std::string& dir);

  std::vector<FoundFile> matched_;
  std::map<std::pair<uint64_t, uint64_t>, LocatedFile> by_inode_;
};

}  // namespace logship
