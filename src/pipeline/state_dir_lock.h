// SPDX-License-Identifier: Apache-2.0
#pragma once

// StateDirLock is the exclusive lock on a pipeline's state directory (<data_dir>/<pipeline>): a
// flock(2) on its `lock` file, which holds the owner's pid so that a refused process can name it.
// `logship run` holds it while the pipeline lives; `logship checkpoints reset` takes it so that
// checkpoints never change under a running agent. The lock goes with the open file: it is released
// when the object is destroyed, or when the process dies, however it dies. Movable, not copyable.

#include <optional>
#include <string>

#include "src/base/result.h"

namespace logship {

class StateDirLock {
 public:
  // Creates `dir` if missing and locks `dir`/lock without waiting. `pipeline` names the pipeline
  // in messages. If another process holds it: FailedPrecondition, "<dir>/lock: pipeline 'app' is
  // already run by another logship (pid 123)". Other failures: the Status of the call, naming the
  // path.
  static Result<StateDirLock> Acquire(const std::string& dir, const std::string& pipeline);

  // The pid of the process holding the lock on `dir`/lock, read from /proc/locks without touching
  // the lock (so a starting agent is never refused because someone looked); nullopt when nobody
  // holds it or the file does not exist. Unavailable when /proc/locks cannot be read.
  static Result<std::optional<long>> Holder(const std::string& dir);

  StateDirLock(StateDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  StateDirLock& operator=(StateDirLock&& other) noexcept;
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;
  ~StateDirLock();

  // Hands the locked descriptor to the caller, who then owns it (closing it releases the lock).
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  explicit StateDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace logship
