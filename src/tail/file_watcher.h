// SPDX-License-Identifier: Apache-2.0
#pragma once

// FileWatcher tells the tailer when to look again: which files were written to, and when the set of
// files may have changed (a file created, renamed or deleted in a watched directory). It uses
// inotify on directories when the kernel offers it, and otherwise reports nothing but timeouts, so
// the tailer falls back to polling on its rescan interval. Not thread-safe; the tailer's thread
// owns it. Wake() may be called from any thread to end a Wait early.

#include <string>
#include <unordered_map>
#include <vector>

namespace logship {

struct WatchEvents {
  std::vector<std::string> modified;  // paths written to (IN_MODIFY)
  bool rescan = false;                // something was created, moved or deleted, or events lost
  bool woken = false;                 // Wake() was called
};

class FileWatcher {
 public:
  // With report_modified false, only changes to the set of files are watched (no IN_MODIFY), for
  // a thread that discovers files but does not read them.
  explicit FileWatcher(bool report_modified = true);
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // True when inotify is in use; false means polling.
  bool active() const { return inotify_fd_ >= 0; }
  // Starts watching `dir` (idempotent). Returns false when it cannot (then polling covers it).
  bool WatchDir(const std::string& dir);
  // Stops watching directories not in `dirs` (they vanished or no longer matter).
  void KeepOnly(const std::vector<std::string>& dirs);
  // Waits up to timeout_ms for events and returns them (empty on timeout). With until_event
  // false, sleeps the whole timeout (only Wake() ends it early) and returns the events that came
  // meanwhile: one wake-up for however many writes.
  WatchEvents Wait(int timeout_ms, bool until_event = true);
  // Ends the current or next Wait() at once.
  void Wake();

 private:
  void Drain(WatchEvents& out);

  bool report_modified_ = true;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd
  std::unordered_map<int, std::string> dir_by_wd_;
  std::unordered_map<std::string, int> wd_by_dir_;
};

}  // namespace logship
