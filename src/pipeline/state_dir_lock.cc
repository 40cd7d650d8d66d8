// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/state_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "src/base/file_system.h"

namespace logship {

StateDirLock& StateDirLock::operator=(StateDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

StateDirLock::~StateDirLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

Result<StateDirLock> StateDirLock::Acquire(const std::string& dir, const std::string& pipeline) {
  Status made = PosixFileSystem().CreateDirs(dir);
  if (!made.ok()) return made.WithContext("pipeline '" + pipeline + "'");
  std::string path = JoinPath(dir, "lock");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char pid[32] = {};
    [[maybe_unused]] ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      std::string holder(pid);
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      return Status::FailedPrecondition(
          path, "pipeline '" + pipeline + "' is already run by another logship" +
                    (holder.empty() ? std::string() : " (pid " + holder + ")"));
    }
    return Status::FromErrno(path, err);
  }
  // The pid is only a hint for the message above: the flock, not the file's content, is the lock.
  std::string me = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t n = ::pwrite(fd, me.data(), me.size(), 0);
  }
  return StateDirLock(fd);
}

Result<std::optional<long>> StateDirLock::Holder(const std::string& dir) {
  std::string path = JoinPath(dir, "lock");
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<long>();
    return Status::FromErrno(path, errno);
  }
  std::ifstream locks("/proc/locks");
  if (!locks) return Status::Unavailable("/proc/locks", "cannot be read");
  // Lines read "1: FLOCK  ADVISORY  WRITE 1234 fe:00:10955185 0 EOF" (device major and minor in
  // hex); a waiter's line has "->" after the number.
  const unsigned want_major = major(st.st_dev);
  const unsigned want_minor = minor(st.st_dev);
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream in(line);
    std::string number, kind, mode, access, id;
    long pid = 0;
    in >> number >> kind;
    if (kind == "->") continue;
    in >> mode >> access >> pid >> id;
    if (kind != "FLOCK" || !in) continue;
    unsigned maj = 0, min = 0;
    uintmax_t ino = 0;
    if (std::sscanf(id.c_str(), "%x:%x:%ju", &maj, &min, &ino) != 3) continue;
    if (maj == want_major && min == want_minor && ino == static_cast<uintmax_t>(st.st_ino)) {
      return std::optional<long>(pid);
    }
  }
  return std::optional<long>();
}

}  // namespace logship
