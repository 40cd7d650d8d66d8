// SPDX-License-Identifier: Apache-2.0
#pragma once

// ConfigWatcher notices when the pipeline file may have changed, for hot reload. It watches, with
// inotify, both the file and its directory: editors often save by writing a new file and renaming
// it over the old one (the file's own watch then goes quiet), and Kubernetes swaps a symlinked
// directory (only the directory sees that). Events only say "look again"; whether the content
// really changed is decided by comparing ContentHash with the last loaded one.

#include <cstdint>
#include <string>

#include "src/base/status.h"

namespace logship {

class ConfigWatcher {
 public:
  explicit ConfigWatcher(std::string path);
  ~ConfigWatcher();
  ConfigWatcher(const ConfigWatcher&) = delete;
  ConfigWatcher& operator=(const ConfigWatcher&) = delete;

  Status Start();
  // Readable when something happened; -1 before Start.
  int fd() const { return fd_; }
  // Reads every pending event; true if any may concern the file. Re-arms the file's own watch
  // when the file was replaced.
  bool Consume();

  // A hash of the file's bytes now (following symlinks); 0 if it cannot be read.
  static uint64_t ContentHash(const std::string& path);

 private:
  void WatchFile();

  const std::string path_;
  std::string dir_;
  std::string base_;
  int fd_ = -1;
  int file_wd_ = -1;
};

}  // namespace logship
