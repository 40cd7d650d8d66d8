// SPDX-License-Identifier: Apache-2.0
#include "src/tail/file_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>

namespace logship {

FileWatcher::FileWatcher(bool report_modified) : report_modified_(report_modified) {
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

FileWatcher::~FileWatcher() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

bool FileWatcher::WatchDir(const std::string& dir) {
  if (inotify_fd_ < 0) return false;
  if (wd_by_dir_.count(dir) != 0) return true;
  uint32_t mask = IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF |
                  IN_MOVE_SELF | IN_ATTRIB | IN_ONLYDIR;
  if (report_modified_) mask |= IN_MODIFY;
  int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(), mask);
  if (wd < 0) return false;
  // Two paths to one directory share a watch descriptor; the last path wins, which only changes
  // the path we report modifications under (a rescan still sees every file).
  dir_by_wd_[wd] = dir;
  wd_by_dir_[dir] = wd;
  return true;
}

void FileWatcher::KeepOnly(const std::vector<std::string>& dirs) {
  if (inotify_fd_ < 0) return;
  for (auto it = wd_by_dir_.begin(); it != wd_by_dir_.end();) {
    if (std::find(dirs.begin(), dirs.end(), it->first) == dirs.end()) {
      ::inotify_rm_watch(inotify_fd_, it->second);
      dir_by_wd_.erase(it->second);
      it = wd_by_dir_.erase(it);
    } else {
      ++it;
    }
  }
}

void FileWatcher::Wake() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

WatchEvents FileWatcher::Wait(int timeout_ms, bool until_event) {
  WatchEvents out;
  struct pollfd fds[2];
  int n = 0;
  if (wake_fd_ >= 0) fds[n++] = {wake_fd_, POLLIN, 0};
  if (inotify_fd_ >= 0 && until_event) fds[n++] = {inotify_fd_, POLLIN, 0};
  int rc = ::poll(fds, static_cast<nfds_t>(n), timeout_ms < 0 ? 0 : timeout_ms);
  if (rc > 0 && wake_fd_ >= 0 && (fds[0].revents & POLLIN)) {
    uint64_t v;
    if (::read(wake_fd_, &v, sizeof(v)) == sizeof(v)) out.woken = true;
  }
  // Without until_event, the events of the whole wait are collected at its end.
  if (rc > 0 || !until_event) Drain(out);
  return out;
}

void FileWatcher::Drain(WatchEvents& out) {
  if (inotify_fd_ < 0) return;
  alignas(struct inotify_event) char buf[64 * 1024];
  // A read returns every queued event that fits: with room left for the largest one, the queue was
  // empty, and another read would only fail with EAGAIN (one system call per wake-up saved).
  constexpr ssize_t kFull = sizeof(buf) - (sizeof(struct inotify_event) + NAME_MAX + 1);
  ssize_t len = 0;
  do {
    len = ::read(inotify_fd_, buf, sizeof(buf));
    if (len <= 0) return;  // EAGAIN: drained
    for (char* p = buf; p < buf + len;) {
      auto* ev = reinterpret_cast<struct inotify_event*>(p);
      p += sizeof(struct inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        out.rescan = true;
        continue;
      }
      if (ev->mask & IN_IGNORED) {
        // The directory went away; forget the watch so a re-created one is watched again.
        auto it = dir_by_wd_.find(ev->wd);
        if (it != dir_by_wd_.end()) {
          wd_by_dir_.erase(it->second);
          dir_by_wd_.erase(it);
        }
        out.rescan = true;
        continue;
      }
      if (ev->mask & (IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF |
                      IN_MOVE_SELF | IN_ATTRIB)) {
        out.rescan = true;
      }
      if (ev->mask & IN_MOVE_SELF) {
        // The directory was renamed and the watch follows it, not its path: drop it, so that a
        // directory created at the path is watched (WatchDir) and the moved one is not reported
        // under a path it no longer has. Its files are finished from their open descriptors.
        auto it = dir_by_wd_.find(ev->wd);
        if (it != dir_by_wd_.end()) {
          wd_by_dir_.erase(it->second);
          dir_by_wd_.erase(it);
          ::inotify_rm_watch(inotify_fd_, ev->wd);
        }
        continue;
      }
      if ((ev->mask & IN_MODIFY) && ev->len > 0) {
        auto it = dir_by_wd_.find(ev->wd);
        if (it != dir_by_wd_.end()) {
          const std::string& dir = it->second;
          out.modified.push_back(dir == "/" ? "/" + std::string(ev->name)
                                            : dir + "/" + std::string(ev->name));
        }
      }
    }
  } while (len > kFull);
}

}  // namespace logship
