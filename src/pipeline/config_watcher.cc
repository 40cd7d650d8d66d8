// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/config_watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "src/base/file_system.h"
#include "src/base/hash.h"

namespace logship {

ConfigWatcher::ConfigWatcher(std::string path) : path_(std::move(path)) {
  size_t slash = path_.rfind('/');
  dir_ = slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
  base_ = slash == std::string::npos ? path_ : path_.substr(slash + 1);
}

ConfigWatcher::~ConfigWatcher() {
  if (fd_ >= 0) ::close(fd_);
}

Status ConfigWatcher::Start() {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return Status::FromErrno("inotify for " + path_, errno);
  int wd = ::inotify_add_watch(
      fd_, dir_.c_str(),
      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB);
  if (wd < 0) return Status::FromErrno("inotify watch on " + dir_, errno);
  WatchFile();
  return Status::Ok();
}

void ConfigWatcher::WatchFile() {
  // Follows a symlinked file to its target, whose writes the directory watch cannot see.
  file_wd_ = ::inotify_add_watch(
      fd_, path_.c_str(), IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF);
}

bool ConfigWatcher::Consume() {
  if (fd_ < 0) return false;
  bool relevant = false;
  bool file_gone = false;
  alignas(struct inotify_event) char buf[8192];
  while (true) {
    ssize_t n = ::read(fd_, buf, sizeof(buf));
    if (n <= 0) break;
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<struct inotify_event*>(p);
      if (ev->wd == file_wd_) {
        relevant = true;
        if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) file_gone = true;
      } else if (ev->len > 0) {
        // The file's own entry, or Kubernetes' "..data" symlink swap of a mounted ConfigMap.
        std::string_view name(ev->name);
        if (name == base_ || name.starts_with("..")) relevant = true;
      }
      p += sizeof(struct inotify_event) + ev->len;
    }
  }
  if (file_gone || file_wd_ < 0) WatchFile();
  return relevant;
}

uint64_t ConfigWatcher::ContentHash(const std::string& path) {
  Result<std::string> bytes = PosixFileSystem().ReadFile(path);
  if (!bytes.ok()) return 0;
  return Hash64(*bytes) | 1;  // never 0, which means "unreadable"
}

}  // namespace logship
